//go:build integration

package bisect_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
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
	res, err := bisect.Run(context.Background(), bisect.Options{Dir: repo.Dir, Resume: id, Config: config(1), Store: db})
	if err != nil {
		t.Fatal(err)
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
