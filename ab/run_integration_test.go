//go:build integration

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
