package nightly_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

var epoch = time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)

// suite returns count benchmarks of the given noise, with the given step
// (zero for none) at night stepNight. Every fourth is a rate (MB/s), whose
// step goes down so that it is a regression too.
func suite(prefix string, count int, cv, step float64, stepNight int) []nightlytest.Bench {
	var bs []nightlytest.Bench
	for i := range count {
		b := nightlytest.Bench{
			Pkg: "example.com/" + prefix, Name: fmt.Sprintf("%s/i=%d", prefix, i), Unit: "ns/op",
			Base: 1000 * float64(1+i%7), CV: cv, NightCV: cv / 4, Outliers: 0.02,
			Step: step, StepNight: stepNight,
		}
		if i%4 == 3 {
			b.Unit = "MB/s"
			b.Step = 1/(1+step) - 1
		}
		bs = append(bs, b)
	}
	return bs
}

// merge generates the histories and orders their runs by time.
func merge(cfgs ...nightlytest.Config) []nightlytest.Run {
	var runs []nightlytest.Run
	for _, c := range cfgs {
		runs = append(runs, nightlytest.Generate(c)...)
	}
	slices.SortStableFunc(runs, func(a, b nightlytest.Run) int { return a.Time.Compare(b.Time) })
	return runs
}

// TestBuild_Recall measures how many step regressions of 10% or more are
// reported on the night they happen, in every (step, CV) cell, and
// whether the change is attributed to the right run a few nights later:
// 64 steps a cell (TestBuild_RecallLarge, with the integration tag, does 1,600).
func TestBuild_Recall(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	measureRecall(t, 8)
}

// A cell is a (step, CV) pair of the recall measurement.
type cell struct{ step, cv float64 }

// measureRecall measures recall per cell and attribution over seeds
// histories, each with 8 steps of each size at each CV.
func measureRecall(t *testing.T, seeds uint64) {
	const stepNight = 30
	cvs := []float64{0.005, 0.01, 0.02, 0.03}
	steps := []float64{0.10, 0.15, 0.20, 0.50}
	found, total, attributed, attrTotal := 0, 0, 0, 0
	nullAlarms, nullNights := 0, 0
	cells := map[cell][2]int{} // found, total
	for seed := range seeds {
		var cfgs []nightlytest.Config
		for i, cv := range cvs {
			var bs []nightlytest.Bench
			for _, st := range steps {
				bs = append(bs, suite(fmt.Sprintf("Step%.0f", st*100), 8, cv, st, stepNight)...)
			}
			bs = append(bs, suite("Null", 32, cv, 0, 0)...)
			cfgs = append(cfgs, nightlytest.Config{
				Seed: seed*100 + uint64(i), Nights: stepNight + 4, Samples: 5, Start: epoch,
				Labels: map[string]string{"host": fmt.Sprintf("cv%.1f", cv*100)}, Benchmarks: bs,
			})
		}
		src := nightlytest.MustMemSource(t, merge(cfgs...))
		perHost := len(cvs)
		for _, night := range []int{stepNight, stepNight + 3} {
			sub := src.Until((night + 1) * perHost)
			rep, err := nightly.Build(context.Background(), sub, nightly.Options{Seed: seed, Now: func() time.Time { return epoch }})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*nightly.Change{}
			for _, c := range rep.Regressions {
				got[c.Series.Labels["host"]+" "+c.Name] = c
			}
			for _, c := range slices.Concat(rep.Regressions, rep.Improvements) {
				switch {
				case c.Package == "example.com/Null":
					nullAlarms++
					t.Logf("night %d: false alarm among steps: seed %d %s %s %+.1f%%", night, seed, c.Series.Labels["host"], c.Benchmark, c.Pct)
				case c.Kind() == "improvement":
					t.Errorf("night %d: step reported as improvement: %s %+.1f%%", night, c.Benchmark, c.Pct)
				}
			}
			for _, cfg := range cfgs {
				for _, b := range cfg.Benchmarks {
					if b.Step == 0 {
						nullNights++
						continue
					}
					c := got[cfg.Labels["host"]+" "+b.Name]
					if night == stepNight {
						// The step of a rate is 1/(1+step)-1: the same size in logarithms.
						k := cell{math.Round(100*math.Abs(math.Log1p(b.Step))) / 100, b.CV}
						v := cells[k]
						v[1]++
						total++
						if c != nil {
							v[0]++
							found++
						} else {
							t.Logf("missed: seed %d %s %s step %+.0f%%%s", seed, cfg.Labels["host"], b.Name, 100*b.Step, why(rep, cfg.Labels["host"], b.Name))
						}
						cells[k] = v
						continue
					}
					attrTotal++
					switch {
					case c == nil:
						t.Logf("not reported %d nights later: seed %d %s %s step %+.0f%%", night-stepNight, seed, cfg.Labels["host"], b.Name, 100*b.Step)
					case c.Change.Time.Equal(epoch.Add(stepNight * 24 * time.Hour)):
						attributed++
					default:
						t.Logf("misattributed: seed %d %s %s step %+.0f%% to %s", seed, cfg.Labels["host"], b.Name, 100*b.Step, c.Change.Time.Format(time.DateOnly))
					}
				}
			}
		}
	}
	t.Logf("recall on the night of the step (5 samples a night): %d/%d = %.1f%%", found, total, 100*float64(found)/float64(total))
	for _, st := range steps {
		line := fmt.Sprintf("  step %2.0f%%:", 100*st)
		for _, cv := range cvs {
			v := cells[cell{math.Round(100*math.Log1p(st)) / 100, cv}]
			line += fmt.Sprintf("  CV %.1f%% %d/%d", 100*cv, v[0], v[1])
		}
		t.Log(line)
	}
	for k, v := range cells {
		// A small measurement (64 steps a cell) varies by a few percent.
		want := 0.95
		if seeds < 50 {
			want = 0.85
		}
		if r := float64(v[0]) / float64(v[1]); r < want {
			t.Errorf("recall for steps of %.0f%% (log) at CV %.1f%%: %d/%d = %.1f%%, want >= %.0f%%", 100*k.step, 100*k.cv, v[0], v[1], 100*r, 100*want)
		}
	}
	if len(cells) != len(cvs)*len(steps) {
		t.Errorf("%d cells measured, want %d", len(cells), len(cvs)*len(steps))
	}
	t.Logf("attributed to the step's run 3 nights later: %d/%d = %.1f%%", attributed, attrTotal, 100*float64(attributed)/float64(attrTotal))
	if a := float64(attributed) / float64(attrTotal); a < 0.90 {
		t.Errorf("attribution %.3f, want >= 0.90", a)
	}
	// Alongside many true changes the Benjamini-Hochberg bound is loose,
	// so this is the minimum effect's rate; informative only.
	t.Logf("false alarms on the no-change benchmarks of these reports: %d in %d benchmark-nights (%.2f per 1000)", nullAlarms, nullNights, 1000*float64(nullAlarms)/float64(nullNights))
}

