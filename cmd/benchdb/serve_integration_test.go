//go:build integration

package main

import (
	"context"
	"fmt"
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
