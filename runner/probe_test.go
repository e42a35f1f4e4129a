package runner_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/runner"
)

// probeResults parses benchmark-format text and returns, for each result
// of the probe's package, its full name, and the number of results of
// other packages.
func probeResults(t *testing.T, text []byte) (probe []string, other int) {
	t.Helper()
	r := benchfmt.NewReader(bytes.NewReader(text), "probe")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		if res.GetConfig("pkg") != runner.ProbePackage {
			other++
			continue
		}
		_, isPkg := runner.StretchPackage(string(res.Name.Full()))
		_, _, isBench := runner.StretchBenchmark(string(res.Name.Full()))
		if isPkg || isBench {
			if len(res.Values) != 1 || res.Values[0].Unit != runner.StretchUnit || !(res.Values[0].Value >= 1) {
				t.Errorf("stretch result %s: values %+v, want one stretch of at least 1", res.Name, res.Values)
			}
		} else if len(res.Values) != 1 || res.Values[0].Unit != "sec/op" || !(res.Values[0].Value > 0) {
			t.Errorf("probe result %s: values %+v, want one positive sec/op", res.Name, res.Values)
		}
		probe = append(probe, res.Name.String())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return probe, other
}

func TestProbe(t *testing.T) {
	var buf bytes.Buffer
	if err := runner.Probe(context.Background(), &buf, runner.ProbeConfig{Count: 3, Duration: 2 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	names, other := probeResults(t, buf.Bytes())
	want := "Probe/kind=cpu Probe/kind=cpu Probe/kind=cpu Probe/kind=mem Probe/kind=mem Probe/kind=mem"
	if got := strings.Join(names, " "); got != want || other != 0 {
		t.Errorf("probe results %q (and %d others), want %q", got, other, want)
	}
}

func TestProbe_Cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := runner.Probe(ctx, &buf, runner.ProbeConfig{}); err != context.Canceled {
		t.Errorf("Probe with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestRunProbed(t *testing.T) {
	res, n, err := runner.RunProbed(t.Context(), runner.Config{
		Dir: MustFixtureDir(t), Packages: []string{fixture + "/pass"}, Benchtime: "1x",
	}, runner.ProbeConfig{Count: 2, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	names, other := probeResults(t, res.Output)
	// Two samples of each kind before the run and two after, and the
	// package's stretch and its benchmarks' when its binary lived long
	// enough to be sampled.
	want := 8
	for pkg, st := range res.Stretch {
		want += len(st)
		for _, bs := range res.BenchStretch[pkg] {
			want += len(bs)
		}
	}
	if n != want || len(names) != n {
		t.Errorf("RunProbed counted %d probe results, output holds %d (%q), want %d", n, len(names), names, want)
	}
	if other != res.Results || other == 0 {
		t.Errorf("output holds %d other results, Results = %d", other, res.Results)
	}
}

// TestRunProbed_stretch: a package whose benchmarks run for a while has
// its stretch measured and written under the probe's package.
func TestRunProbed_stretch(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the scheduler's per-thread statistics are Linux's")
	}
	pkg := fixture + "/pass"
	res, n, err := runner.RunProbed(t.Context(), runner.Config{
		Dir: MustFixtureDir(t), Packages: []string{pkg}, Bench: "Leaf", Benchtime: "400ms",
	}, runner.ProbeConfig{Count: 1, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sts, ok := res.Stretch[pkg]
	if len(res.Stretch) != 1 || !ok || len(sts) != 1 || !(sts[0] >= 1) || sts[0] > 1000 {
		t.Fatalf("Stretch = %v, want one for %s of at least 1", res.Stretch, pkg)
	}
	want := strings.TrimPrefix(runner.StretchName(pkg), "Benchmark")
	names, _ := probeResults(t, res.Output)
	if n != len(names) || len(names) < 6 || names[4] != want {
		t.Fatalf("probe results %q (%d counted), want four samples, %s and its benchmarks'", names, n, want)
	}
	// Each benchmark's stretch: of benchmarks that ran (Leaf's), of at
	// least 1, one per benchmark.
	bs := res.BenchStretch[pkg]
	if len(bs) == 0 || len(names) != 5+len(bs) {
		t.Fatalf("BenchStretch = %v, names %q: want one result per benchmark", res.BenchStretch, names)
	}
	for _, name := range names[5:] {
		p, bench, ok := runner.StretchBenchmark(name)
		if st := bs["Benchmark"+bench]; !ok || p != pkg || !strings.HasPrefix(bench, "Leaf") || len(st) != 1 || !(st[0] >= 1) {
			t.Errorf("per-benchmark stretch %q = %q, %q, %v (stretch %v), want Leaf's in %s", name, p, bench, ok, bs["Benchmark"+bench], pkg)
		}
	}
}

func TestStretchBenchName(t *testing.T) {
	for _, tc := range []struct{ pkg, bench string }{
		{"strings", "BenchmarkIndex"},
		{"github.com/benchdb/benchdb/suites/receive", "BenchmarkReceive/mode=scan/depth=1000"},
		{"example.com/a", "BenchmarkOdd/100%/a%2Fb"},
	} {
		name := runner.StretchBenchName(tc.pkg, tc.bench)
		if strings.Count(name, "/") != 3 {
			t.Errorf("StretchBenchName(%q, %q) = %q: want one level per slash of the probe's own", tc.pkg, tc.bench, name)
		}
		pkg, bench, ok := runner.StretchBenchmark(name)
		if !ok || pkg != tc.pkg || "Benchmark"+bench != tc.bench {
			t.Errorf("StretchBenchmark(%q) = %q, %q, %v; want %q, %q", name, pkg, bench, ok, tc.pkg, tc.bench)
		}
		if _, ok := runner.StretchPackage(name); ok {
			t.Errorf("StretchPackage(%q) takes a benchmark's stretch for a package's", name)
		}
	}
	for _, name := range []string{runner.StretchName("strings"), "BenchmarkProbe/kind=stretch/pkg=a/bench=", "BenchmarkProbe/kind=stretch/pkg=/bench=X", "BenchmarkProbe/kind=stretch/pkg=a/bench=X/y"} {
		if p, b, ok := runner.StretchBenchmark(name); ok {
			t.Errorf("StretchBenchmark(%q) = %q, %q: want not a benchmark's stretch", name, p, b)
		}
	}
}

func TestStretchName(t *testing.T) {
	for _, pkg := range []string{"strings", "github.com/benchdb/benchdb/suites/receive", "example.com/a.b/c-d"} {
		name := runner.StretchName(pkg)
		if got, ok := runner.StretchPackage(name); !ok || got != pkg {
			t.Errorf("StretchPackage(%q) = %q, %v; want %q", name, got, ok, pkg)
		}
		if got, ok := runner.StretchPackage(strings.TrimPrefix(name, "Benchmark")); !ok || got != pkg {
			t.Errorf("StretchPackage without the prefix = %q, %v", got, ok)
		}
	}
	for _, name := range []string{"BenchmarkProbe/kind=cpu", "BenchmarkProbe/kind=stretch/pkg=", "BenchmarkProbe/kind=stretch/pkg=a/b", "BenchmarkX/kind=stretch/pkg=a"} {
		if got, ok := runner.StretchPackage(name); ok {
			t.Errorf("StretchPackage(%q) = %q, want not a stretch", name, got)
		}
	}
}

// TestTaskClock: the clock of a process that works reads its run time, and
// its stretch is at least 1.
func TestTaskClock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the scheduler's per-thread statistics are Linux's")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := runner.NewTaskClock(os.Getpid())
	if err := c.Sample(); err != nil {
		t.Fatal(err)
	}
	run0, _ := c.Totals()
	x := uint64(1)
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x = x*6364136223846793005 + 1
	}
	if err := c.Sample(); err != nil {
		t.Fatal(err)
	}
	run, wait := c.Totals()
	if run <= run0 || wait < 0 || !(c.Stretch() >= 1) {
		t.Errorf("run %v -> %v, wait %v, stretch %v (x %d)", run0, run, wait, c.Stretch(), x)
	}
	// The busiest thread between the two samples is the one that spun
	// (locked to it): runnable all along, it ran or waited for most of
	// the 50 ms, whatever the load, and it ran most of what all threads
	// ran.
	br, bw := c.Busiest()
	if br+bw < 25*time.Millisecond || 2*br < run-run0 || br > run-run0 {
		t.Errorf("busiest thread ran %v and waited %v of the 50 ms spin (all threads ran %v)", br, bw, run-run0)
	}
	if err := runner.NewTaskClock(1 << 30).Sample(); err == nil {
		t.Error("Sample of a process that does not exist: no error")
	}
}

// TestRunProbed_processes: with Processes, the repetitions of each
// benchmark are split among that many test processes, run in rounds;
// progress counts across them; each package's stretch is recorded once
// per process.
func TestRunProbed_processes(t *testing.T) {
	pkg := fixture + "/procs"
	var progress []runner.Progress
	res, _, err := runner.RunProbed(t.Context(), runner.Config{
		Dir: MustFixtureDir(t), Packages: []string{pkg}, Bench: "PID", Benchtime: "150ms",
		Count: 3, Processes: 2, Expected: 3, Tick: -1,
		Progress: func(p runner.Progress) { progress = append(progress, p) },
	}, runner.ProbeConfig{Count: 1, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete || res.Results != 3 || len(res.Packages) != 1 || res.Packages[0].Results != 3 || res.Packages[0].Status != "pass" {
		t.Fatalf("Result: complete %v, %d results, packages %+v; want 3 results of one package that passed", res.Complete, res.Results, res.Packages)
	}
	// The pid metric says which process each repetition ran in: 2 and
	// 1 of them in two processes.
	perPID := map[float64]int{}
	r := benchfmt.NewReader(bytes.NewReader(res.Output), "run")
	for r.Scan() {
		if rs, ok := r.Result().(*benchfmt.Result); ok && rs.Config[0].Key == "goos" && string(rs.Name.Base()) == "PID" {
			if v, ok := rs.Value("pid"); ok {
				perPID[v]++
			}
		}
	}
	counts := slices.Sorted(maps.Values(perPID))
	if !slices.Equal(counts, []int{1, 2}) {
		t.Errorf("repetitions per process %v (%v), want 1 and 2", counts, perPID)
	}
	done := 0
	for _, p := range progress {
		if p.Done < done || p.Total != 3 {
			t.Fatalf("progress %+v after %d done: want Done never to go back and Total 3", p, done)
		}
		done = p.Done
	}
	if done != 3 {
		t.Errorf("progress ended at %d done, want 3", done)
	}
	if runtime.GOOS == "linux" {
		if st := res.Stretch[pkg]; len(st) != 2 {
			t.Errorf("Stretch[%s] = %v, want one per process", pkg, st)
		}
	}
	// More processes than repetitions is a mistake, not silently fewer.
	if _, err := runner.Run(t.Context(), runner.Config{Dir: MustFixtureDir(t), Packages: []string{pkg}, Count: 2, Processes: 3}); err == nil || !strings.Contains(err.Error(), "3 processes for -count 2") {
		t.Errorf("Processes 3, Count 2: error %v, want one naming both", err)
	}
}
