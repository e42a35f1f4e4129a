package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchdb/benchdb/server"
)

// mustServe runs srv.Serve on a loopback port until the returned cancel
// is called; wait returns Serve's error.
func mustServe(t *testing.T, srv *server.Server) (url string, cancel func(), wait func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	var res error
	var got bool
	return "http://" + ln.Addr().String(), cancel, func() error {
		if !got {
			res, got = <-done, true
			done <- res // for the cleanup
		}
		return res
	}
}

// startUpload opens a connection to url and sends the headers of an
// upload of size bytes with Expect: 100-continue. It returns once the
// server answered 100 Continue: its handler is running and reads the body.
func startUpload(t *testing.T, url, token string, size int) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", token, size)
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("want 100 Continue, got %q, %v", line, err)
	}
	if _, err := br.ReadString('\n'); err != nil { // the blank line after it
		t.Fatal(err)
	}
	return conn, br
}

// TestServe_ShutdownFinishesUploads cancels the server's context while an
// upload is half sent: the upload finishes and is stored, new connections
// are refused, and Serve returns nil.
func TestServe_ShutdownFinishesUploads(t *testing.T) {
	ts := mustServer(t, nil)
	url, cancel, wait := mustServe(t, ts.Srv)
	text := night(0, -1)
	conn, br := startUpload(t, url, ts.Token, len(text))
	half := len(text) / 2
	if _, err := conn.Write([]byte(text[:half])); err != nil {
		t.Fatal(err)
	}
	cancel()
	// The listener closes: new connections are refused.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after its context was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := conn.Write([]byte(text[half:])); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload in flight during shutdown: status %d, want 201", resp.StatusCode)
	}
	if err := wait(); err != nil {
		t.Errorf("Serve: %v, want nil", err)
	}
	if n := runCount(t, ts.DB); n != 1 {
		t.Errorf("%d runs stored, want 1", n)
	}
}

// TestServe_ShutdownCutsOffStalledUploads: an upload that does not finish
// within the shutdown timeout is cut off and stores nothing.
func TestServe_ShutdownCutsOffStalledUploads(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) { c.ShutdownTimeout = 200 * time.Millisecond })
	url, cancel, wait := mustServe(t, ts.Srv)
	text := night(0, -1)
	conn, _ := startUpload(t, url, ts.Token, len(text))
	conn.Write([]byte(text[:100]))
	cancel()
	if err := wait(); err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("Serve: %v, want the stalled request cut off", err)
	}
	// The handler returns once its context is cancelled; the store
	// holds nothing of the upload.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ts.Logs.String(), `"status":503`) {
		if time.Now().After(deadline) {
			t.Fatalf("the cut-off upload's handler did not finish:\n%s", ts.Logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := runCount(t, ts.DB); n != 0 {
		t.Errorf("%d runs stored from a cut-off upload, want 0", n)
	}
}

func TestClient_RetriesUntilServerUp(t *testing.T) {
	ts := mustServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there yet

	var retries atomic.Int32
	c := &server.Client{URL: "http://" + addr, Token: ts.Token, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Attempts: 100,
		Logf: func(string, ...any) { retries.Add(1) }}
	type result struct {
		up  *server.UploadJSON
		err error
	}
	res := make(chan result, 1)
	go func() {
		up, err := c.Upload(context.Background(), strings.NewReader(night(0, -1)), server.UploadOptions{Name: "late.txt", Labels: map[string]string{"branch": "main"}})
		res <- result{up, err}
	}()
	for retries.Load() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken by someone else meanwhile: %v", addr, err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: ts.Srv.Handler()}}
	hs.Start()
	defer hs.Close()
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.up.ID == 0 || r.up.Results != 10 || r.up.Labels["branch"] != "main" || r.up.Source != "late.txt" {
		t.Errorf("upload: %+v", r.up)
	}
}

// TestClient_NeverDuplicates cuts the connection after the server stored
// the upload, before its answer: the client's retry gets the stored run,
// and the store holds it once.
func TestClient_NeverDuplicates(t *testing.T) {
	ts := mustServer(t, nil)
	var posts atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && posts.Add(1) == 1 {
			ts.Srv.Handler().ServeHTTP(httptest.NewRecorder(), r) // stored; the answer is lost
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		ts.Srv.Handler().ServeHTTP(w, r)
	})
	hs := httptest.NewServer(h)
	defer hs.Close()
	c := &server.Client{URL: hs.URL, Token: ts.Token, Backoff: time.Millisecond}
	up, err := c.Upload(context.Background(), strings.NewReader(night(3, -1)), server.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if posts.Load() != 2 || up.DuplicateOf == nil || *up.DuplicateOf != up.ID {
		t.Errorf("%d posts, answer %+v; want a retry answered with the stored run", posts.Load(), up)
	}
	if n := runCount(t, ts.DB); n != 1 {
		t.Errorf("%d runs stored, want 1", n)
	}
}

func TestClient_Errors(t *testing.T) {
	ts := mustServer(t, nil)
	var posts atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		ts.Srv.Handler().ServeHTTP(w, r)
	}))
	defer hs.Close()
	c := &server.Client{URL: hs.URL, Token: "bdb_wrong", Backoff: time.Millisecond}
	_, err := c.Upload(context.Background(), strings.NewReader(night(0, -1)), server.UploadOptions{})
	var se *server.StatusError
	if !errors.As(err, &se) || se.Status != 403 || posts.Load() != 1 {
		t.Errorf("wrong token: %v after %d posts; want a 403 StatusError, no retry", err, posts.Load())
	}
	c.Token = ts.Token
	_, err = c.Upload(context.Background(), strings.NewReader("pkg: x\nBenchmarkA 1 x ns/op\n"), server.UploadOptions{Name: "bad.txt", Strict: true})
	if !errors.As(err, &se) || se.Status != 400 || !strings.Contains(se.Msg, "bad.txt:2") {
		t.Errorf("strict upload of a bad line: %v; want 400 naming bad.txt:2", err)
	}
	if _, err := (&server.Client{URL: "ftp://x"}).Upload(context.Background(), strings.NewReader("x"), server.UploadOptions{}); err == nil {
		t.Error("ftp URL accepted")
	}
	// A cancelled context stops the retries.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	dead := &server.Client{URL: "http://127.0.0.1:1", Backoff: 10 * time.Millisecond}
	if _, err := dead.Upload(ctx, strings.NewReader(night(0, -1)), server.UploadOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("upload to nothing with a deadline: %v", err)
	}
}
