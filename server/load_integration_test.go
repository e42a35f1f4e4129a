//go:build integration

package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// loadRun returns benchmark output of n results (three units each) whose
// first configuration line makes its content unique.
func loadRun(id string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "upload: %s\ngoos: linux\ngoarch: amd64\npkg: example.com/load\n", id)
	for i := range n {
		fmt.Fprintf(&b, "BenchmarkLoad/case=%d-2 \t 1000\t %d ns/op\t %d B/op\t %d allocs/op\n", i%200, 1000+(i*7919)%613, 64+i%7, i%3)
	}
	return b.String()
}

// serverProc is benchdb serve running as a separate process.
type serverProc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	logs *lockedWriter
}

// mustBuild builds cmd/benchdb and returns the binary.
func mustBuild(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "benchdb")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/benchdb/benchdb/cmd/benchdb")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProc runs benchdb serve with args (which include --listen), its
// temporary files in tmp, and waits until it serves /healthz.
func startProc(tb testing.TB, bin, tmp string, args ...string) *serverProc {
	tb.Helper()
	p := &serverProc{done: make(chan struct{}), logs: &lockedWriter{w: &strings.Builder{}}}
	p.cmd = exec.Command(bin, append([]string{"serve", "--log-format", "json"}, args...)...)
	p.cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	re := regexp.MustCompile(`"url":"(http://[^"]+)"`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := re.FindStringSubmatch(p.logs.String()); m != nil {
			p.url = m[1]
			return p
		}
		select {
		case <-p.done:
			tb.Fatalf("benchdb serve exited:\n%s", p.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("benchdb serve did not start:\n%s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM).
func peakRSS(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		tb.Skip("no VmHWM in /proc/PID/status")
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// TestLoad: 32 uploaders, 25 runs of 2,000 results each, to benchdb serve
// running as a process on a loopback port, over each backend (PostgreSQL
// when BENCHDB_TEST_POSTGRES is set): every run is stored exactly once,
// the server's peak memory stays bounded, and throughput and p99 upload
// latency are logged (go test -tags integration -run Load -v).
func TestLoad(t *testing.T) {
	bin := mustBuild(t)
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) { testLoad(t, bin, be.Addr(t)) })
	}
}

func testLoad(t *testing.T, bin, dbFile string) {
	const uploaders, perUploader, results = 32, 25, 2000
	const maxRSS = 512 << 20
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "tokens")
	token, err := server.AddToken(tokFile, "load")
	if err != nil {
		t.Fatal(err)
	}
	p := startProc(t, bin, dir, "--db", dbFile, "--listen", "127.0.0.1:0", "--token-file", tokFile)

	inputs := make([][]string, uploaders)
	for u := range uploaders {
		for i := range perUploader {
			inputs[u] = append(inputs[u], loadRun(fmt.Sprintf("%d-%d", u, i), results))
		}
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		ids       = map[int64]string{}
		failed    atomic.Int32
		wg        sync.WaitGroup
	)
	start := time.Now()
	for u := range uploaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &server.Client{URL: p.url, Token: token}
			for i, in := range inputs[u] {
				t0 := time.Now()
				up, err := c.Upload(context.Background(), strings.NewReader(in), server.UploadOptions{Name: fmt.Sprintf("u%d-%d", u, i)})
				d := time.Since(t0)
				if err != nil || up.DuplicateOf != nil || up.Results != results {
					t.Errorf("uploader %d run %d: %v %+v", u, i, err, up)
					failed.Add(1)
					continue
				}
				mu.Lock()
				latencies = append(latencies, d)
				if prev, dup := ids[up.ID]; dup {
					t.Errorf("run %d given to %s and u%d-%d", up.ID, prev, u, i)
				}
				ids[up.ID] = fmt.Sprintf("u%d-%d", u, i)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	rss := peakRSS(t, p.cmd.Process.Pid)

	// Every run again: each is answered with the stored run.
	c := &server.Client{URL: p.url, Token: token}
	for u := 0; u < uploaders; u += 4 {
		up, err := c.Upload(context.Background(), strings.NewReader(inputs[u][0]), server.UploadOptions{})
		if err != nil || up.DuplicateOf == nil {
			t.Errorf("re-upload of u%d-0: %v %+v, want the stored run", u, err, up)
		}
	}

	db, err := store.Open(context.Background(), dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != uploaders*perUploader {
		t.Errorf("%d runs stored, want %d", len(runs), uploaders*perUploader)
	}
	for _, r := range runs {
		if r.Results != results {
			t.Errorf("run %d holds %d results, want %d", r.ID, r.Results, results)
		}
	}
	slices.Sort(latencies)
	q := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	n := len(latencies)
	t.Logf("%d uploads of %d results (%d KiB of text each) by %d uploaders in %s: %.1f uploads/s, %.0f results/s",
		n, results, len(inputs[0][0])>>10, uploaders, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), float64(n*results)/elapsed.Seconds())
	t.Logf("upload latency: p50 %s, p90 %s, p99 %s, max %s; server peak RSS %d MiB",
		q(0.5).Round(time.Millisecond), q(0.9).Round(time.Millisecond), q(0.99).Round(time.Millisecond), latencies[n-1].Round(time.Millisecond), rss>>20)
	if rss > maxRSS {
		t.Errorf("server peak RSS %d MiB, want at most %d MiB", rss>>20, maxRSS>>20)
	}
}

// TestKill_MidUpload kills the server (a separate process) with SIGKILL
// while it reads an upload, over each backend (PostgreSQL when
// BENCHDB_TEST_POSTGRES is set): the store stays intact, and the client's
// retries complete the upload once the server is back.
func TestKill_MidUpload(t *testing.T) {
	bin := mustBuild(t)
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) { testKillMidUpload(t, bin, be.Addr(t)) })
	}
}

