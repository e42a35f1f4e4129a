package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/suites"
)

// fixturePkg is the import path prefix of the fixture module's packages.
const fixturePkg = "example.com/fixture/"

// mustFixtureDir returns the module of small benchmark packages that the
// runner's tests also use: pass, buildfail, panics, fails and hang.
func mustFixtureDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "runner", "testdata", "mod"))
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// storedRun is a stored run with its results' names and export.
type storedRun struct {
	store.Run
	names  []string // full names of its results, in order
	export string
}

// mustStored opens the database at path and returns its runs.
func mustStored(tb testing.TB, path string) []storedRun {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	runs, err := db.Runs(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var out []storedRun
	for _, r := range runs {
		sr := storedRun{Run: r}
		err := db.Results(ctx, []int64{r.ID}, func(_ int64, res *benchfmt.Result) error {
			if res.GetConfig("pkg") == runner.ProbePackage {
				return nil // the machine's speed, recorded with every run
			}
			sr.names = append(sr.names, res.Name.String())
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		var buf bytes.Buffer
		if err := db.Export(ctx, &buf, r.ID); err != nil {
			tb.Fatal(err)
		}
		sr.export = buf.String()
		out = append(out, sr)
	}
	return out
}

// runFixtureCase is one benchdb run of the fixture module's packages and
// what it must print and store.
type runFixtureCase struct {
	name    string
	args    []string
	code    int
	stdout  []string // substrings of standard output
	stderr  []string // substrings of standard error
	results []string // the stored run's result names; nil: nothing stored
	partial bool
}

// TestRun_Fixture runs the fixture's passing package, and a panic kept
// with --partial. The other failures (a build failure, a panic or b.Fatal
// without --partial, a timeout, long log lines, a -bench that matches
// nothing) are in TestRun_FixtureFailures, in the integration tier.
func TestRun_Fixture(t *testing.T) {
	dir := mustFixtureDir(t)
	tests := []runFixtureCase{
		{
			name:    "pass",
			args:    []string{"--count", "2", "--label", "team=perf", fixturePkg + "pass"},
			stdout:  []string{"stored run 1: 16 results from 1 package"},
			stderr:  []string{"(in 2 test processes per package, one after another: -count 1 each)", "[16 done] BenchmarkPick/variant=floor-2"},
			results: slices.Concat(passLeaves, passLeaves), // a process a repetition, in rounds
		},
		{
			name:    "panic, partial",
			args:    []string{"--partial", "--probe=false", fixturePkg + "panics"}, // the probe (3 s under -race) is TestRun_Fixture/pass's
			code:    2,
			stderr:  []string{"benchmark failed: example.com/fixture/panics BenchmarkB: ", "stored the 1 result that finished as run 1, labelled partial=true"},
			results: []string{"A-2"},
			partial: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRunFixture(t, dir, tt) })
	}
}

// checkRunFixture runs benchdb run on the fixture module as tt says and
// checks its output and what it stored. Not parallel: urfave/cli's
// shared help flag is written by every app that parses flags.
func checkRunFixture(t *testing.T, dir string, tt runFixtureCase) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "b.sqlite")
	args := append([]string{"run", "--db", db, "--dir", dir, "--benchtime", "10x", "--count", "1"}, tt.args...)
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != tt.code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
	}
	for _, s := range tt.stdout {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	for _, s := range tt.stderr {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	runs := mustStored(t, db)
	if tt.results == nil {
		if len(runs) != 0 {
			t.Fatalf("%d runs stored, want none: %+v", len(runs), runs[0].Run)
		}
		return
	}
	if len(runs) != 1 {
		t.Fatalf("%d runs stored, want 1", len(runs))
	}
	r := runs[0]
	if !slices.Equal(r.names, tt.results) {
		t.Errorf("stored results %q, want %q", r.names, tt.results)
	}
	if got := r.Labels[runner.LabelPartial]; (got == "true") != tt.partial {
		t.Errorf("label partial = %q, want partial %v", got, tt.partial)
	}
	if want := "run " + strings.Join(args[5:], " "); r.Labels[runner.LabelArgs] != want {
		// --db and --dir hold temporary paths: compare the rest.
		if !strings.HasSuffix(r.Labels[runner.LabelArgs], strings.Join(tt.args, " ")) {
			t.Errorf("label args = %q, want it to end with %q", r.Labels[runner.LabelArgs], strings.Join(tt.args, " "))
		}
	}
	for _, k := range []string{"goversion", "goos", "goarch", "cores", "gomaxprocs", "host"} {
		if r.Labels[k] == "" {
			t.Errorf("label %s missing: %v", k, r.Labels)
		}
	}
	if _, err := exec.LookPath("git"); err == nil && r.Labels["commit"] == "" {
		t.Errorf("no commit label for a fixture inside a git work tree: %v", r.Labels)
	}
	if cpu := strings.TrimSpace(r.Config["cpu"]); cpu != "" && r.Labels["cpu"] != cpu {
		t.Errorf("label cpu %q differs from the config line cpu %q", r.Labels["cpu"], r.Config["cpu"])
	}
	if tt.name == "pass" {
		if r.Labels["team"] != "perf" {
			t.Errorf("label team = %q, want perf", r.Labels["team"])
		}
		for _, s := range []string{"pkg: example.com/fixture/pass", "widgets/op", "B/op"} {
			if !strings.Contains(r.export, s) {
				t.Errorf("export lacks %q:\n%s", s, r.export)
			}
		}
	}
}

// passLeaves are the result names of the fixture's pass package, as the
// store keeps them (without "Benchmark", with -GOMAXPROCS), on 2 CPUs.
var passLeaves = []string{
	"Leaf", "Pick/profile=old/pool=1", "Pick/profile=old/pool=8", "Pick/profile=old-fixed/pool=1",
	"Pick/profile=old-fixed/pool=8", "Pick/profile=new/pool=1", "Pick/profile=new/pool=8", "Pick/variant=floor",
}

func init() {
	// The suffix is GOMAXPROCS, which go test gives the benchmarks; the
	// tests run go test with the same environment.
	for i, n := range passLeaves {
		passLeaves[i] = n + "-" + gomaxprocsSuffix()
	}
}

// doubled repeats each name twice in a row, as -count 2 runs them.
func TestRun_Usage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown profile", []string{"--profile", "elixir-9"}, `--profile "elixir-9": unknown profile (known: elixir-1.5.1,`},
		{"unknown suite", []string{"--suite", "nope"}, `--suite "nope": unknown suite (known: `},
		{"count", []string{"--count", "0"}, "--count 0: want at least 1"},
		{"processes", []string{"--processes", "7"}, "--processes 7: want 1 to --count (6): each process runs at least one repetition"},
		{"processes of a smaller count", []string{"--count", "2", "--processes", "3"}, "--processes 3: want 1 to --count (2)"},
		{"bench", []string{"--bench", "A/("}, `--bench "A/(": level 2: error parsing regexp`},
		{"benchtime", []string{"--benchtime", "fast"}, `--benchtime "fast": want a duration`},
		{"partial label", []string{"--label", "partial=false"}, "the label partial is benchdb's own"},
		{"bad label", []string{"--label", "novalue"}, `--label "novalue": want key=value`},
		{"json flag", []string{"--", "-json"}, "go test flag -json: benchdb run reads go test -json itself"},
		{"profile and skip", []string{"--profile", "roundrobin", "--", "-skip", "X"}, "--profile works through go test -skip"},
		{"flag after PKG", []string{"./x", "--profile", "roundrobin"}, "flag --profile after the arguments: put benchdb's flags before PKG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "b.sqlite")
			code, stdout, stderr := runCLI(t, nil, append([]string{"run", "--db", db}, tt.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
			first, usage, _ := strings.Cut(stderr, "\n")
			if !strings.Contains(first, tt.want) || usage != "usage: benchdb run [options] [PKG...] [-- GO TEST FLAGS...] (benchdb run --help for more)\n" {
				t.Errorf("stderr %q: want the error on one line, then the usage line", stderr)
			}
		})
	}
}

