package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/benchdb/benchdb/runner"
)

// fixture is the module of small benchmark packages the tests run.
const fixture = "example.com/fixture"

// MustFixtureDir returns the absolute path of the fixture module.
func MustFixtureDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "mod"))
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// resultNames returns the names, without the -GOMAXPROCS suffix, of the
// result lines in out, in order.
func resultNames(out []byte) []string {
	var names []string
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		names = append(names, name)
	}
	return names
}

// passNames are the leaf benchmarks of the fixture's pass package.
var passNames = []string{
	"BenchmarkLeaf",
	"BenchmarkPick/profile=old/pool=1",
	"BenchmarkPick/profile=old/pool=8",
	"BenchmarkPick/profile=old-fixed/pool=1",
	"BenchmarkPick/profile=old-fixed/pool=8",
	"BenchmarkPick/profile=new/pool=1",
	"BenchmarkPick/profile=new/pool=8",
	"BenchmarkPick/variant=floor",
}

func TestRun_Pass(t *testing.T) {
	var progress []runner.Progress
	var passed bytes.Buffer
	res, err := runner.Run(t.Context(), runner.Config{
		Dir:       MustFixtureDir(t),
		Packages:  []string{fixture + "/pass"},
		Count:     2,
		Benchtime: "10x",
		Expected:  2 * len(passNames),
		Output:    &passed,
		Progress:  func(p runner.Progress) { progress = append(progress, p) },
		Tick:      -1,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Complete {
		t.Errorf("Complete = false, want true")
	}
	want := make([]string, 0, 2*len(passNames))
	for _, n := range passNames {
		want = append(want, n, n) // -count 2 runs each leaf twice in a row
	}
	if got := resultNames(res.Output); !slices.Equal(got, want) {
		t.Errorf("result names:\n got %q\nwant %q", got, want)
	}
	if res.Results != len(want) {
		t.Errorf("Results = %d, want %d", res.Results, len(want))
	}
	out := string(res.Output)
	for _, s := range []string{"pkg: example.com/fixture/pass\n", "goos: ", "widgets/op", "B/op", "allocs/op"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "=== RUN") {
		t.Errorf("output keeps test2json framing lines:\n%s", out)
	}
	if passed.String() != out {
		t.Errorf("Output writer got:\n%s\nwant the result's output:\n%s", passed.String(), out)
	}
	wantPkgs := []runner.Package{{Path: fixture + "/pass", Status: "pass", Results: len(want)}}
	if !slices.Equal(res.Packages, wantPkgs) {
		t.Errorf("Packages = %+v, want %+v", res.Packages, wantPkgs)
	}

	var results []runner.Progress
	started := map[string]bool{}
	for _, p := range progress {
		switch p.Event {
		case "result":
			results = append(results, p)
		case "start":
			started[p.Benchmark] = true
		}
		if p.Total != len(want) {
			t.Errorf("progress Total = %d, want %d", p.Total, len(want))
		}
	}
	if len(results) != len(want) {
		t.Fatalf("%d result events, want %d", len(results), len(want))
	}
	for i, p := range results {
		if p.Done != i+1 {
			t.Errorf("result event %d: Done = %d, want %d", i, p.Done, i+1)
		}
		if got := strings.TrimSuffix(p.Benchmark, "-"+strconv.Itoa(gomaxprocs(p.Benchmark))); got != want[i] {
			t.Errorf("result event %d: Benchmark = %q, want %q", i, p.Benchmark, want[i])
		}
	}
	for _, n := range append([]string{"BenchmarkPick"}, passNames...) {
		if !started[n] {
			t.Errorf("no start event for %s", n)
		}
	}
	if last := results[len(results)-1]; last.Left != 0 {
		t.Errorf("Left after the last result = %v, want 0", last.Left)
	}
}

// gomaxprocs returns the -N suffix of a result name, or -1.
func gomaxprocs(name string) int {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return -1
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil {
		return -1
	}
	return n
}

// TestRun_Select checks Matches and SkipValues against what go test really
// runs: the case marked run through Run (so that Bench and Skip reach go
// test), the others through the fixture's test binary, built once, with
// the same -test.bench and -test.skip (a go test each cost a build and
// link of the fixture, a third of the package's time).
func TestRun_Select(t *testing.T) {
	tests := []struct {
		name        string
		bench, skip string
		want        []string
		run         bool // through Run, rather than the built binary
	}{
		{name: "all", bench: ".", want: passNames},
		{
			name:  "keep one profile",
			run:   true,
			bench: ".",
			skip:  runner.SkipValues("profile", []string{"old-fixed", "new"}, []int{2}),
			want: []string{"BenchmarkLeaf", "BenchmarkPick/profile=old/pool=1",
				"BenchmarkPick/profile=old/pool=8", "BenchmarkPick/variant=floor"},
		},
		{
			name:  "profile levels anywhere",
			bench: "Pick",
			skip:  runner.SkipValues("profile", []string{"old", "new"}, []int{3, 2}),
			want: []string{"BenchmarkPick/profile=old-fixed/pool=1",
				"BenchmarkPick/profile=old-fixed/pool=8", "BenchmarkPick/variant=floor"},
		},
		{
			name:  "two levels and alternation",
			bench: "Pick/profile=new|Leaf",
			want:  []string{"BenchmarkLeaf", "BenchmarkPick/profile=new/pool=1", "BenchmarkPick/profile=new/pool=8"},
		},
		{
			name:  "deeper pattern than a leaf",
			bench: "Leaf/x|Pick/variant/y",
			want:  nil,
		},
		{
			name:  "skip a pool",
			bench: "Pick",
			skip:  "//pool=8",
			want: []string{"BenchmarkPick/profile=old/pool=1", "BenchmarkPick/profile=old-fixed/pool=1",
				"BenchmarkPick/profile=new/pool=1", "BenchmarkPick/variant=floor"},
		},
	}
	dir := MustFixtureDir(t)
	bin := mustTestBinary(t, dir, "./pass")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits mostly for go test or the binary to start
			var predicted []string
			for _, n := range passNames {
				ok, err := runner.Matches(tt.bench, tt.skip, n)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					predicted = append(predicted, n)
				}
			}
			if !slices.Equal(predicted, tt.want) {
				t.Errorf("Matches selects %q, want %q", predicted, tt.want)
			}
			var out []byte
			if tt.run {
				res, err := runner.Run(t.Context(), runner.Config{
					Dir: dir, Packages: []string{fixture + "/pass"}, Bench: tt.bench, Skip: tt.skip, Benchtime: "1x",
				})
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				out = res.Output
			} else {
				cmd := exec.CommandContext(t.Context(), bin, "-test.run", "^$", "-test.bench", tt.bench, "-test.skip", tt.skip, "-test.benchtime", "1x")
				cmd.Dir = filepath.Join(dir, "pass")
				var err error
				if out, err = cmd.Output(); err != nil {
					t.Fatalf("%s: %v\n%s", cmd, err, out)
				}
			}
			if got := resultNames(out); !slices.Equal(got, tt.want) {
				t.Errorf("go test -bench %q -skip %q ran %q, want %q", tt.bench, tt.skip, got, tt.want)
			}
		})
	}
}

