package ab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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

func TestRun_DetectsDoubling(t *testing.T) {
	checkTemp := isolateTemp(t)
	repo := abtest.MustRepo(t)
	oldC := repo.Git("rev-parse", "HEAD")
	newC := repo.Commit("twice the work", map[string]string{"knobs.go": abtest.Knobs(2*abtest.BaseIters, false, false)})
	db := storetest.Open(t)

	var progress []ab.Progress
	cfg := fastConfig(10)
	cfg.Progress = func(p ab.Progress) { progress = append(progress, p) }
	rep, err := ab.Run(context.Background(), ab.Options{
		Dir: repo.Dir, Old: "HEAD~1", New: "HEAD", Config: cfg, Store: db,
		ID: "test1", Labels: map[string]string{"who": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTemp()
	if wt := repo.Worktrees(); len(wt) != 0 {
		t.Errorf("worktrees left: %v", wt)
	}

	if rep.Old.Commit != oldC || rep.New.Commit != newC || rep.AA {
		t.Errorf("old %s new %s aa %v, want %s %s false", rep.Old.Commit, rep.New.Commit, rep.AA, oldC, newC)
	}
	work, ok := rep.Row("example.com/slow", "Work", "sec/op")
	if !ok {
		t.Fatalf("no Work sec/op row in %+v", rep.Rows)
	}
	if work.Rounds != 10 || len(work.Ratios) != 10 {
		t.Errorf("Work: %d rounds, %d ratios, want 10", work.Rounds, len(work.Ratios))
	}
	// Twice the work: the paired estimate is near 2 and the verdict is a
	// regression, under any plausible load.
	if work.Verdict != "regression" || work.Ratio < 1.5 || work.Ratio > 2.7 || !(work.Lo > 1) {
		t.Errorf("Work: ratio %.3f [%.3f, %.3f] verdict %q, want about 2, regression", work.Ratio, work.Lo, work.Hi, work.Verdict)
	}
	if _, ok := rep.Row("example.com/slow", "Fixed", "sec/op"); !ok {
		t.Errorf("no Fixed row")
	}
	if len(rep.Regressions()) == 0 {
		t.Errorf("Regressions() is empty")
	}

	// Progress: every round, both sides, a benchmark name, and the count
	// of runs done growing to the total.
	seen := map[string]bool{}
	for _, p := range progress {
		seen[strconv.Itoa(p.Round)+p.Side] = true
		if p.Total != 20 || p.Rounds != 10 {
			t.Fatalf("progress %+v: want Total 20, Rounds 10", p)
		}
	}
	for r := 1; r <= 10; r++ {
		for _, s := range []string{ab.Old, ab.New} {
			if !seen[strconv.Itoa(r)+s] {
				t.Errorf("no progress for round %d %s", r, s)
			}
		}
	}
	last := progress[len(progress)-1]
	if last.Done != 19 || last.Benchmark == "" {
		t.Errorf("last progress %+v: want Done 19 and a benchmark", last)
	}

	// Stored: two runs with the labels, each with every round.
	if rep.Stored == nil {
		t.Fatal("not stored")
	}
	runs, err := db.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs stored, want 2", len(runs))
	}
	for _, r := range runs {
		side := r.Labels["side"]
		wantCommit := map[string]string{"old": oldC, "new": newC}[side]
		if r.Labels["ab"] != "test1" || r.Labels["commit"] != wantCommit || r.Labels["who"] != "test" || r.Results != 20*cfg.Count {
			t.Errorf("run %d: labels %v, %d results; want ab=test1 side=old|new commit=%s who=test, %d results", r.ID, r.Labels, r.Results, wantCommit, 20*cfg.Count)
		}
		rounds := map[string]int{}
		err := db.Results(context.Background(), []int64{r.ID}, func(_ int64, res *benchfmt.Result) error {
			rounds[res.GetConfig("round")]++
			if res.GetConfig("side") != side || res.GetConfig("ab") != "test1" {
				t.Errorf("result config side=%q ab=%q", res.GetConfig("side"), res.GetConfig("ab"))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			if rounds[strconv.Itoa(i)] != 2*cfg.Count {
				t.Errorf("run %d round %d: %d results, want %d (two benchmarks, %d repetitions)", r.ID, i, rounds[strconv.Itoa(i)], 2*cfg.Count, cfg.Count)
			}
		}
	}
	// What was stored reads back into the same analysis.
	oldSide, err := ab.LoadSide(context.Background(), db, rep.Old, rep.Stored.OldRun)
	if err != nil {
		t.Fatal(err)
	}
	newSide, err := ab.LoadSide(context.Background(), db, rep.New, rep.Stored.NewRun)
	if err != nil {
		t.Fatal(err)
	}
	again := ab.Analyze(&ab.Measurement{Old: oldSide, New: newSide, Rounds: 10}, ab.AnalysisOptions{})
	w2, _ := again.Row("example.com/slow", "Work", "sec/op")
	if w2.Ratio != work.Ratio || w2.Lo != work.Lo || w2.P != work.P {
		t.Errorf("analysis of stored runs: %v [%v] p %v, want %v [%v] p %v", w2.Ratio, w2.Lo, w2.P, work.Ratio, work.Lo, work.P)
	}

	// Outputs.
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		ID  string `json:"id"`
		Old struct {
			RunID *int64 `json:"run_id"`
		}
		Rows []struct {
			Name, Unit  string
			Ratio       *float64  `json:"ratio"`
			Verdict     *string   `json:"verdict"`
			RoundRatios []float64 `json:"round_ratios"`
		}
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatalf("JSON: %v\n%s", err, js.String())
	}
	if parsed.ID != "test1" || parsed.Old.RunID == nil || *parsed.Old.RunID != rep.Stored.OldRun || len(parsed.Rows) != len(rep.Rows) {
		t.Errorf("JSON: %s", js.String())
	}
	var text, md, csv bytes.Buffer
	rep.WriteText(&text)
	rep.WriteMarkdown(&md)
	rep.WriteCSV(&csv)
	for _, c := range []struct {
		name, out string
		want      []string
	}{
		{"text", text.String(), []string{"ab test1: 10 rounds, interleaved", "pkg: example.com/slow", "Work ", "regression", "stored as runs"}},
		{"markdown", md.String(), []string{"| benchmark | old | new |", "| Work |", "regression |"}},
		{"csv", csv.String(), []string{"pkg,name,unit,rounds,old_median", "example.com/slow,Work,sec/op"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.out, w) {
				t.Errorf("%s output lacks %q:\n%s", c.name, w, c.out)
			}
		}
	}
}

func TestRun_AAAndWorkTree(t *testing.T) {
	checkTemp := isolateTemp(t)
	repo := abtest.MustRepo(t)
	fixed, work := fastConfig(6), fastConfig(6)
	fixed.Bench, work.Bench = "Fixed", "Work"
	rep, err := ab.Run(context.Background(), ab.Options{Dir: repo.Dir, Old: "HEAD", New: "HEAD", Config: fixed})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.AA {
		t.Error("HEAD HEAD is not an A/A test")
	}
	if len(rep.Rows) == 0 || !strings.HasPrefix(rep.Rows[0].Name, "Fixed") {
		t.Errorf("rows %+v, want Fixed only", rep.Rows)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "A/A test") || !strings.Contains(text.String(), "detects (80% of the time) time changes larger than about") {
		t.Errorf("A/A text:\n%s", text.String())
	}

	// The working tree with an uncommitted change against HEAD: "." is
	// allowed with a dirty tree, and the change is measured.
	os.WriteFile(filepath.Join(repo.Dir, "knobs.go"), []byte(abtest.Knobs(2*abtest.BaseIters, false, false)), 0o644)
	rep, err = ab.Run(context.Background(), ab.Options{Dir: repo.Dir, Old: "HEAD", New: ".", Config: work})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.New.WorkTree || rep.AA {
		t.Errorf("new %+v aa %v: want the working tree, not A/A", rep.New, rep.AA)
	}
	if w, _ := rep.Row("example.com/slow", "Work", "sec/op"); w.Ratio < 1.5 {
		t.Errorf("working tree Work ratio %.3f, want about 2", w.Ratio)
	}
	// Committed revisions with a dirty tree: an error.
	_, err = ab.Run(context.Background(), ab.Options{Dir: repo.Dir, Old: "HEAD", New: "HEAD", Config: fastConfig(6)})
	if !errors.Is(err, ab.ErrDirty) {
		t.Errorf("dirty tree: err = %v, want ErrDirty", err)
	}
	checkTemp()
	if wt := repo.Worktrees(); len(wt) != 0 {
		t.Errorf("worktrees left: %v", wt)
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
	}{
		{"not a repository", notRepo, "HEAD", "HEAD", "", []string{notRepo, "not a git repository"}, nil},
		{"unknown revision", repo.Dir, base, "nosuchrev", "", []string{`new: unknown revision "nosuchrev"`}, nil},
		{"no benchmarks", repo.Dir, base, base, "NoSuchBenchmark", []string{`-bench "NoSuchBenchmark"`, "example.com/slow"}, ab.ErrNoBenchmarks},
		{"fails in new only", repo.Dir, base, failing, "", []string{"new revision " + failing, "example.com/slow BenchmarkWork failed", "broken on purpose"}, nil},
		{"panics in new only", repo.Dir, base, panicking, "", []string{"new revision " + panicking, "BenchmarkWork", "boom on purpose"}, nil},
		{"does not build", repo.Dir, broken, base, "", []string{"old: revision " + broken, "does not build", "broken.go"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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

func TestRun_CancelCleansUp(t *testing.T) {
	checkTemp := isolateTemp(t)
	repo := abtest.MustRepo(t)
	repo.Commit("slower", map[string]string{"knobs.go": abtest.Knobs(3*abtest.BaseIters, false, false)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := fastConfig(10)
	cfg.Benchtime, cfg.Count = "2s", 1 // long runs; cancelled in the first
	cfg.Progress = func(p ab.Progress) { cancel() }
	db := storetest.Open(t)
	_, err := ab.Run(ctx, ab.Options{Dir: repo.Dir, Old: "HEAD~1", New: "HEAD", Config: cfg, Store: db})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	checkTemp()
	if wt := repo.Worktrees(); len(wt) != 0 {
		t.Errorf("worktrees left: %v", wt)
	}
	if runs, _ := db.Runs(context.Background()); len(runs) != 0 {
		t.Errorf("%d runs stored after cancellation", len(runs))
	}
}

func TestRun_ExtraRunAndFlags(t *testing.T) {
	repo := abtest.MustRepo(t)
	repo.Commit("same", nil)
	build, test, err := ab.SplitGoTestFlags([]string{"-cpu", "1", "-tags=x", "-benchmem"})
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	cfg := fastConfig(2)
	cfg.TestArgs = test
	cfg.Extra = []ab.ExtraRun{{
		Name: "profile",
		Args: func(side string, b ab.Binary, dir string) []string {
			return []string{"-test.cpuprofile=" + filepath.Join(dir, "cpu.out")}
		},
		Done: func(side string, b ab.Binary, dir string, out []byte) error {
			if _, err := os.Stat(filepath.Join(dir, "cpu.out")); err != nil {
				t.Errorf("%s: no profile: %v", side, err)
			}
			if !bytes.Contains(out, []byte("BenchmarkWork")) {
				t.Errorf("%s: extra run output lacks BenchmarkWork:\n%s", side, out)
			}
			calls = append(calls, side+" "+b.ImportPath)
			return nil
		},
	}}
	rep, err := ab.Run(context.Background(), ab.Options{Dir: repo.Dir, Old: "HEAD~1", New: "HEAD", Config: cfg, BuildFlags: build})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(calls, ",") != "old example.com/slow,new example.com/slow" {
		t.Errorf("extra runs: %v", calls)
	}
	// -cpu 1: names carry no -N suffix, and the extra run's results are
	// not part of the measurement.
	for _, r := range rep.Rows {
		if r.Name != "Work" && r.Name != "Fixed" {
			t.Errorf("row name %q, want Work or Fixed (-cpu 1)", r.Name)
		}
		if r.Rounds != 2 {
			t.Errorf("%s %s: %d rounds, want 2", r.Name, r.Unit, r.Rounds)
		}
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
// runs Extra alone: one run of each side's binary, no timed rounds.
func TestExtraAndCount(t *testing.T) {
	repo := abtest.MustRepo(t)
	repo.Commit("same", nil)
	ctx := context.Background()
	ws, err := ab.NewWorkspace(ctx, repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var builds []*ab.Build
	for _, rev := range []string{"HEAD~1", "HEAD"} {
		r, err := ws.Repo.Resolve(ctx, rev)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ws.Build(ctx, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, b)
	}
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
