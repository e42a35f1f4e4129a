//go:build integration

package ab_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/ab/abtest"
)

// Load is a background load that changes during a measurement: a shell
// busy loop on one core for a random period (50-500 ms), then nothing for
// a random period, again and again until Stop.
type Load struct {
	stop chan struct{}
	done sync.WaitGroup
}

// MustStartLoad starts the load; the test's cleanup stops it.
func MustStartLoad(tb testing.TB, seed uint64) *Load {
	l := &Load{stop: make(chan struct{})}
	rng := rand.New(rand.NewPCG(seed, 1))
	period := func() time.Duration { return time.Duration(50+rng.IntN(450)) * time.Millisecond }
	l.done.Add(1)
	go func() {
		defer l.done.Done()
		for {
			cmd := exec.Command("sh", "-c", "while :; do :; done")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				tb.Errorf("start load: %v", err)
				return
			}
			select {
			case <-time.After(period()):
			case <-l.stop:
			}
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			select {
			case <-time.After(period()):
			case <-l.stop:
				return
			}
		}
	}()
	tb.Cleanup(l.Stop)
	return l
}

// Stop stops the load and waits for its process to end.
func (l *Load) Stop() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.done.Wait()
}

// TestExperiment measures, under a changing background load, how often
// measurements of 10 rounds call an A/A pair different (false alarms)
// and detect 2%, 5% and 10% slowdowns, three ways:
//
//   - interleaved: ab's method, each run repeating the benchmark 80
//     times for 250 iterations (-test.count 80 -test.benchtime 250x),
//     a round's value the best of its repetitions, judged by ab's paired
//     analysis;
//   - sequential: the same runs, all OLD rounds and then all NEW (as two
//     `go test -count` runs would be), judged by benchstat's
//     Mann-Whitney U test on the rounds' values, which is what one would
//     do with them;
//   - single: interleaved as ab did at first, one run of 20000
//     iterations per side and round (the same work as 80 x 250), paired.
//
// BENCHDB_AB_TRIALS sets the trials per cell (default 20);
// BENCHDB_AB_BUDGET bounds the whole experiment (default 15m), after
// which it reports the trials done; BENCHDB_AB_MODES picks some of the
// three ways (say "interleaved", for more trials of it in the time).
//
//	go test -tags integration -run TestExperiment -v -timeout 60m ./ab
func TestExperiment(t *testing.T) {
	trials := 20
	if s := os.Getenv("BENCHDB_AB_TRIALS"); s != "" {
		trials, _ = strconv.Atoi(s)
	}
	budget := 15 * time.Minute
	if s := os.Getenv("BENCHDB_AB_BUDGET"); s != "" {
		budget, _ = time.ParseDuration(s)
	}
	deadline := time.Now().Add(budget)
	modes := []string{"interleaved", "sequential", "single"}
	if s := os.Getenv("BENCHDB_AB_MODES"); s != "" {
		modes = strings.Fields(strings.ReplaceAll(s, ",", " "))
	}
	repo := abtest.MustRepo(t)
	slowdowns := []float64{0, 2, 5, 10}
	commits := map[float64]string{0: repo.Git("rev-parse", "HEAD")}
	for _, s := range slowdowns[1:] {
		iters := int(float64(abtest.BaseIters) * (1 + s/100))
		commits[s] = repo.Commit(fmt.Sprintf("+%g%%", s), map[string]string{"knobs.go": abtest.Knobs(iters, false, false)})
	}
	ctx := context.Background()
	ws, err := ab.NewWorkspace(ctx, repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	builds := map[float64]*ab.Build{}
	for _, s := range slowdowns {
		rev, err := ws.Repo.Resolve(ctx, commits[s])
		if err != nil {
			t.Fatal(err)
		}
		if builds[s], err = ws.Build(ctx, rev, nil); err != nil {
			t.Fatal(err)
		}
	}
	MustStartLoad(t, 1)

	type cell struct{ hits, n int }
	results := map[string]*cell{}
	key := func(mode string, s float64) string { return mode + "/" + strconv.FormatFloat(s, 'g', -1, 64) }
	for trial := 0; trial < trials && time.Now().Before(deadline); trial++ {
		for _, s := range slowdowns {
			for _, mode := range modes {
				cfg := ab.Config{Rounds: 10, Bench: "^BenchmarkWork$", Benchtime: "250x", Count: 80, TestArgs: []string{"-test.cpu=1"},
					Seed: uint64(trial), Sequential: mode == "sequential"}
				if mode == "single" {
					cfg.Benchtime, cfg.Count = "20000x", 1
				}
				m, err := ab.Measure(ctx, builds[0], builds[s], cfg)
				if err != nil {
					t.Fatal(err)
				}
				var hit bool
				if mode != "sequential" {
					row, ok := ab.Analyze(m, ab.AnalysisOptions{}).Row("example.com/slow", "Work", "sec/op")
					if !ok {
						t.Fatal("no Work row")
					}
					hit = row.Significant && (s == 0 || row.Ratio > 1)
				} else {
					hit = sequentialDetects(m, s == 0)
				}
				c := results[key(mode, s)]
				if c == nil {
					c = &cell{}
					results[key(mode, s)] = c
				}
				c.n++
				if hit {
					c.hits++
				}
			}
		}
	}
	var b strings.Builder
	b.WriteString("\n| change | interleaved, best of 80 x 250x (paired) | sequential, best of 80 x 250x (U test) | interleaved, one 20000x run (paired) |\n|---|---|---|---|\n")
	for _, s := range slowdowns {
		what := fmt.Sprintf("+%g%% detected", s)
		if s == 0 {
			what = "A/A false alarms"
		}
		fmt.Fprintf(&b, "| %s |", what)
		for _, mode := range []string{"interleaved", "sequential", "single"} {
			c := results[key(mode, s)]
			if c == nil {
				b.WriteString(" - |")
				continue
			}
			fmt.Fprintf(&b, " %d/%d (%.0f%%) |", c.hits, c.n, 100*float64(c.hits)/float64(c.n))
		}
		b.WriteString("\n")
	}
	if out, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(&b, "load average at the end (1, 5, 15 min): %s", out)
	}
	t.Log(b.String())
	// The bar: interleaved A/A at no more than alpha (with the
	// slack of a binomial 95% bound for this many trials) and 5% detected
	// in at least 90% of trials.
	aa, five := results[key("interleaved", 0)], results[key("interleaved", 5)]
	if aa == nil || five == nil {
		return // BENCHDB_AB_MODES left ab's own way out
	}
	if limit := 0.05*float64(aa.n) + 2*sqrt(0.05*0.95*float64(aa.n)); float64(aa.hits) > limit {
		t.Errorf("interleaved A/A: %d false alarms in %d trials, more than %.1f", aa.hits, aa.n, limit)
	}
	if float64(five.hits) < 0.9*float64(five.n) {
		t.Errorf("interleaved: 5%% slowdown detected in %d of %d trials, want at least 90%%", five.hits, five.n)
	}
}

func sqrt(x float64) float64 {
	z := x
	for range 30 {
		z = (z + x/z) / 2
	}
	return z
}

// sequentialDetects judges a sequential measurement as benchstat would:
// a Mann-Whitney U test of the OLD and NEW samples (each round's best
// value, as ab takes it) at alpha 0.05 (any direction for A/A, NEW
// slower otherwise).
func sequentialDetects(m *ab.Measurement, aa bool) bool {
	values := func(s ab.Side) []float64 {
		best := map[string]float64{}
		for _, r := range s.Results {
			if x, ok := r.Value("sec/op"); ok && strings.HasPrefix(string(r.Name), "Work") {
				round := r.GetConfig("round")
				if b, ok := best[round]; !ok || x < b {
					best[round] = x
				}
			}
		}
		var v []float64
		for _, x := range best {
			v = append(v, x)
		}
		return v
	}
	o, n := values(m.Old), values(m.New)
	th := benchmath.DefaultThresholds
	cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(o, &th), benchmath.NewSample(n, &th))
	if cmp.P > 0.05 {
		return false
	}
	if aa {
		return true
	}
	return medianOf(n) > medianOf(o)
}

func medianOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
