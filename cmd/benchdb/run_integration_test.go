//go:build integration

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/runner"
)

func TestRun_TwoRunsThenCompare(t *testing.T) {
	dir := mustFixtureDir(t)
	db := filepath.Join(t.TempDir(), "b.sqlite")
	args := []string{"run", "--db", db, "--dir", dir, "--benchtime", "100x", "--count", "4", fixturePkg + "pass"}
	mustRunCLI(t, args...)
	code, _, stderr := runCLI(t, nil, args...)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	// The second run knows its total from the first.
	if !strings.Contains(stderr, "[32/32] ") {
		t.Errorf("second run's progress lacks the total [32/32]:\n%s", stderr)
	}
	out := mustRunCLI(t, "compare", "--db", db, "latest~1", "latest")
	for _, s := range []string{"latest~1", "latest", "Leaf-", "Pick/profile=new/pool=8-", "geomean", "sec/op", "widgets/op"} {
		if !strings.Contains(out, s) {
			t.Errorf("compare output lacks %q:\n%s", s, out)
		}
	}
	runs := mustStored(t, db)
	if len(runs) != 2 || len(runs[0].names) != 32 || len(runs[1].names) != 32 {
		t.Fatalf("stored %d runs, want 2 of 32 results", len(runs))
	}
}

func TestRun_BuiltinProfile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.sqlite")
	code, stdout, stderr := runCLI(t, nil, "run", "--db", db, "--dir", filepath.Join("..", ".."),
		"--suite", "selection", "--profile", "roundrobin", "--profile", "elixir-1.6.3",
		"--bench", "Select///depth=(0|1000)$", "--benchtime", "1x", "--count", "2")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	runs := mustStored(t, db)
	if len(runs) != 1 {
		t.Fatalf("%d runs stored, want 1", len(runs))
	}
	// 2 profiles x 2 pools x 2 depths x 2 counts.
	if got := len(runs[0].names); got != 16 {
		t.Errorf("%d results stored, want 16: %q", got, runs[0].names)
	}
	for _, n := range runs[0].names {
		if !strings.Contains(n, "/profile=roundrobin/") && !strings.Contains(n, "/profile=elixir-1.6.3/") {
			t.Errorf("result %s is of a profile not asked for", n)
		}
	}
	if !strings.Contains(stderr, "[16/16] ") {
		t.Errorf("progress lacks the total from the registry, [16/16]:\n%s", stderr)
	}
	for _, s := range []string{"stored run 1: 16 results", "profiles compared", "elixir-1.6.3", "roundrobin", "vs base", "sec/op"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if i, j := strings.Index(stdout, "elixir-1.6.3"), strings.Index(stdout, "roundrobin"); i > j {
		t.Errorf("profiles not in the registry's order (elixir-1.6.3 first):\n%s", stdout)
	}
}

// TestRun_Interrupt cancels the run's context (as Ctrl+C does) once the
// fixture's hanging benchmark runs.
func TestRun_Interrupt(t *testing.T) {
	tests := []struct {
		name    string
		partial bool
	}{
		{"nothing stored", false},
		{"partial", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "b.sqlite")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			stderr := &cancelWriter{want: "[1 done] BenchmarkA-", cancel: cancel}
			var stdout bytes.Buffer
			args := []string{"benchdb", "run", "--db", db, "--dir", mustFixtureDir(t), "--benchtime", "10x", "--count", "1"}
			if tt.partial {
				args = append(args, "--partial")
			}
			code := run(ctx, append(args, fixturePkg+"hang"), &stdout, stderr)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s", code, stderr)
			}
			if !strings.Contains(stderr.String(), "interrupted: example.com/fixture/hang Benchmark") {
				t.Errorf("stderr lacks the interrupt:\n%s", stderr)
			}
			runs := mustStored(t, db)
			if !tt.partial {
				if len(runs) != 0 {
					t.Errorf("%d runs stored after an interrupt, want none", len(runs))
				}
				return
			}
			if len(runs) != 1 || runs[0].Labels[runner.LabelPartial] != "true" ||
				!slices.Equal(runs[0].names, []string{"A-" + gomaxprocsSuffix()}) {
				t.Fatalf("stored %+v, want one partial run with BenchmarkA", runs)
			}
		})
	}
}

// TestRun_FixtureFailures runs the fixture's failing packages: a build
// failure, a panic and b.Fatal (nothing stored without --partial), a
// timeout, and log lines longer than the store takes.
func TestRun_FixtureFailures(t *testing.T) {
	dir := mustFixtureDir(t)
	tests := []runFixtureCase{
		{
			name:   "no match",
			args:   []string{"--bench", "NoSuchBenchmark", fixturePkg + "pass"},
			code:   2,
			stderr: []string{`no benchmark results: -bench "NoSuchBenchmark" matched nothing in example.com/fixture/pass`},
		},
		{
			name:   "build failure",
			args:   []string{fixturePkg + "buildfail", fixturePkg + "pass"},
			code:   2,
			stderr: []string{"build failed: example.com/fixture/buildfail", `cannot use "not a number"`, "nothing stored (with --partial, the 8 results"},
		},
		{
			name:   "panic",
			args:   []string{fixturePkg + "panics"},
			code:   2,
			stderr: []string{"benchmark failed: example.com/fixture/panics BenchmarkB: ", "nothing stored"},
		},
		{
			name:   "b.Fatal",
			args:   []string{fixturePkg + "fails"},
			code:   2,
			stderr: []string{"benchmark failed: example.com/fixture/fails BenchmarkB", "fixture failure in BenchmarkB", "nothing stored"},
		},
		{
			name:   "timeout",
			args:   []string{"--timeout", "8s", fixturePkg + "hang"},
			code:   2,
			stderr: []string{"timed out: example.com/fixture/hang BenchmarkHang: after 8s", "nothing stored (with --partial, the 1 result that"},
		},
		{
			name:    "long log lines",
			args:    []string{fixturePkg + "longline"},
			stdout:  []string{"stored run 1: 3 results from 1 package"},
			stderr:  []string{"benchdb: warning: example.com/fixture/longline BenchmarkLong: log line of 102405 bytes cut to 65535"},
			results: []string{"Long-" + gomaxprocsSuffix(), "Pieces-" + gomaxprocsSuffix(), "Binary-" + gomaxprocsSuffix()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRunFixture(t, dir, tt) })
	}
}

// TestRun_DirOtherModule: in a module other than benchdb's, benchdb run
// with no PKG runs the module's own benchmarks (./...).
func TestRun_DirOtherModule(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.sqlite")
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":          "module example.com/other\n\ngo 1.26\n",
		"sub/sub_test.go": "package sub\n\nimport \"testing\"\n\nfunc BenchmarkOther(b *testing.B) {\n\tfor b.Loop() {\n\t}\n}\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runCLI(t, nil, "run", "--db", db, "--dir", dir, "--count", "1", "--benchtime", "1x")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "benchdb: no PKG given: running the benchmarks of module example.com/other (./... in " + dir + ")"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if strings.Contains(stderr, "go.mod not found") || strings.Contains(stdout, "profile") {
		t.Errorf("ran the built-in suites:\n%s%s", stdout, stderr)
	}
	if want := "stored run 1: 1 result from 1 package"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
}
