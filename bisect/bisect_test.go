package bisect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/ab/abtest"
	"github.com/benchdb/benchdb/bisect"
	"github.com/benchdb/benchdb/store/storetest"
)

// mustHistory makes a repository of n commits after the initial one:
// commit slow (1-based) doubles BenchmarkWork's work, commit broken does
// not build (the next one repairs it). It returns the commits, oldest
// first, with the initial commit at index 0.
func mustHistory(t *testing.T, n, slow, broken int, factor float64) (*abtest.Repo, []string) {
	t.Helper()
	repo := abtest.MustRepo(t)
	commits := []string{repo.Git("rev-parse", "HEAD")}
	iters := abtest.BaseIters
	for i := 1; i <= n; i++ {
		files := map[string]string{}
		msg := fmt.Sprintf("commit %d", i)
		if i == slow {
			iters = int(float64(iters) * factor)
			files["knobs.go"] = abtest.Knobs(iters, false, false)
			msg += ": slower"
		}
		if i == broken {
			files["broken.go"] = abtest.Broken
			msg += ": does not build"
		}
		if broken > 0 && i == broken+1 {
			files["broken.go"] = ""
		}
		commits = append(commits, repo.Commit(msg, files))
	}
	return repo, commits
}

// fast is the measurement of the default tests: 6 rounds, each run the
// best of 10 repetitions of 1000 iterations (the work of one 10000x run),
// so that a busy machine does not hide a 2x step (one 10000x run per
// round once did, at load average 28).
func fast() ab.Config {
	return ab.Config{Rounds: 6, Benchtime: "1000x", Count: 10, TestArgs: []string{"-test.cpu=1"}, Seed: 1}
}

func TestRun_FindsDoublingAndResumes(t *testing.T) {
	repo, commits := mustHistory(t, 8, 6, 3, 2)
	db := storetest.Open(t)
	var steps []bisect.StepProgress
	opts := bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: "HEAD", Bench: "Work", Config: fast(), Store: db,
		Step: func(p bisect.StepProgress) { steps = append(steps, p) }}
	res, err := bisect.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.FirstBad.Commit != commits[6] || res.LastGood.Commit != commits[5] {
		var b bytes.Buffer
		res.WriteText(&b)
		t.Fatalf("found %v first bad %s last good %s, want %s after %s\n%s", res.Found, res.FirstBad.Commit, res.LastGood.Commit, commits[6], commits[5], b.String())
	}
	if res.Target.Name != "Work" || res.Target.Unit != "sec/op" || res.Commits != 8 {
		t.Errorf("target %+v, %d commits", res.Target, res.Commits)
	}
	if res.Change.Ratio < 1.4 || res.Share < 0.5 {
		t.Errorf("change %.3f share %.2f, want about 2 and 1", res.Change.Ratio, res.Share)
	}
	if res.Measured > 3+3+1 {
		t.Errorf("%d commits measured, want at most log2(8)+3+1", res.Measured)
	}
	if len(steps) == 0 || !steps[len(steps)-1].Done {
		t.Errorf("step progress: %+v", steps)
	}
	// Every measurement was stored with the bisection's labels.
	runs, err := db.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	measured := 0
	for _, s := range res.Steps {
		if s.Outcome != bisect.Skip {
			measured++
		}
	}
	// Two runs (old and new side) per measurement; a step that needed
	// more rounds stored more than one measurement.
	if len(runs)%2 != 0 || len(runs) < 2*measured {
		t.Errorf("%d runs stored for %d measured steps", len(runs), measured)
	}
	for _, r := range runs {
		if r.Labels[bisect.LabelID] != res.ID || r.Labels["commit"] == "" || r.Labels[bisect.LabelGood] != commits[0] {
			t.Errorf("run %d labels %v", r.ID, r.Labels)
		}
	}

	// Resume: the same answer from the store alone, nothing measured.
	again, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Resume: res.ID, Config: fast(), Store: db})
	if err != nil {
		t.Fatal(err)
	}
	if again.FirstBad.Commit != res.FirstBad.Commit || again.Stored != again.Measured || again.Measured != res.Measured {
		t.Errorf("resumed: first bad %s, %d of %d measured from the store; want %s, all %d", again.FirstBad.Commit, again.Stored, again.Measured, res.FirstBad.Commit, res.Measured)
	}
	if runs2, _ := db.Runs(context.Background()); len(runs2) != len(runs) {
		t.Errorf("resume stored %d new runs", len(runs2)-len(runs))
	}

	var js, text, md bytes.Buffer
	if err := res.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var parsed map[string]any
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if fb, _ := parsed["first_bad"].(map[string]any); fb == nil || fb["commit"] != commits[6] {
		t.Errorf("JSON first_bad: %v", parsed["first_bad"])
	}
	res.WriteText(&text)
	res.WriteMarkdown(&md)
	if !strings.Contains(text.String(), "first bad commit: "+commits[6]+" commit 6: slower") {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "| step | commit |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func TestRun_SkipsBrokenCommit(t *testing.T) {
	// The broken commit sits where the halving looks first.
	repo, commits := mustHistory(t, 4, 4, 2, 2)
	db := storetest.Open(t)
	res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: commits[4], Bench: "Work", Config: fast(), Store: db})
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstBad.Commit != commits[4] {
		t.Errorf("first bad %s, want %s", res.FirstBad.Commit, commits[4])
	}
	skipped := false
	for _, s := range res.Steps {
		if s.Outcome == bisect.Skip {
			skipped = s.Commit.Commit == commits[2] && strings.Contains(s.Reason, "does not build")
		}
	}
	if !skipped {
		t.Errorf("commit 2 was not skipped as not building: %+v", res.Steps)
	}
}

func TestRun_NotReproduced(t *testing.T) {
	repo, commits := mustHistory(t, 2, 0, 0, 1)
	db := storetest.Open(t)
	res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: commits[2], Bench: "Fixed",
		Config: fast(), MaxRounds: 6, Threshold: 50, Store: db})
	if !errors.Is(err, bisect.ErrNotReproduced) || res == nil || res.Reproduced {
		t.Fatalf("err = %v, res %+v; want ErrNotReproduced", err, res)
	}
}

func TestRun_BadInput(t *testing.T) {
	repo, commits := mustHistory(t, 1, 0, 0, 1)
	db := storetest.Open(t)
	for _, tt := range []struct {
		opts bisect.Options
		want string
	}{
		{bisect.Options{Dir: repo.Dir, Good: "nosuch", Bad: "HEAD"}, `good: unknown revision "nosuch"`},
		{bisect.Options{Dir: repo.Dir, Good: "HEAD", Bad: commits[0]}, "not a first-parent descendant"},
		{bisect.Options{Dir: repo.Dir, Resume: "nosuch-id"}, "no such bisection"},
		{bisect.Options{Dir: t.TempDir(), Good: "a", Bad: "b"}, "not a git repository"},
	} {
		tt.opts.Store = db
		_, err := bisect.Run(context.Background(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

func TestPattern(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"Work", "^BenchmarkWork$"},
		{"Work-2", "^BenchmarkWork$"},
		{"Select/profile=elixir-1.5.1/pool=8-2", `^BenchmarkSelect$/^profile=elixir-1\.5\.1$/^pool=8$`},
	} {
		if got := bisect.Pattern(tt.name); got != tt.want {
			t.Errorf("Pattern(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