// storedRuns returns the number of runs in the store at addr, checking
// that each holds the results it should (500, or big for the big run):
// whole, never partly stored. On SQLite it also runs integrity_check.
func storedRuns(t *testing.T, addr string, big int) int {
	t.Helper()
	ctx := context.Background()
	if !store.IsPostgres(addr) {
		raw, err := sql.Open("sqlite3", "file:"+addr+"?_busy_timeout=60000")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var check string
		if err := raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check: %q %v", check, err)
		}
	}
	db, err := store.OpenReadOnly(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		want := 500
		if r.Source == "big.txt" {
			want = big
		}
		var n int
		if err := db.Results(ctx, []int64{r.ID}, func(int64, *benchfmt.Result) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if r.Results != want || n != want {
			t.Fatalf("run %d (%s): %d results, %d stored; want %d", r.ID, r.Source, r.Results, n, want)
		}
	}
	return len(runs)
}

func testKillMidUpload(t *testing.T, bin, dbFile string) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	os.Mkdir(tmp, 0o755)
	tokFile := filepath.Join(dir, "tokens")
	token, _ := server.AddToken(tokFile, "ci")
	// A fixed port, so that the restarted server is where the client
	// retries.
	p := startProc(t, bin, tmp, "--db", dbFile, "--listen", "127.0.0.1:0", "--token-file", tokFile)
	addr := strings.TrimPrefix(p.url, "http://")

	c := &server.Client{URL: p.url, Token: token, Backoff: 100 * time.Millisecond, MaxBackoff: time.Second, Attempts: 100}
	var retries atomic.Int32
	c.Logf = func(f string, a ...any) { retries.Add(1); t.Logf(f, a...) }
	// Runs stored before the kill must survive it.
	for i := range 3 {
		if _, err := c.Upload(context.Background(), strings.NewReader(loadRun(fmt.Sprintf("before-%d", i), 500)), server.UploadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	const big = 400_000
	type result struct {
		up  *server.UploadJSON
		err error
	}
	res := make(chan result, 1)
	go func() {
		up, err := c.Upload(context.Background(), strings.NewReader(loadRun("big", big)), server.UploadOptions{Name: "big.txt"})
		res <- result{up, err}
	}()
	// The server spools an upload to a temporary file while it reads it:
	// once the server holds that file open, the upload is in flight. The
	// file is unlinked as soon as it is created, so look for it among
	// the server's open files.
	spooling := func() bool {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid))
		for _, fd := range fds {
			target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", p.cmd.Process.Pid, fd.Name()))
			if strings.Contains(target, "benchdb-ingest-") {
				return true
			}
		}
		m, _ := filepath.Glob(filepath.Join(tmp, "benchdb-ingest-*"))
		return len(m) > 0
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if spooling() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never started reading the upload")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	t.Logf("killed the server mid-upload")

	n := storedRuns(t, dbFile, big)
	if n != 3 && n != 4 {
		t.Fatalf("%d runs after SIGKILL, want the 3 earlier ones (and the big one if it committed)", n)
	}

	startProc(t, bin, tmp, "--db", dbFile, "--listen", addr, "--token-file", tokFile)
	r := <-res
	if r.err != nil {
		t.Fatalf("upload after restart: %v", r.err)
	}
	if r.up.Results != big || retries.Load() == 0 {
		t.Errorf("upload: %+v after %d retries; want %d results after at least one retry", r.up, retries.Load(), big)
	}
	if n := storedRuns(t, dbFile, big); n != 4 {
		t.Errorf("%d runs stored, want 4 (3 before, the big one once)", n)
	}
}