// mustTestBinary builds the test binary of the package pkg of the module
// in dir (go test -c) under tb.TempDir(), and returns its path.
func mustTestBinary(tb testing.TB, dir, pkg string) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "pkg.test")
	cmd := exec.CommandContext(context.Background(), "go", "test", "-c", "-o", bin, pkg)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go test -c %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func TestRun_Failures(t *testing.T) {
	tests := []struct {
		name       string
		pkgs       []string
		kind       runner.Kind
		pkg, bench string
		detail     string   // Error.Detail contains it
		kept       []string // results kept for a partial run
		status     []string // package statuses
	}{
		{
			name:   "build failure",
			pkgs:   []string{"buildfail"},
			kind:   runner.BuildFailed,
			pkg:    fixture + "/buildfail",
			detail: `cannot use "not a number"`,
			status: []string{"build-failed"},
		},
		{
			name:  "panic",
			pkgs:  []string{"panics"},
			kind:  runner.BenchmarkFailed,
			pkg:   fixture + "/panics",
			bench: "BenchmarkB",
			// The panic message is lost when the test binary exits
			// first (see classifyLine), so no detail is required.
			kept:   []string{"BenchmarkA"},
			status: []string{"fail"},
		},
		{
			name:   "b.Fatal",
			pkgs:   []string{"fails"},
			kind:   runner.BenchmarkFailed,
			pkg:    fixture + "/fails",
			bench:  "BenchmarkB",
			detail: "fixture failure in BenchmarkB",
			kept:   []string{"BenchmarkA", "BenchmarkC"},
			status: []string{"fail"},
		},
		{
			name:   "a good package beside a broken one",
			pkgs:   []string{"buildfail", "pass"},
			kind:   runner.BuildFailed,
			pkg:    fixture + "/buildfail",
			detail: "cannot use",
			kept:   passNames,
			status: []string{"build-failed", "pass"},
		},
		{
			name:   "no such package",
			pkgs:   []string{"nosuch"},
			kind:   runner.BuildFailed,
			pkg:    fixture + "/nosuch",
			detail: "nosuch",
			status: []string{"build-failed"},
		},
	}
	dir := MustFixtureDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var pkgs []string
			for _, p := range tt.pkgs {
				pkgs = append(pkgs, fixture+"/"+p)
			}
			res, err := runner.Run(t.Context(), runner.Config{Dir: dir, Packages: pkgs, Benchtime: "1x"})
			var re *runner.Error
			if !errors.As(err, &re) {
				t.Fatalf("Run error = %v, want a *runner.Error", err)
			}
			if re.Kind != tt.kind || re.Package != tt.pkg || re.Benchmark != tt.bench {
				t.Errorf("error kind %d package %q benchmark %q, want %d %q %q",
					re.Kind, re.Package, re.Benchmark, tt.kind, tt.pkg, tt.bench)
			}
			if !strings.Contains(re.Detail, tt.detail) || !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q: Detail %q lacks %q", err, re.Detail, tt.detail)
			}
			if res.Complete {
				t.Errorf("Complete = true after %v", err)
			}
			if got := resultNames(res.Output); !slices.Equal(got, tt.kept) {
				t.Errorf("kept results %q, want %q", got, tt.kept)
			}
			if res.Results != len(tt.kept) {
				t.Errorf("Results = %d, want %d", res.Results, len(tt.kept))
			}
			if strings.Contains(string(res.Output), "panic:") || strings.Contains(string(res.Output), "FAIL") {
				t.Errorf("kept output holds the failure:\n%s", res.Output)
			}
			var status []string
			for _, p := range res.Packages {
				status = append(status, p.Status)
			}
			if !slices.Equal(status, tt.status) {
				t.Errorf("package statuses %q, want %q", status, tt.status)
			}
		})
	}
}

