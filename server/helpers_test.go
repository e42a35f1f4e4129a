package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// scriptName is a benchmark name made of HTML: every page must show it as
// text.
const scriptName = "<script>alert(1)</script>"

// night returns the benchmark output of night i of a history: two
// benchmarks in package example.com/enc, Encode and scriptName, 5 samples
// each, that get 50% slower from night slowFrom on (never if negative).
func night(i, slowFrom int) string {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	var b strings.Builder
	fmt.Fprintf(&b, "goos: linux\ngoarch: amd64\npkg: example.com/enc\n")
	for _, name := range []string{"Encode/size=1k", scriptName} {
		base := 100.0
		if slowFrom >= 0 && i >= slowFrom {
			base = 150
		}
		for range 5 {
			fmt.Fprintf(&b, "Benchmark%s-2 \t 1000000\t %.2f ns/op\t 64 B/op\n", name, base*(1+0.01*rng.NormFloat64()))
		}
	}
	return b.String()
}

// testServer is a server over a new SQLite store, on a loopback port.
type testServer struct {
	URL   string
	Token string
	DB    *store.DB
	Srv   *server.Server
	Logs  *lockedWriter
}

// openTestStore opens the store mustServer serves: a new SQLite file,
// or the backend TestPostgres sets while it runs the tests again.
var openTestStore = storetest.Open

// mustServer starts a server with a token file holding one token. edit
// may change the configuration.
func mustServer(tb testing.TB, edit func(*server.Config)) *testServer {
	tb.Helper()
	db := openTestStore(tb)
	tokFile := filepath.Join(tb.TempDir(), "tokens")
	token, err := server.AddToken(tokFile, "ci")
	if err != nil {
		tb.Fatal(err)
	}
	toks, err := server.LoadTokens(tokFile)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &lockedWriter{w: &bytes.Buffer{}}
	cfg := server.Config{
		Store:  db,
		Tokens: toks,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return &testServer{URL: hs.URL, Token: token, DB: db, Srv: srv, Logs: logs}
}

// lockedWriter serialises writes from concurrent requests.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// String returns what was written.
func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.w)
}

// do sends a request and returns the status and body.
func (ts *testServer) do(tb testing.TB, method, path, token string, body io.Reader, hdr map[string]string) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, ts.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, b
}

// upload posts text to /api/v1/runs?query.
func (ts *testServer) upload(tb testing.TB, query, text string) (int, server.UploadJSON) {
	tb.Helper()
	code, b := ts.do(tb, "POST", "/api/v1/runs?"+query, ts.Token, strings.NewReader(text), nil)
	var up server.UploadJSON
	if code == 200 || code == 201 {
		if err := json.Unmarshal(b, &up); err != nil {
			tb.Fatalf("upload answer %s: %v", b, err)
		}
	}
	return code, up
}

// gzipped returns text gzip-compressed.
func gzipped(text string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(text))
	zw.Close()
	return b.Bytes()
}

// mustHistory stores n nights, a day apart, slower from night slowFrom.
func (ts *testServer) mustHistory(tb testing.TB, n, slowFrom int) {
	tb.Helper()
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	for i := range n {
		q := fmt.Sprintf("name=night%d.txt&label=host=ci&label=branch=main&label=commit=c%02d&time=%s", i, i, t0.AddDate(0, 0, i).Format(time.RFC3339))
		if code, _ := ts.upload(tb, q, night(i, slowFrom)); code != 201 {
			tb.Fatalf("night %d: status %d", i, code)
		}
	}
}

// runCount returns how many runs the store holds.
func runCount(tb testing.TB, db *store.DB) int {
	tb.Helper()
	runs, err := db.Runs(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return len(runs)
}
