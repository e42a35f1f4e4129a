package ab_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/ab/abtest"
	"github.com/benchdb/benchdb/store/storetest"
)

// fastConfig keeps the default tests quick: each run of BenchmarkWork
// does a fixed number of iterations (about 10 ms at the base cost, as 10
// repetitions of 1,000, of which a round keeps the best: one 10 ms run
// measured how much CPU the process got on a busy machine, and missed a
// doubling), with GOMAXPROCS 1 so that names carry no -N suffix.
func fastConfig(rounds int) ab.Config {
	return ab.Config{Rounds: rounds, Benchtime: "1000x", Count: 10, Seed: 1, TestArgs: []string{"-test.cpu=1"}}
}

// isolateTemp points TMPDIR at an empty directory and returns a check
// that nothing was left in it.
func isolateTemp(t *testing.T) func() {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return func() {
		t.Helper()
		ents, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			t.Errorf("left behind in TMPDIR: %s", e.Name())
		}
	}
}

func TestRun_BadInput(t *testing.T) {
	checkTemp := isolateTemp(t)
	repo := abtest.MustRepo(t)
	base := repo.Git("rev-parse", "HEAD")
	failing := repo.Commit("fails", map[string]string{"knobs.go": abtest.Knobs(abtest.BaseIters, true, false)})
	panicking := repo.Commit("panics", map[string]string{"knobs.go": abtest.Knobs(abtest.BaseIters, false, true)})
	broken := repo.Commit("does not build", map[string]string{"broken.go": abtest.Broken})
	notRepo := t.TempDir()

	tests := []struct {
		name     string
		dir      string
		old, new string
		bench    string
		want     []string
		is       error
		builds   bool // builds a revision: the integration tier's
	}{
		{"not a repository", notRepo, "HEAD", "HEAD", "", []string{notRepo, "not a git repository"}, nil, false},
		{"unknown revision", repo.Dir, base, "nosuchrev", "", []string{`new: unknown revision "nosuchrev"`}, nil, false},
		{"no benchmarks", repo.Dir, base, base, "NoSuchBenchmark", []string{`-bench "NoSuchBenchmark"`, "example.com/slow"}, ab.ErrNoBenchmarks, true},
		{"fails in new only", repo.Dir, base, failing, "", []string{"new revision " + failing, "example.com/slow BenchmarkWork failed", "broken on purpose"}, nil, true},
		{"panics in new only", repo.Dir, base, panicking, "", []string{"new revision " + panicking, "BenchmarkWork", "boom on purpose"}, nil, true},
		{"does not build", repo.Dir, broken, base, "", []string{"old: revision " + broken, "does not build", "broken.go"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.builds && !integrationTier {
				t.Skip("builds revisions: run with -tags integration")
			}
			db := storetest.Open(t)
			cfg := fastConfig(2)
			cfg.Bench = tt.bench
			_, err := ab.Run(context.Background(), ab.Options{Dir: tt.dir, Old: tt.old, New: tt.new, Config: cfg, Store: db})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error has several lines: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if runs, _ := db.Runs(context.Background()); len(runs) != 0 {
				t.Errorf("%d runs stored after an error", len(runs))
			}
		})
	}
	checkTemp()
	if wt := repo.Worktrees(); len(wt) != 0 {
		t.Errorf("worktrees left: %v", wt)
	}
}

