package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store/storetest"
)

func TestToken(t *testing.T) {
	f := filepath.Join(t.TempDir(), "tokens")
	code, out, errOut := runCLI(t, nil, "token", "add", "ci", "--token-file", f)
	if code != 0 || !strings.HasPrefix(out, server.TokenPrefix) || !strings.Contains(errOut, "shown only this once") {
		t.Fatalf("token add: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	token := strings.TrimSpace(out)
	b, _ := os.ReadFile(f)
	if string(b) != "ci "+server.HashToken(token)+"\n" || strings.Contains(string(b), token) {
		t.Errorf("token file %q: want the name and the token's hash only", b)
	}
	if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	mustRunCLI(t, "token", "add", "--token-file", f, "laptop")
	if out := mustRunCLI(t, "token", "list", "--token-file", f); out != "ci\nlaptop\n" {
		t.Errorf("token list: %q", out)
	}
	for _, args := range [][]string{
		{"token", "add", "ci", "--token-file", f},         // the name is taken
		{"token", "add", "has space", "--token-file", f},  // not a name
		{"token", "add", "x"},                             // no file
		{"token", "add", "--token-file", f},               // no name
		{"token", "list", "--token-file", f + ".missing"}, // no file
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || !oneLineError(errOut) {
			t.Errorf("benchdb %s: exit %d, stderr %q; want 2 and a one-line error", strings.Join(args, " "), code, errOut)
		}
	}
	if lines := strings.Count(string(must(os.ReadFile(f))), "\n"); lines != 2 {
		t.Errorf("failed adds changed the token file: %d lines", lines)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestServe_Usage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.sqlite")
	for _, args := range [][]string{
		{"serve", "--db", db},
		{"serve", "--db", db, "--public-read", "--max-upload", "lots"},
		{"serve", "--db", db, "--public-read", "--log-format", "xml"},
		{"serve", "--db", db, "--token-file", db + ".missing"},
		{"serve", "--db", db, "--public-read", "--listen", "256.0.0.1:99999"},
		{"run", "--db", db, "./x", "--server", "http://127.0.0.1:1"}, // benchdb's flag after the packages
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || !oneLineError(errOut) {
			t.Errorf("benchdb %s: exit %d, stderr %q; want 2 and a one-line error", strings.Join(args, " "), code, errOut)
		}
	}
	for in, want := range map[string]int64{"1000": 1000, "64MiB": 64 << 20, "1 KiB": 1024, "2gb": 2e9, "5m": 5 << 20} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestIngest_Server runs benchdb ingest --server against a server in this
// process, over a real store.
func TestIngest_Server(t *testing.T) {
	db := storetest.Open(t)
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "tokens")
	token, err := server.AddToken(tokFile, "ci")
	if err != nil {
		t.Fatal(err)
	}
	toks, _ := server.LoadTokens(tokFile)
	srv, err := server.New(server.Config{Store: db, Tokens: toks, MaxUploadBytes: 64 << 10, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte(token+"\n"), 0o600)
	a := filepath.Join(dir, "a.txt")
	os.WriteFile(a, []byte(benchFile("a", 20)), 0o644)

	out := mustRunCLI(t, "ingest", "--server", hs.URL, "--token-file", secret, "--label", "branch=main", a)
	if out != a+": stored as run 1: 20 results\n" {
		t.Errorf("first ingest --server: %q", out)
	}
	t.Setenv("BENCHDB_TOKEN", token)
	out = mustRunCLI(t, "ingest", "--server", hs.URL, "--format", "json", a)
	if !strings.Contains(out, `"duplicate_of": 1`) {
		t.Errorf("second ingest --server: %q, want duplicate_of 1", out)
	}
	code, _, errOut := runCLI(t, strings.NewReader("pkg: x\nBenchmarkA 1 x ns/op\n"), "ingest", "--server", hs.URL, "--strict", "-")
	if code != 2 || !strings.Contains(errOut, "400") || !strings.Contains(errOut, "-:2") {
		t.Errorf("strict ingest of a bad line: exit %d, %q; want 2 naming -:2", code, errOut)
	}
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, []byte(benchFile("big", 3000)), 0o644)
	if code, _, errOut := runCLI(t, nil, "ingest", "--server", hs.URL, big); code != 2 || !strings.Contains(errOut, "413") {
		t.Errorf("ingest over the size limit: exit %d, %q; want 2 and 413", code, errOut)
	}
	t.Setenv("BENCHDB_TOKEN", "bdb_wrong")
	if code, _, errOut := runCLI(t, nil, "ingest", "--server", hs.URL, a); code != 2 || !strings.Contains(errOut, "403") {
		t.Errorf("ingest with a wrong token: exit %d, %q; want 2 and 403", code, errOut)
	}
	t.Setenv("BENCHDB_TOKEN", "")
	if code, _, errOut := runCLI(t, nil, "ingest", "--server", hs.URL, a); code != 2 || !strings.Contains(errOut, "BENCHDB_TOKEN") {
		t.Errorf("ingest without a token: exit %d, %q", code, errOut)
	}
	if runs, _ := db.Runs(context.Background()); len(runs) != 1 || runs[0].Labels["branch"] != "main" {
		t.Errorf("server store: %+v, want one run labelled branch=main", runs)
	}
	// No local store was written.
	if _, err := os.Stat(defaultDB); err == nil {
		t.Errorf("ingest --server created %s", defaultDB)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// syncBuffer is a strings.Builder for one writer and many readers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServe_Help(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"token", "add", "--help"}, {"token", "list", "--help"}} {
		out := mustRunCLI(t, args...)
		if !strings.Contains(out, "Example") || !strings.Contains(out, "--token-file") {
			t.Errorf("benchdb %s lacks examples or --token-file:\n%s", strings.Join(args, " "), out)
		}
	}
	for _, cmd := range []string{"ingest", "run"} {
		if out := mustRunCLI(t, cmd, "--help"); !strings.Contains(out, "--server URL") {
			t.Errorf("benchdb %s --help lacks --server URL", cmd)
		}
	}
}

// oneLineError reports whether stderr holds one error line, "benchdb:
// ...", followed at most by the command's usage line.
func oneLineError(stderr string) bool {
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "benchdb: ") {
		return false
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "usage: ") {
			return false
		}
	}
	return true
}