// TestBuild_FalseAlarms measures alarms on histories with no change, one
// report a night, including outliers, bimodal benchmarks and benchmarks
// whose nights vary more than their samples: about 8,000
// benchmark-nights.
func TestBuild_FalseAlarms(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	measureFalseAlarms(t, 35, 1)
}

// measureFalseAlarms reports every night from the 13th of histories
// nights long, over copies of each kind of benchmark.
func measureFalseAlarms(t *testing.T, nights, copies int) {
	var cfgs []nightlytest.Config
	for i, cv := range []float64{0.005, 0.01, 0.02, 0.03, 0.05} {
		bs := suite("Null", 40*copies, cv, 0, 0)
		for j := range 10 * copies {
			bs = append(bs, nightlytest.Bench{
				Pkg: "example.com/Bimodal", Name: fmt.Sprintf("Bimodal/i=%d", j), Unit: "ns/op",
				Base: 500, CV: cv, Bimodal: 0.08 + 0.04*float64(j%3), Outliers: 0.02,
			})
		}
		// Night-to-night variation as large as the samples' (the U test
		// of samples alone would be fooled by it).
		for j := range 20 * copies {
			bs = append(bs, nightlytest.Bench{
				Pkg: "example.com/Nightly", Name: fmt.Sprintf("Nightly/i=%d", j), Unit: "ns/op",
				Base: 500, CV: cv / 2, NightCV: cv, Outliers: 0.02,
			})
		}
		cfgs = append(cfgs, nightlytest.Config{
			Seed: 7 + uint64(i), Nights: nights, Samples: 5, Start: epoch,
			Labels: map[string]string{"host": fmt.Sprintf("cv%.1f", cv*100)}, Benchmarks: bs,
		})
	}
	src := nightlytest.MustMemSource(t, merge(cfgs...))
	hosts := len(cfgs)
	alarms, judged, noisy, benchNights := 0, 0, 0, 0
	noisyBy, alarmsBy := map[string]int{}, map[string]int{}
	for night := 12; night < nights; night++ {
		rep, err := nightly.Build(context.Background(), src.Until((night+1)*hosts), nightly.Options{Seed: uint64(night)})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range slices.Concat(rep.Regressions, rep.Improvements) {
			t.Logf("night %d: false alarm %s %s %+.1f%% p=%.2g", night, c.Series.Key(), c.Benchmark, c.Pct, c.P)
			alarmsBy[c.Series.Labels["host"]+" "+c.Package]++
		}
		alarms += len(rep.Regressions) + len(rep.Improvements)
		noisy += len(rep.Noisy)
		for _, n := range rep.Noisy {
			noisyBy[n.Series.Labels["host"]+" "+n.Package]++
		}
		for _, c := range cfgs {
			benchNights += len(c.Benchmarks)
		}
	}
	judged = benchNights - noisy
	rate := float64(alarms) / float64(benchNights)
	t.Logf("false alarms: %d in %d benchmark-nights (%.2f per 1000); %d judged, %d noisy", alarms, benchNights, 1000*rate, judged, noisy)
	for _, k := range slices.Sorted(maps.Keys(alarmsBy)) {
		t.Logf("  alarms %s: %d", k, alarmsBy[k])
	}
	for _, k := range slices.Sorted(maps.Keys(noisyBy)) {
		t.Logf("  noisy %s: %d", k, noisyBy[k])
	}
	if rate > 0.001 {
		t.Errorf("false alarm rate %.4f, want <= 0.001", rate)
	}
	// The rate counts noisy benchmarks as quiet; most must be judged.
	if f := float64(judged) / float64(benchNights); f < 0.7 {
		t.Errorf("%.0f%% of benchmark-nights judged, want >= 70%%", 100*f)
	}
}

