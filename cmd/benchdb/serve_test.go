package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// TestRun_Server runs the fixture's benchmarks with run --server.
func TestRun_Server(t *testing.T) {
	db := storetest.Open(t)
	tokFile := filepath.Join(t.TempDir(), "tokens")
	token, _ := server.AddToken(tokFile, "ci")
	toks, _ := server.LoadTokens(tokFile)
	srv, _ := server.New(server.Config{Store: db, Tokens: toks, Logger: discardLogger()})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	t.Setenv("BENCHDB_TOKEN", token)
	local := filepath.Join(t.TempDir(), "local.sqlite")
	code, out, errOut := runCLI(t, nil, "run", "--db", local, "--server", hs.URL, "--dir", mustFixtureDir(t), "--count", "1", "--label", "team=perf", fixturePkg+"pass")
	if code != 0 || !regexp.MustCompile(`^sent run 1: 8 results from 1 package in \S+: `+regexp.QuoteMeta(hs.URL)+`/runs/1\n$`).MatchString(out) {
		t.Fatalf("run --server: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	runs, _ := db.Runs(context.Background())
	if len(runs) != 1 || runs[0].Labels["team"] != "perf" || runs[0].Labels["commit"] == "" || runs[0].Results != 8 {
		t.Errorf("server store: %+v", runs)
	}
	if _, err := os.Stat(local); err == nil {
		t.Error("run --server wrote the local store")
	}
}

// TestServe_Process runs benchdb serve as a separate process: ingest
// --server uploads to it, reads work without a token (--public-read),
// and SIGTERM stops it with exit status 0.
func TestServe_Process(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchdb and runs it as a process")
	}
	bin := mustBuildBenchdb(t)
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "tokens")
	token := strings.TrimSpace(mustRunProcOut(t, bin, dir, "token", "add", "ci", "--token-file", tokFile))
	dbFile := filepath.Join(dir, "team.sqlite")
	srv, url, logs, wait := startServe(t, bin, dir, "--db", dbFile, "--token-file", tokFile, "--public-read", "--log-format", "json", "--max-upload", "64KiB")

	// ingest runs a benchdb ingest --server process with token and
	// returns its exit status and output.
	ingest := func(token string, args ...string) (int, string) {
		t.Helper()
		cmd := benchdbProc(context.Background(), bin, dir, append([]string{"ingest", "--server", url}, args...)...)
		cmd.Env = append(cmd.Env, "BENCHDB_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.txt", benchFile("a", 50))
	if code, out := ingest(token, a); code != 0 || out != a+": stored as run 1: 50 results\n" {
		t.Fatalf("ingest --server: exit %d\n%s", code, out)
	}
	if code, out := ingest(token, a); code != 0 || out != a+": already stored as run 1 (50 results); nothing stored\n" {
		t.Errorf("ingest --server again: exit %d\n%s", code, out)
	}
	if code, out := ingest("bdb_wrong", a); code != 2 || !strings.Contains(out, "403") {
		t.Errorf("ingest with a wrong token: exit %d\n%s", code, out)
	}
	big := write("big.txt", benchFile("big", 2000))
	if code, out := ingest(token, big); code != 2 || !strings.Contains(out, "413") {
		t.Errorf("ingest over --max-upload: exit %d\n%s", code, out)
	}
	bad := write("bad.txt", "pkg: x\nBenchmarkA 1 2 ns/op\nBenchmarkB 1 two ns/op\n")
	if code, out := ingest(token, "--strict", bad); code != 2 || !strings.Contains(out, bad+":3") {
		t.Errorf("strict ingest of a bad line: exit %d\n%s", code, out)
	}
	// Eight processes at once, two per content: four new runs.
	var wg sync.WaitGroup
	for i := range 8 {
		f := write(fmt.Sprintf("c%d.txt", i), benchFile(fmt.Sprintf("c%d", i%4), 100))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, out := ingest(token, f); code != 0 {
				t.Errorf("concurrent ingest %d: exit %d\n%s", i, code, out)
			}
		}()
	}
	wg.Wait()
	for path, want := range map[string]int{"/healthz": 200, "/runs": 200, "/runs/1": 200, "/api/v1/runs/1": 200, "/report": 200, "/runs/99": 404} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v, want exit status 0\n%s", err, logs())
	}
	if l := logs(); !strings.Contains(l, `"msg":"request"`) || !strings.Contains(l, `"token":"ci"`) || !strings.Contains(l, `"shutting down"`) {
		t.Errorf("access log:\n%s", l)
	}
	if n := len(mustStored(t, dbFile)); n != 5 {
		t.Errorf("%d runs stored, want 5 (a.txt and four concurrent contents)", n)
	}
}

// mustRunProcOut runs the benchdb binary and returns its standard output;
// standard error may hold notes.
func mustRunProcOut(tb testing.TB, bin, tmp string, args ...string) string {
	tb.Helper()
	cmd := benchdbProc(context.Background(), bin, tmp, args...)
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("benchdb %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// startServe starts benchdb serve --listen 127.0.0.1:0 with args and
// waits for its "serving" line. It returns the process (killed at the
// end of the test unless it exited), its URL, and its standard error so
// far.
func startServe(tb testing.TB, bin, tmp string, args ...string) (cmd *exec.Cmd, url string, logs func() string, wait func() error) {
	tb.Helper()
	cmd = benchdbProc(context.Background(), bin, tmp, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	buf := &syncBuffer{}
	cmd.Stderr = buf // Wait copies all of it
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	wait = func() error {
		<-exited
		return waitErr
	}
	tb.Cleanup(func() {
		cmd.Process.Kill() // if it still runs
		<-exited
	})
	re := regexp.MustCompile(`"url":"(http://[^"]+)"|url=(http://\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return cmd, m[1] + m[2], buf.String, wait
		}
		select {
		case <-exited:
			tb.Fatalf("benchdb serve exited:\n%s", buf.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("benchdb serve did not start:\n%s", buf.String())
		}
		time.Sleep(20 * time.Millisecond)
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