func TestScenarioOutcomes(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "b.sqlite")
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	input := `pkg: github.com/benchdb/benchdb/suites/scenario
BenchmarkScenario/profile=elixir-1.5.1-2  1  4000000000 ns/op  1 runaway  90000 peak-queue  0 drain-ms  9437184 peak-B
BenchmarkScenario/profile=elixir-1.5.1-2  1  4000000000 ns/op  1 runaway  70000 peak-queue  0 drain-ms  7340032 peak-B
BenchmarkScenario/profile=elixir-1.5.1-2  1  4000000000 ns/op  0 runaway  50000 peak-queue  900 drain-ms  5242880 peak-B
BenchmarkScenario/profile=roundrobin-2    1  2000000000 ns/op  0 runaway  5000 peak-queue  120 drain-ms  524288 peak-B
BenchmarkScenario/profile=roundrobin-2    1  2000000000 ns/op  0 runaway  7000 peak-queue  140 drain-ms  734003 peak-B
BenchmarkSelect/profile=roundrobin/pool=8/depth=0-2  100  5 ns/op
`
	got, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "scenario.txt"})
	if err != nil {
		t.Fatal(err)
	}
	outcomes, _, err := runner.ReadOutcomes(ctx, db, got.ID, "Scenario", profileKey)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	writeOutcomes(&buf, outcomes.Sorted([]string{"elixir-1.5.1", "roundrobin"}))
	want := `profile       outcome            peak queue  peak bytes  drain
elixir-1.5.1  runaway in 2 of 3  70000       7 MiB       900 ms
roundrobin    drained            6000        614.4 KiB   130 ms
`
	if buf.String() != want {
		t.Errorf("outcomes:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestSuites(t *testing.T) {
	out := mustRunCLI(t, "suites", "--format", "json")
	var got []suiteJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("suites JSON: %v\n%s", err, out)
	}
	names := suites.Names()
	if len(got) != len(names)+1 || len(names) == 0 {
		t.Fatalf("%d suites listed, want the %d registered and beam", len(got), len(names))
	}
	got = got[:len(names)] // beam, last, is TestSuites_beam's
	text := mustRunCLI(t, "suites")
	for i, s := range got {
		reg, err := suites.Lookup(names[i])
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != names[i] || s.Package != reg.ImportPath() || s.Doc != reg.Doc() || len(s.Benchmarks) != len(reg.Benchmarks()) {
			t.Errorf("suite %d = %s %s (%d benchmarks), want %s %s (%d)", i, s.Name, s.Package,
				len(s.Benchmarks), names[i], reg.ImportPath(), len(reg.Benchmarks()))
		}
		for _, want := range []string{s.Name + "  " + s.Package, s.Doc, "    " + s.Benchmarks[0] + "\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("suites text lacks %q", want)
			}
		}
	}
	if code, _, stderr := runCLI(t, nil, "suites", "extra"); code != 2 || !strings.Contains(stderr, `unexpected argument "extra"`) {
		t.Errorf("suites extra: exit %d, %s", code, stderr)
	}
}