// why explains why a benchmark is not among the changes of rep.
func why(rep *nightly.Report, host, name string) string {
	for _, n := range rep.Noisy {
		if n.Name == name && n.Series.Labels["host"] == host {
			return fmt.Sprintf(" (noisy: run CV %.1f%%)", 100*n.RunCV)
		}
	}
	for _, p := range rep.Pending {
		if p.Name == name && p.Series.Labels["host"] == host {
			return fmt.Sprintf(" (pending: %s %+.1f%% p=%.2g)", map[bool]string{true: "one night", false: "too short"}[p.Wait], p.Pct, p.P)
		}
	}
	for _, c := range rep.Improvements {
		if c.Name == name && c.Series.Labels["host"] == host {
			return fmt.Sprintf(" (%s %+.1f p=%.2g raw=%.2g)", c.Series.Key(), c.Pct, c.P, c.RawP)
		}
	}
	return ""
}

// skipUnderRace skips a test that builds thousands of reports: nothing in
// reports/nightly starts a goroutine, so the race detector has nothing to
// check there and would only multiply the test's time by ten. `go test
// ./reports/nightly` runs them (.ci/run does, after the race run).
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("deterministic statistics over thousands of reports, no goroutines: run without -race (go test ./reports/nightly)")
	}
}

// TestBuild_shortFalseAlarms: unchanged histories of 4 to 9 nights on a
// machine that drifts (shared by all benchmarks, seen by the probe) and
// with each benchmark's own night-to-night noise, at CV 1-20%: every
// report raises at most one alarm in 1,000 benchmark-nights (measured:
// 19 in 24,000; 11 before shortPriors, 31 with every benchmark's prior
// lowered).
func TestBuild_shortFalseAlarms(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	alarms, benchNights := 0, 0
	for _, cv := range []float64{0.01, 0.03, 0.05, 0.1, 0.2} {
		for seed := range 40 {
			var bs []nightlytest.Bench
			for j := range 20 {
				bs = append(bs, nightlytest.Bench{Pkg: "example.com/Null", Name: fmt.Sprintf("Null/i=%d", j), Unit: "ns/op",
					Base: 500 * float64(1+j), CV: cv / 2, NightCV: cv, Outliers: 0.02})
			}
			cfg := nightlytest.Config{Seed: uint64(1000*seed) + uint64(cv*1000), Nights: 9, Samples: 5, Start: epoch,
				Labels: map[string]string{"host": "short"}, Benchmarks: bs, MachineCV: cv / 2, MachineTail: 0.02, Probe: true}
			src := nightlytest.MustMemSource(t, nightlytest.Generate(cfg))
			for upto := 4; upto <= 9; upto++ {
				rep, err := nightly.Build(context.Background(), src.Until(upto), nightly.Options{Now: func() time.Time { return epoch }})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range slices.Concat(rep.Regressions, rep.Improvements) {
					t.Logf("CV %.0f%% seed %d, %d nights: false alarm %s %+.1f%% at %d (p %.2g)", 100*cv, seed, upto, c.Name, c.Pct, c.ChangeIndex, c.P)
					alarms++
				}
				benchNights += len(bs)
			}
		}
	}
	t.Logf("short histories: %d false alarms in %d benchmark-nights", alarms, benchNights)
	if alarms*1000 > benchNights {
		t.Errorf("short histories: %d false alarms in %d benchmark-nights, want at most 1 in 1,000", alarms, benchNights)
	}
}
