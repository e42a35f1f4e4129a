package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/runner"
)

// whymod is the module the profile tests run: see profdiff/testdata.
func mustWhymodDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "profdiff", "testdata", "whymod"))
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestProfileBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	ctx := context.Background()
	targets := []runner.PprofTarget{
		{Name: "BenchmarkPair/version=old-2", Iters: 20000},
		{Name: "BenchmarkPair/version=new", Iters: 300},
	}
	var seen []string
	got, err := runner.ProfileBenchmarks(ctx, runner.PprofConfig{
		Dir:      mustWhymodDir(t),
		Package:  "example.com/whymod/work",
		Targets:  targets,
		Kinds:    []string{runner.PprofCPU, runner.PprofAlloc},
		Setup:    true,
		Progress: func(_ int, t runner.PprofTarget) { seen = append(seen, t.Name) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []string{targets[0].Name, targets[1].Name}) {
		t.Errorf("Progress saw %q", seen)
	}
	if len(got) != 2 {
		t.Fatalf("got %d profiles, want 2", len(got))
	}
	for i, p := range got {
		if p.Name != targets[i].Name || p.Package != "example.com/whymod/work" {
			t.Errorf("profile %d names %s %s", i, p.Package, p.Name)
		}
		// b.Loop runs exactly the fixed count.
		if p.Iters != targets[i].Iters {
			t.Errorf("%s: Iters %d, want %d", p.Name, p.Iters, targets[i].Iters)
		}
		if p.SetupIters != 1 {
			t.Errorf("%s: SetupIters %d, want 1", p.Name, p.SetupIters)
		}
		for kind, data := range map[string][]byte{"cpu": p.CPU, "alloc": p.Alloc, "setup cpu": p.SetupCPU, "setup alloc": p.SetupAlloc} {
			if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
				t.Errorf("%s: %s profile is not a gzip-compressed pprof file (%d bytes)", p.Name, kind, len(data))
			}
		}
	}

	_, err = runner.ProfileBenchmarks(ctx, runner.PprofConfig{
		Dir: mustWhymodDir(t), Package: "example.com/whymod/work", Kinds: []string{"cpu"},
		Targets: []runner.PprofTarget{{Name: "BenchmarkMissing", Iters: 1}},
	})
	var re *runner.Error
	if !errors.As(err, &re) || re.Kind != runner.BenchmarkFailed || re.Benchmark != "BenchmarkMissing" {
		t.Errorf("profiling a missing benchmark: %v, want a BenchmarkFailed error naming it", err)
	}
}

func TestPprofTargets(t *testing.T) {
	out := []byte("goos: linux\npkg: a\nBenchmarkF-2 \t 100\t 1000 ns/op\t 0 B/op\nBenchmarkF-2 \t 100\t 3000 ns/op\t 0 B/op\n" +
		"BenchmarkG/x=1-2 \t 5\t 2 sec/op\npkg: b\nBenchmarkF-2 \t 1\t 0.5 ns/op\nnot a result\n")
	got := runner.PprofTargets(out, time.Second)
	want := map[string][]runner.PprofTarget{
		"a": {{Name: "BenchmarkF-2", Iters: 500000}, {Name: "BenchmarkG/x=1-2", Iters: 1}},
		"b": {{Name: "BenchmarkF-2", Iters: 1e9}},
	}
	for pkg, w := range want {
		if !slices.Equal(got[pkg], w) {
			t.Errorf("PprofTargets[%s] = %v, want %v", pkg, got[pkg], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("PprofTargets has %d packages, want %d", len(got), len(want))
	}
}

func TestPprof_Stored(t *testing.T) {
	p := &runner.Pprof{Package: "example.com/p", Name: "BenchmarkF/x=1-2", Iters: 500, CPU: []byte("cpu"), Alloc: []byte("alloc"),
		SetupIters: 1, SetupCPU: []byte("setup cpu"), SetupAlloc: []byte("setup alloc")}
	var got []string
	for _, sp := range p.Stored([]string{runner.PprofAlloc, runner.PprofCPU}, "new") {
		got = append(got, fmt.Sprintf("%s %s %s %s setup=%v %d %s", sp.Pkg, sp.Name, sp.Side, sp.Kind, sp.Setup, sp.Iters, sp.Data))
	}
	want := []string{
		"example.com/p F/x=1-2 new alloc setup=false 500 alloc",
		"example.com/p F/x=1-2 new alloc setup=true 1 setup alloc",
		"example.com/p F/x=1-2 new cpu setup=false 500 cpu",
		"example.com/p F/x=1-2 new cpu setup=true 1 setup cpu",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Stored:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