func TestSplitGoTestFlags(t *testing.T) {
	tests := []struct {
		in          []string
		build, test string
		err         string
	}{
		{[]string{"-cpu", "1,2", "-benchmem"}, "", "-test.cpu=1,2 -test.benchmem", ""},
		{[]string{"-tags=a,b", "-race", "-test.benchtime=10x", "--count", "3"}, "-tags=a,b -race", "-test.benchtime=10x -test.count=3", ""},
		{[]string{"-gcflags", "-N -l"}, "-gcflags=-N -l", "", ""},
		{[]string{"-nosuch"}, "", "", "-nosuch: not a flag"},
		{[]string{"-cpu"}, "", "", "-cpu: needs a value"},
		{[]string{"pkg"}, "", "", `"pkg": want -name`},
	}
	for _, tt := range tests {
		b, te, err := ab.SplitGoTestFlags(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SplitGoTestFlags(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(b, " ") != tt.build || strings.Join(te, " ") != tt.test {
			t.Errorf("SplitGoTestFlags(%q) = %q, %q, %v; want %q, %q", tt.in, b, te, err, tt.build, tt.test)
		}
	}
}

func TestOrder(t *testing.T) {
	o := ab.Order(10, 3, 7)
	for p := range 3 {
		first := 0
		for r := range 10 {
			if o[r][p] == ab.Old {
				first++
			}
			if r%2 == 1 && o[r][p] == o[r-1][p] {
				t.Errorf("package %d rounds %d and %d both start with %s: want ABBA or BAAB", p, r-1, r, o[r][p])
			}
		}
		if first != 5 {
			t.Errorf("package %d: old first in %d of 10 rounds, want 5", p, first)
		}
	}
	same := ab.Order(10, 3, 7)
	for r := range o {
		if strings.Join(o[r], ",") != strings.Join(same[r], ",") {
			t.Fatalf("the same seed gave different orders")
		}
	}
	differ := false
	for seed := uint64(0); seed < 8 && !differ; seed++ {
		other := ab.Order(10, 3, seed)
		for r := range o {
			differ = differ || strings.Join(o[r], ",") != strings.Join(other[r], ",")
		}
	}
	if !differ {
		t.Errorf("eight seeds gave the same order")
	}
}

// TestAnalyze_Within checks how a round's repetitions make its value: the
// best (least time, most MB/s) by default, or the median.
func TestAnalyze_Within(t *testing.T) {
	var in strings.Builder
	side := func(old bool) []*benchfmt.Result {
		in.Reset()
		in.WriteString("pkg: p\n")
		for r := range 6 {
			in.WriteString("round: " + strconv.Itoa(r) + "\n")
			// Old: 100 ns (50 MB/s) once, disturbed twice; new: 10%
			// slower at its best, less disturbed.
			lines := []string{"BenchmarkX 1 110 ns/op 45 MB/s", "BenchmarkX 1 120 ns/op 40 MB/s", "BenchmarkX 1 120 ns/op 40 MB/s"}
			if old {
				lines = []string{"BenchmarkX 1 400 ns/op 10 MB/s", "BenchmarkX 1 100 ns/op 50 MB/s", "BenchmarkX 1 400 ns/op 10 MB/s"}
			}
			in.WriteString(strings.Join(lines, "\n") + "\n")
		}
		var out []*benchfmt.Result
		rd := benchfmt.NewReader(strings.NewReader(in.String()), "in")
		for rd.Scan() {
			if r, ok := rd.Result().(*benchfmt.Result); ok {
				out = append(out, r.Clone())
			}
		}
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	m := &ab.Measurement{Rounds: 6, Old: ab.Side{Rev: ab.Revision{Name: "a", Commit: "a"}, Results: side(true)},
		New: ab.Side{Rev: ab.Revision{Name: "b", Commit: "b"}, Results: side(false)}}
	tests := []struct {
		within             string
		wantTime, wantRate float64
		verdict            string
	}{
		{"", 1.1, 0.9, "regression"},
		{ab.WithinBest, 1.1, 0.9, "regression"},
		{ab.WithinMedian, 0.3, 4, "improvement"},
	}
	for _, tt := range tests {
		a := ab.Analyze(m, ab.AnalysisOptions{Within: tt.within})
		if a.Repetitions != 3 || a.Within != cmpOr(tt.within, ab.WithinBest) {
			t.Errorf("within %q: analysis says %q of %d repetitions", tt.within, a.Within, a.Repetitions)
		}
		for unit, want := range map[string]float64{"sec/op": tt.wantTime, "B/s": tt.wantRate} {
			row, ok := a.Row("p", "X", unit)
			if !ok {
				t.Fatalf("no %s row: %+v", unit, a.Rows)
			}
			if d := row.Ratio/want - 1; d > 1e-9 || d < -1e-9 || row.Verdict != tt.verdict {
				t.Errorf("within %q, %s: ratio %g verdict %s, want %g %s", tt.within, unit, row.Ratio, row.Verdict, want, tt.verdict)
			}
		}
	}
	var text bytes.Buffer
	if err := (&ab.Report{ID: "x", Analysis: ab.Analyze(m, ab.AnalysisOptions{})}).WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "best of up to 3 repetitions per round") {
		t.Errorf("text does not say how rounds were summarised:\n%s", text.String())
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestExtraAndCount measures with Config.Count repetitions per run, and
// runs Extra alone: one run of each side's binary, no timed rounds. Both
// sides are the one build of HEAD (an A/A run, as benchdb ab HEAD HEAD
// makes): what is checked is how often each side runs, and a second
// build of the same code would only cost a build and link.
func TestExtraAndCount(t *testing.T) {
	repo := abtest.MustRepo(t)
	ctx := context.Background()
	ws, err := ab.NewWorkspace(ctx, repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	r, err := ws.Repo.Resolve(ctx, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ws.Build(ctx, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	builds := []*ab.Build{b, b}
	cfg := ab.Config{Rounds: 2, Count: 3, Bench: "^BenchmarkWork$", Benchtime: "100x", TestArgs: []string{"-test.cpu=1"}}
	m, err := ab.Measure(ctx, builds[0], builds[1], cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Old.Results) != 6 || len(m.New.Results) != 6 {
		t.Errorf("2 rounds of 3 repetitions: %d old and %d new results, want 6 each", len(m.Old.Results), len(m.New.Results))
	}
	if a := ab.Analyze(m, ab.AnalysisOptions{}); a.Repetitions != 3 {
		t.Errorf("analysis: %d repetitions, want 3", a.Repetitions)
	}
	var calls []string
	cfg.Extra = []ab.ExtraRun{{Name: "profile", Done: func(side string, b ab.Binary, dir string, out []byte) error {
		calls = append(calls, side+" "+strconv.Itoa(bytes.Count(out, []byte("BenchmarkWork"))))
		return nil
	}}}
	if err := ab.Extra(ctx, builds[0], builds[1], cfg); err != nil {
		t.Fatal(err)
	}
	if strings.Join(calls, ",") != "old 3,new 3" {
		t.Errorf("Extra ran %v, want one run of each side (with its 3 repetitions)", calls)
	}
}