// waitGone waits up to a few seconds for the process pid to be gone.
func waitGone(tb testing.TB, pid int) {
	tb.Helper()
	for range 100 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Errorf("process %d still runs after the run stopped", pid)
	syscall.Kill(pid, syscall.SIGKILL)
}

func TestRun_Stop(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		cancel  bool // cancel the context once BenchmarkHang starts
		kind    runner.Kind
		err     error
	}{
		// The interrupt runs first, so that the timeout does not
		// include compiling the fixture; it still includes linking it
		// and BenchmarkA, which take what the machine's load makes them
		// take: the timeout is 5s more than twice what the interrupted
		// run took to reach BenchmarkHang, so that it expires in
		// BenchmarkHang on a busy machine too.
		{"interrupt", 0, true, runner.Interrupted, context.Canceled},
		{"timeout", 5 * time.Second, false, runner.TimedOut, context.DeadlineExceeded},
	}
	var reached time.Duration // how long the interrupted run took to reach BenchmarkHang
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.timeout > 0 && !integrationTier {
				t.Skip("waits out a timeout that follows the machine's load: run with -tags integration")
			}
			if tt.timeout > 0 {
				tt.timeout += 2 * reached
			}
			pidFile := filepath.Join(t.TempDir(), "pid")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			start := time.Now()
			res, err := runner.Run(ctx, runner.Config{
				Dir:       MustFixtureDir(t),
				Packages:  []string{fixture + "/hang"},
				Benchtime: "1x",
				Timeout:   tt.timeout,
				Env:       []string{"FIXTURE_PIDFILE=" + pidFile},
				Progress: func(p runner.Progress) {
					if tt.cancel && p.Event == "start" && p.Benchmark == "BenchmarkHang" {
						reached = time.Since(start)
						cancel()
					}
				},
			})
			if time.Since(start) > time.Minute {
				t.Errorf("Run returned after %v", time.Since(start))
			}
			var re *runner.Error
			if !errors.As(err, &re) || re.Kind != tt.kind {
				t.Fatalf("Run error = %v, want kind %d", err, tt.kind)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
			if re.Package != fixture+"/hang" || re.Benchmark != "BenchmarkHang" {
				t.Errorf("error names %q %q, want the hanging benchmark", re.Package, re.Benchmark)
			}
			if res.Complete {
				t.Error("Complete = true")
			}
			if got := resultNames(res.Output); !slices.Equal(got, []string{"BenchmarkA"}) {
				t.Errorf("kept results %q, want [BenchmarkA]", got)
			}
			b, readErr := os.ReadFile(pidFile)
			if readErr != nil {
				t.Fatalf("the fixture did not record its pid: %v", readErr)
			}
			pid, _ := strconv.Atoi(string(b))
			waitGone(t, pid)
		})
	}
}

