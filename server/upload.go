package server

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/benchdb/benchdb/store"
)

// errTooLarge is returned by a limitedReader past its limit.
var errTooLarge = errors.New("body too large")

// limitedReader reads at most n bytes of r and fails after them with
// errTooLarge (io.LimitReader would end quietly, storing a cut-off run).
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One byte more tells a body of exactly n bytes from a longer one.
		var b [1]byte
		if n, _ := l.r.Read(b[:]); n > 0 {
			return 0, errTooLarge
		}
		return l.r.Read(p)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// UploadJSON is the answer to an upload: the run as `benchdb runs
// --format json` shows it, with what the upload did.
type UploadJSON struct {
	RunJSON
	Source       string `json:"source"`
	SkippedLines int    `json:"skipped_lines"`
	// DuplicateOf is the run that already held the content (then the
	// run is that one), or null.
	DuplicateOf *int64 `json:"duplicate_of"`
	// Warnings are the malformed lines skipped, as NAME:LINE: message.
	Warnings []string `json:"warnings"`
	// URL is the run's page, relative to the server.
	URL string `json:"url"`
}

// uploadOptions reads an upload's query parameters: label=KEY=VALUE
// (repeatable), time=RFC3339, strict=1, name=FILE.
func uploadOptions(r *http.Request) (store.IngestOptions, error) {
	q := r.URL.Query()
	opts := store.IngestOptions{Name: q.Get("name"), Labels: map[string]string{}}
	if opts.Name == "" {
		opts.Name = "upload"
	}
	for _, l := range q["label"] {
		k, v, ok := strings.Cut(l, "=")
		switch {
		case !ok || k == "":
			return opts, fmt.Errorf("label %q: want KEY=VALUE", l)
		case strings.ContainsFunc(k, unicode.IsSpace):
			return opts, fmt.Errorf("label %q: key has white space", l)
		case strings.ContainsAny(v, "\r\n"):
			return opts, fmt.Errorf("label %q: value has a line break", l)
		}
		if _, dup := opts.Labels[k]; dup {
			return opts, fmt.Errorf("label %q: key %s given twice", l, k)
		}
		opts.Labels[k] = v
	}
	if t := q.Get("time"); t != "" {
		tt, err := time.Parse(time.RFC3339Nano, t)
		if err != nil || tt.IsZero() || tt.UTC().Year() > 9999 || tt.UTC().Year() < 0 {
			return opts, fmt.Errorf("time %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", t)
		}
		opts.Time = tt
	}
	if s := q.Get("strict"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return opts, fmt.Errorf("strict %q: want 1 or 0", s)
		}
		opts.Strict = b
	}
	return opts, nil
}

// upload stores the request's body as a run (POST /api/v1/runs).
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	opts, err := uploadOptions(r)
	if err != nil {
		httpError(w, r, http.StatusBadRequest, "%v", err)
		return
	}
	limit := s.cfg.MaxUploadBytes
	if r.ContentLength > limit {
		httpError(w, r, http.StatusRequestEntityTooLarge, "body of %d bytes: the limit is %d", r.ContentLength, limit)
		return
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	var in io.Reader = body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			s.uploadError(w, r, fmt.Errorf("%s: gzip: %w", opts.Name, err))
			return
		}
		defer zr.Close()
		// The decoded size is capped too: a small gzip bomb must not
		// fill the disk.
		in = &limitedReader{r: zr, n: limit}
	default:
		httpError(w, r, http.StatusUnsupportedMediaType, "Content-Encoding %q: want gzip or none", enc)
		return
	}

	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	case <-r.Context().Done():
		httpError(w, r, http.StatusServiceUnavailable, "cancelled while waiting for other uploads")
		return
	}
	got, err := s.cfg.Store.Ingest(r.Context(), in, opts)
	if err != nil {
		s.uploadError(w, r, err)
		return
	}
	run, err := s.cfg.Store.Run(r.Context(), got.ID)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	out := UploadJSON{
		RunJSON: NewRunJSON(run), Source: run.Source, SkippedLines: got.SkippedLines,
		Warnings: []string{}, URL: fmt.Sprintf("/runs/%d", run.ID),
	}
	for _, e := range got.Warnings {
		out.Warnings = append(out.Warnings, e.Error())
	}
	status := http.StatusCreated
	if got.DuplicateOf != 0 {
		status = http.StatusOK
		out.DuplicateOf = &got.DuplicateOf
	} else {
		w.Header().Set("Location", out.URL)
	}
	logAttrs(r, slog.Int64("run", run.ID), slog.Int("results", got.Results), slog.Bool("duplicate", got.DuplicateOf != 0))
	writeJSON(w, status, out)
}

// uploadError answers a failed upload: 413 past the size limit, 400 for
// input that is not benchmark output (naming its line), 503 when the
// request was cancelled (the server is shutting down or the client left),
// 500 otherwise. Nothing of the upload is stored in any case.
func (s *Server) uploadError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	var ie *store.InputError
	var fe flate.CorruptInputError
	switch {
	case errors.As(err, &mbe) || errors.Is(err, errTooLarge):
		httpError(w, r, http.StatusRequestEntityTooLarge, "body larger than the limit of %d bytes; nothing stored", s.cfg.MaxUploadBytes)
	case r.Context().Err() != nil || errors.Is(err, context.Canceled):
		httpError(w, r, http.StatusServiceUnavailable, "upload cancelled; nothing stored")
	case errors.As(err, &ie), errors.Is(err, store.ErrNoResults), errors.Is(err, gzip.ErrHeader),
		errors.Is(err, gzip.ErrChecksum), errors.As(err, &fe), errors.Is(err, io.ErrUnexpectedEOF):
		httpError(w, r, http.StatusBadRequest, "%v", err)
	default:
		s.internalError(w, r, err)
	}
}

// internalError logs err and answers 500 with its message.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	httpError(w, r, http.StatusInternalServerError, "%v", err)
}
