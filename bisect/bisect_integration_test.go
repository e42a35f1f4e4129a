//go:build integration

package bisect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/ab/abtest"
	"github.com/benchdb/benchdb/bisect"
	"github.com/benchdb/benchdb/store/storetest"
)

// startLoad runs a shell busy loop for random periods (50-500 ms) with
// random pauses, until the test ends: the changing background load of
// the ab experiment.
func startLoad(t *testing.T) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	rng := rand.New(rand.NewPCG(2, 3))
	period := func() time.Duration { return time.Duration(50+rng.IntN(450)) * time.Millisecond }
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			cmd := exec.Command("sh", "-c", "while :; do :; done")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Errorf("start load: %v", err)
				return
			}
			select {
			case <-time.After(period()):
			case <-stop:
			}
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			select {
			case <-time.After(period()):
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(stop); wg.Wait() })
}

// history makes 33 commits after the initial one; slow maps a commit
// number to its slowdown in percent; broken does not build (the next
// commit repairs it).
func history(t *testing.T, slow map[int]float64, broken int) (*abtest.Repo, []string) {
	t.Helper()
	repo := abtest.MustRepo(t)
	commits := []string{repo.Git("rev-parse", "HEAD")}
	iters := float64(abtest.BaseIters)
	for i := 1; i <= 33; i++ {
		files := map[string]string{}
		msg := fmt.Sprintf("commit %d", i)
		if s, ok := slow[i]; ok {
			iters *= 1 + s/100
			files["knobs.go"] = abtest.Knobs(int(math.Round(iters)), false, false)
			msg += fmt.Sprintf(": %g%% slower", s)
		}
		if i == broken {
			files["broken.go"] = abtest.Broken
		}
		if broken > 0 && i == broken+1 {
			files["broken.go"] = ""
		}
		commits = append(commits, repo.Commit(msg, files))
	}
	return repo, commits
}

func trials() int {
	if n, err := strconv.Atoi(os.Getenv("BENCHDB_BISECT_TRIALS")); err == nil && n > 0 {
		return n
	}
	return 10
}

// config is the measurement of every step: 10 rounds at first, each run
// repeating the benchmark 80 times for 250 iterations, a round's value
// the best repetition (ab's default statistic), as the README advises
// for a busy machine.
func config(seed uint64) ab.Config {
	return ab.Config{Rounds: 10, Benchtime: "250x", Count: 80, TestArgs: []string{"-test.cpu=1"}, Seed: seed}
}

// TestBisect_Integration: 33 commits, commit 21 makes BenchmarkWork 10%
// slower and commit 12 does not build; under the changing load, bisect
// names commit 21 in at least 9 of 10 trials, measuring at most about
// log2(N)+3 commits.
//
//	BENCHDB_BISECT_TRIALS=10 go test -tags integration -run TestBisect_Integration -v -timeout 60m ./bisect
func TestBisect_Integration(t *testing.T) {
	repo, commits := history(t, map[int]float64{21: 10}, 12)
	startLoad(t)
	n := trials()
	right, maxMeasured := 0, 0
	limit := int(math.Ceil(math.Log2(33))) + 3 + 1 // + the final measurement
	for trial := range n {
		db := storetest.Open(t)
		res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: "HEAD", Bench: "^BenchmarkWork$",
			Config: config(uint64(trial)), Store: db})
		if err != nil {
			t.Logf("trial %d: %v", trial, err)
			continue
		}
		maxMeasured = max(maxMeasured, res.Measured)
		ok := res.Found && res.FirstBad.Commit == commits[21]
		if ok {
			right++
		}
		t.Logf("trial %d: first bad %s (%s), right %v, %d commits measured, sureness %s, change %+.1f%%, %s",
			trial, res.FirstBad.Short(), res.FirstBad.Subject, ok, res.Measured, res.Sureness, res.Change.Pct(), res.Elapsed.Round(time.Second))
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("right in %d of %d trials; at most %d commits measured (limit %d); load average at the end %s", right, n, maxMeasured, limit, strings.TrimSpace(string(load)))
	if float64(right) < 0.9*float64(n) {
		t.Errorf("right in %d of %d trials, want at least 90%%", right, n)
	}
	if maxMeasured > limit {
		t.Errorf("up to %d commits measured, want at most %d", maxMeasured, limit)
	}
}

// TestBisect_TwoSteps: commits 8 (5%) and 25 (15%): bisect finds 25, the
// one that accounts for most of the change, and says that the range holds
// more than one step.
func TestBisect_TwoSteps(t *testing.T) {
	repo, commits := history(t, map[int]float64{8: 5, 25: 15}, 0)
	startLoad(t)
	n := trials()
	right, said := 0, 0
	for trial := range n {
		res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: "HEAD", Bench: "^BenchmarkWork$",
			Config: config(uint64(trial)), Store: storetest.Open(t)})
		if err != nil {
			t.Logf("trial %d: %v", trial, err)
			continue
		}
		if res.FirstBad.Commit == commits[25] {
			right++
		}
		if res.MultipleSteps {
			said++
		}
		t.Logf("trial %d: first bad %s (%s), share %.2f, multiple steps %v, notes %q", trial, res.FirstBad.Short(), res.FirstBad.Subject, res.Share, res.MultipleSteps, res.Notes)
	}
	t.Logf("found the 15%% commit in %d of %d trials, said more than one step in %d", right, n, said)
	if float64(right) < 0.9*float64(n) {
		t.Errorf("found the 15%% commit in %d of %d trials, want at least 90%%", right, n)
	}
	if float64(said) < 0.5*float64(n) {
		t.Errorf("said that the range holds more than one step in %d of %d trials", said, n)
	}
}

