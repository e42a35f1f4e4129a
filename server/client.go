package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults of Client.
const (
	DefaultAttempts   = 10
	DefaultBackoff    = 250 * time.Millisecond
	DefaultMaxBackoff = 8 * time.Second
	// DefaultClientTimeout bounds one attempt, upload and answer.
	DefaultClientTimeout = 10 * time.Minute
)

// A Client uploads runs to a benchdb server. Its zero value is not
// usable: set URL. It is safe for concurrent use once its fields are set.
//
// Upload retries with exponential backoff when the server cannot be
// reached, the connection breaks, or the server answers 429, 502, 503 or
// 504. A retry never stores a run twice: the server stores each content
// once and answers a repeat with the run that holds it.
type Client struct {
	// URL is the server's base URL, such as http://bench.example:8080.
	URL string
	// Token is sent as Authorization: Bearer TOKEN.
	Token string
	// HTTP is the client used; nil means one with DefaultClientTimeout.
	HTTP *http.Client
	// Attempts is how many times an upload is tried (DefaultAttempts).
	Attempts int
	// Backoff is the wait before the first retry (DefaultBackoff); each
	// later wait doubles, up to MaxBackoff (DefaultMaxBackoff), and is
	// drawn at random between half and all of that.
	Backoff, MaxBackoff time.Duration
	// Logf, if set, is told about each retry.
	Logf func(format string, args ...any)
	// Rand draws the jitter of the waits; nil means a random seed.
	Rand *rand.Rand
}

// UploadOptions say how the server should store an upload; they are the
// query parameters of POST /api/v1/runs.
type UploadOptions struct {
	// Name is the input's name in the server's messages (a file name).
	Name   string
	Labels map[string]string
	// Time is the run's time; zero means when the server stores it.
	Time time.Time
	// Strict makes the server refuse input with a malformed line.
	Strict bool
}

// A StatusError is a server's answer that is not a success.
type StatusError struct {
	Status int
	// Msg is the server's error message.
	Msg string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("server: %d %s: %s", e.Status, http.StatusText(e.Status), e.Msg)
}

// Upload sends the benchmark output r (the Go benchmark format or `go test
// -json`) to the server, gzip-encoded, and returns the server's answer:
// the new run, or with DuplicateOf set the run that already held the
// content. r is read once, into a temporary file, so that retries can
// send it again.
func (c *Client) Upload(ctx context.Context, r io.Reader, opts UploadOptions) (*UploadJSON, error) {
	endpoint, err := c.endpoint(opts)
	if err != nil {
		return nil, err
	}
	body, size, cleanup, err := gzipToTemp(r)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	attempts := c.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	wait := c.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	maxWait := c.MaxBackoff
	if maxWait <= 0 {
		maxWait = DefaultMaxBackoff
	}
	rng := c.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			d := time.Duration(float64(wait) * (0.5 + rng.Float64()/2))
			if c.Logf != nil {
				c.Logf("upload to %s: %v; retrying in %s (attempt %d of %d)", c.URL, lastErr, d.Round(time.Millisecond), i+1, attempts)
			}
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("upload to %s: %w (after: %v)", c.URL, ctx.Err(), lastErr)
			case <-t.C:
			}
			wait = min(2*wait, maxWait)
		}
		up, err := c.try(ctx, endpoint, body, size)
		if err == nil {
			return up, nil
		}
		if !retryable(ctx, err) {
			return nil, err
		}
		lastErr = err
	}
	return nil, fmt.Errorf("upload to %s: gave up after %d attempts: %w", c.URL, attempts, lastErr)
}

// endpoint returns the upload URL with opts as query parameters.
func (c *Client) endpoint(opts UploadOptions) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(c.URL, "/") + "/api/v1/runs")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server URL %q: want http://HOST[:PORT] or https://...", c.URL)
	}
	q := url.Values{}
	if opts.Name != "" {
		q.Set("name", opts.Name)
	}
	for k, v := range opts.Labels {
		q.Add("label", k+"="+v)
	}
	if !opts.Time.IsZero() {
		q.Set("time", opts.Time.UTC().Format(time.RFC3339Nano))
	}
	if opts.Strict {
		q.Set("strict", "1")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// gzipToTemp compresses r into a temporary file.
func gzipToTemp(r io.Reader) (f *os.File, size int64, cleanup func(), err error) {
	f, err = os.CreateTemp("", "benchdb-upload-*.gz")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("create temporary file: %w", err)
	}
	cleanup = func() {
		f.Close()
		os.Remove(f.Name())
	}
	// The fastest level compresses benchmark output 8.5-fold (the
	// default level 11-fold) in about half the time.
	zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("compress input: %w", err)
	}
	if _, err := io.Copy(zw, r); err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("read input: %w", err)
	}
	if err := zw.Close(); err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("compress input: %w", err)
	}
	size, err = f.Seek(0, io.SeekCurrent)
	if err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("compress input: %w", err)
	}
	return f, size, cleanup, nil
}

// try makes one attempt.
func (c *Client) try(ctx context.Context, endpoint string, body io.ReaderAt, size int64) (*UploadJSON, error) {
	newBody := func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(body, 0, size)), nil }
	rb, _ := newBody()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, rb)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	req.GetBody = newBody
	req.ContentLength = size
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	req.Header.Set("Content-Encoding", "gzip")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultClientTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		var e errorJSON
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return nil, &StatusError{Status: resp.StatusCode, Msg: e.Error}
	}
	var up UploadJSON
	if err := json.Unmarshal(b, &up); err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	return &up, nil
}

// retryable reports whether an attempt that failed with err may be tried
// again: a connection error, or a status that says "not now". An error
// from ctx is not.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		switch se.Status {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	return true // the request or the answer was cut off
}