func TestProfiles(t *testing.T) {
	out := mustRunCLI(t, "profiles", "--format", "json")
	var got []profiles.Profile
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("profiles JSON: %v\n%s", err, out)
	}
	if !slices.Equal(got, profiles.All()) {
		t.Errorf("profiles JSON = %+v, want the registry's %+v", got, profiles.All())
	}
	text := mustRunCLI(t, "profiles")
	lines := strings.Split(text, "\n")
	// The header lists the fields of the profiles' JSON form, doc aside.
	keys, _, err := jsonFields(got[0])
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Fields(lines[0])
	if want := slices.DeleteFunc(keys, func(k string) bool { return k == "doc" }); !slices.Equal(header, want) {
		t.Errorf("header %q, want %q", header, want)
	}
	for i, p := range got {
		row := strings.Fields(lines[1+i])
		if len(row) != len(header) || row[0] != p.Name || row[slices.Index(header, "selection")] != string(p.Selection) ||
			row[slices.Index(header, "receive")] != string(p.Receive) {
			t.Errorf("row %d = %q, want profile %+v", i, row, p)
		}
		if !strings.Contains(text, p.Name+": "+p.Doc+"\n") {
			t.Errorf("profiles text lacks the doc of %s", p.Name)
		}
	}
}

// gomaxprocsSuffix returns the -N suffix go test gives benchmark names
// here.
func gomaxprocsSuffix() string {
	return strconv.Itoa(runtime.GOMAXPROCS(0))
}

// cancelWriter cancels a context once what was written to it contains
// want.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   string
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.cancel()
	}
	return len(p), nil
}

func (w *cancelWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestRun_Dir checks what benchdb run does with a --dir that is not there,
// or not in a module: the error names it. TestRun_DirOtherModule (in the
// integration tier) runs a module other than benchdb's.
func TestRun_Dir(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.sqlite")
	empty := t.TempDir()
	for _, tt := range []struct {
		name, dir, want string
	}{
		{"missing", "/nonexistent/dir", "benchdb: --dir /nonexistent/dir: no such directory\n"},
		{"file", db + ".txt", "not a directory"},
		{"no module", empty, "not in a Go module (no go.mod in it or above it)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "file" {
				if err := os.WriteFile(tt.dir, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := runCLI(t, nil, "run", "--db", db, "--dir", tt.dir)
			if code != 2 || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "fork/exec") {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
		})
	}
}