func TestRun_NoPackages(t *testing.T) {
	if _, err := runner.Run(t.Context(), runner.Config{}); err == nil {
		t.Error("Run with no packages: nil error")
	}
}

// TestRun_LongLines runs benchmarks that print log lines longer than the
// store takes, and binary bytes: the run is complete, every result is
// kept, and the long lines are cut with a warning.
func TestRun_LongLines(t *testing.T) {
	res, err := runner.Run(t.Context(), runner.Config{
		Dir:       MustFixtureDir(t),
		Packages:  []string{fixture + "/longline"},
		Count:     2,
		Benchtime: "10x",
		Tick:      -1,
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{"BenchmarkLong", "BenchmarkLong", "BenchmarkPieces", "BenchmarkPieces", "BenchmarkBinary", "BenchmarkBinary"}
	if got := resultNames(res.Output); !slices.Equal(got, want) || res.Results != len(want) {
		t.Errorf("results %q (%d), want %q", got, res.Results, want)
	}
	cut := 0
	for line := range strings.Lines(string(res.Output)) {
		body := strings.TrimSuffix(line, "\n")
		if len(body) > runner.MaxLineBytes {
			t.Errorf("output line of %d bytes, want at most %d", len(body), runner.MaxLineBytes)
		}
		if !utf8.ValidString(body) || strings.Contains(body, "\x00") {
			t.Errorf("output line %q is not text", body)
		}
		if strings.HasSuffix(body, " bytes cut]") {
			cut++
			if len(body) != runner.MaxLineBytes {
				t.Errorf("cut line of %d bytes, want %d", len(body), runner.MaxLineBytes)
			}
		}
	}
	if cut != 4 {
		t.Errorf("%d cut lines, want 4 (two benchmarks, two runs)", cut)
	}
	if len(res.Warnings) != 4 || !strings.Contains(res.Warnings[0], "BenchmarkLong: log line of 102405 bytes cut to 65535") {
		t.Errorf("warnings %q, want four naming the benchmarks", res.Warnings)
	}
	if !strings.Contains(string(res.Output), "bytes: \uFFFD\uFFFD\uFFFD end") {
		t.Errorf("binary log line not replaced by U+FFFD:\n%s", res.Output)
	}
}