// TestBisect_Resume interrupts a bisection after its third measurement
// and resumes it: the answer is the one an uninterrupted run gives from
// the same store, and nothing stored is measured again.
func TestBisect_Resume(t *testing.T) {
	repo, commits := history(t, map[int]float64{21: 30}, 12)
	db := storetest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := 0
	var id string
	first, err := bisect.Run(ctx, bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: "HEAD", Bench: "^BenchmarkWork$", Config: config(1), Store: db,
		ID: "resume-test",
		Step: func(p bisect.StepProgress) {
			if p.Done && p.Outcome != bisect.Skip {
				if done++; done == 3 {
					cancel()
				}
			}
		}})
	id = "resume-test"
	if !errors.Is(err, context.Canceled) {
		if first != nil {
			var b strings.Builder
			first.WriteText(&b)
			t.Log(b.String())
		}
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	before, _ := db.Runs(context.Background())
	// Resumed with other settings: the bisection keeps measuring as it
	// began (the settings given are ignored), or its steps would compare
	// levels measured differently.
	other := ab.Config{Rounds: 7, Benchtime: "100x", Count: 3, Seed: 1}
	res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Resume: id, Config: other, Threshold: 1, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	afterResume, _ := db.Runs(context.Background())
	want := before[0].Labels[bisect.LabelSettings]
	var s struct {
		Rounds    int      `json:"rounds"`
		Count     int      `json:"count"`
		Benchtime string   `json:"benchtime"`
		TestArgs  []string `json:"test_args"`
	}
	if err := json.Unmarshal([]byte(want), &s); err != nil || s.Rounds != 10 || s.Count != 80 || s.Benchtime != "250x" || !slices.Equal(s.TestArgs, []string{"-test.cpu=1"}) {
		t.Errorf("stored settings %s (%v), want rounds 10, count 80, benchtime 250x, test args -test.cpu=1", want, err)
	}
	for _, r := range afterResume[len(before):] {
		if got := r.Labels[bisect.LabelSettings]; got != want {
			t.Errorf("run %d after resuming: settings %s, want the bisection's own %s", r.ID, got, want)
		}
	}
	if res.FirstBad.Commit != commits[21] {
		t.Errorf("resumed: first bad %s, want commit 21", res.FirstBad.Subject)
	}
	for i, s := range res.Steps[:min(2, len(res.Steps))] {
		if s.Measured != 0 || s.Stored == 0 {
			t.Errorf("step %d was measured again (%d rounds) after the interruption", i+1, s.Measured)
		}
	}
	after, _ := db.Runs(context.Background())
	again, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Resume: id, Config: config(1), Store: db})
	if err != nil {
		t.Fatal(err)
	}
	final, _ := db.Runs(context.Background())
	if again.FirstBad.Commit != res.FirstBad.Commit || len(final) != len(after) || again.Stored != again.Measured {
		t.Errorf("second resume: first bad %s, %d new runs, %d of %d from the store", again.FirstBad.Subject, len(final)-len(after), again.Stored, again.Measured)
	}
	t.Logf("interrupted with %d runs stored; the resumed run added %d", len(before), len(after)-len(before))
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

// TestRun_NotReproduced bisects two commits that leave the benchmark
// alone: ErrNotReproduced, with a Result that says so. In the
// integration tier: cmd/benchdb's default TestBisect_notReproduced runs
// the same bisect.Run on the same kind of history through benchdb bisect,
// and its exit status 1 and "not reproduced" on both outputs are this
// error with that Result.
func TestRun_NotReproduced(t *testing.T) {
	repo, commits := mustHistory(t, 2, 0, 0, 1)
	db := storetest.Open(t)
	res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Good: commits[0], Bad: commits[2], Bench: "Fixed",
		Config: fast(), MaxRounds: 6, Threshold: 50, Store: db})
	if !errors.Is(err, bisect.ErrNotReproduced) || res == nil || res.Reproduced {
		t.Fatalf("err = %v, res %+v; want ErrNotReproduced", err, res)
	}
}

// fast is the measurement of the shorter tests: 6 rounds, each run the
// best of 10 repetitions of 1000 iterations (the work of one 10000x run),
// so that a busy machine does not hide a 2x step (one 10000x run per
// round once did, at load average 28).
func fast() ab.Config {
	return ab.Config{Rounds: 6, Benchtime: "1000x", Count: 10, TestArgs: []string{"-test.cpu=1"}, Seed: 1}
}
