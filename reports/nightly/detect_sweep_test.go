package nightly_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// sweepRow is one noise level of the synthetic sweep.
type sweepRow struct {
	cv float64
	// found[s], total[s]: steps of size steps[s] reported at the right
	// run within two nights; onNight those reported on the step's own
	// night.
	found, onNight, total []int
	wrong                 int // reported, attributed to another run
	alarms, nullNights    int
}

// sweepSteps are the step sizes of the sweep.
var sweepSteps = []float64{0.10, 0.20, 0.50, 1.00}

// measureSweep measures recall, attribution and false alarms on synthetic
// histories at each CV, with machine-wide drift (every benchmark of a
// night moved by a shared factor of CV/2, and one night in 50 wild),
// heavy-tailed nights, slow drift and missing nights, with the
// calibration probe in every run. Each benchmark's samples vary by CV and
// its nights by CV/2 besides.
func measureSweep(t *testing.T, seeds uint64, cvs []float64) []sweepRow {
	const stepNight, nights = 30, 33
	var rows []sweepRow
	for _, cv := range cvs {
		row := sweepRow{cv: cv, found: make([]int, len(sweepSteps)), onNight: make([]int, len(sweepSteps)), total: make([]int, len(sweepSteps))}
		for seed := range seeds {
			var bs []nightlytest.Bench
			for si, st := range sweepSteps {
				for i := range 4 {
					bs = append(bs, nightlytest.Bench{Pkg: "example.com/step", Name: fmt.Sprintf("Step/s=%d/i=%d", si, i), Unit: "ns/op",
						Base: 1000 * float64(1+i), CV: cv, NightCV: cv / 2, Tail: 0.02, Outliers: 0.02, Step: st, StepNight: stepNight})
				}
			}
			for i := range 16 {
				b := nightlytest.Bench{Pkg: "example.com/null", Name: fmt.Sprintf("Null/i=%d", i), Unit: "ns/op",
					Base: 500 * float64(1+i%5), CV: cv, NightCV: cv / 2, Tail: 0.02, Outliers: 0.02}
				switch i % 4 {
				case 1:
					b.Drift = 0.001
				case 2:
					b.BimodalRuns = cv
				}
				bs = append(bs, b)
			}
			cfg := nightlytest.Config{Seed: 1000*seed + uint64(cv*1000), Nights: nights, Samples: 5, Start: epoch,
				Labels: map[string]string{"host": "sweep"}, Benchmarks: bs, MachineCV: cv / 2, MachineTail: 0.02, Probe: true}
			runs := nightlytest.Generate(cfg)
			// Keep every night from the step on: the step's night must be
			// there to be found on it; earlier nights may be missing.
			kept := runs[:0]
			for i, r := range runs {
				night := int(r.Time.Sub(epoch) / (24 * time.Hour))
				if night >= stepNight-1 || i%17 != 5 {
					kept = append(kept, r)
				}
			}
			src := nightlytest.MustMemSource(t, kept)
			stepRun := -1
			for i, r := range kept {
				if r.Time.Equal(epoch.Add(stepNight * 24 * time.Hour)) {
					stepRun = i
				}
			}
			reported := map[string]bool{}
			for d := range 3 {
				rep, err := nightly.Build(context.Background(), src.Until(stepRun+1+d), nightly.Options{Now: func() time.Time { return epoch }})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range slices.Concat(rep.Regressions, rep.Improvements) {
					if strings.HasPrefix(c.Name, "Null/") {
						row.alarms++
						t.Logf("CV %.0f%% seed %d day %d: false alarm %s %+.1f%% at %d (step run %d) corrected %v machine %.1f drift %.1f", 100*cv, seed, d, c.Name, c.Pct, c.ChangeIndex, stepRun, c.Corrected, c.Machine, c.Drift)
						continue
					}
					if reported[c.Name] {
						continue
					}
					reported[c.Name] = true
					var si int
					fmt.Sscanf(c.Name, "Step/s=%d/", &si)
					if c.ChangeIndex != stepRun || c.Kind() != "regression" {
						row.wrong++
						t.Logf("CV %.0f%% seed %d day %d: misattributed %s %+.1f%% at %d (step run %d) corrected %v machine %.1f drift %.1f", 100*cv, seed, d, c.Name, c.Pct, c.ChangeIndex, stepRun, c.Corrected, c.Machine, c.Drift)
						continue
					}
					row.found[si]++
					if d == 0 {
						row.onNight[si]++
					}
				}
				row.nullNights += 16
			}
			for si := range sweepSteps {
				row.total[si] += 4
			}
		}
		rows = append(rows, row)
	}
	t.Logf("synthetic sweep, %d histories a row (machine drift CV/2, 2%% wild nights, slow drift, missing nights, probe):", seeds)
	t.Logf("  %-6s  %-28s  %-28s  %-7s  %s", "CV", "within 2 nights: 10/20/50/100%", "on the night: 10/20/50/100%", "misattr", "false alarms")
	for _, r := range rows {
		var w, o []string
		for si := range sweepSteps {
			w = append(w, fmt.Sprintf("%3.0f%%", 100*float64(r.found[si])/float64(r.total[si])))
			o = append(o, fmt.Sprintf("%3.0f%%", 100*float64(r.onNight[si])/float64(r.total[si])))
		}
		t.Logf("  %4.1f%%   %-28s  %-28s  %-7d  %d in %d (%.2f per 1000)", 100*r.cv, strings.Join(w, " "), strings.Join(o, " "), r.wrong,
			r.alarms, r.nullNights, 1000*float64(r.alarms)/float64(r.nullNights))
	}
	return rows
}

// TestDetection_Synthetic is the default-tier sweep: few histories, checks
// that large steps are found and nothing is alarmed at every noise level.
func TestDetection_Synthetic(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	rows := measureSweep(t, sweepSeeds, []float64{0.01, 0.03, 0.05, 0.10, 0.20, 0.30})
	for _, r := range rows {
		// The night-to-night noise of a benchmark, in logarithms: its
		// samples' mean (CV/sqrt(5)), its own night factor (CV/2) and the
		// machine's (CV/2, which the probe removes).
		noise := r.cv * math.Sqrt(1.0/5+0.25)
		for si, st := range sweepSteps {
			if math.Log1p(st) < 4*noise || st < 0.2 {
				continue
			}
			// Found at the right run within two nights, but for the few
			// whose previous night was wild (attributed to that night).
			if r.found[si] < r.total[si]*3/4 {
				t.Errorf("CV %.0f%%: found %d/%d steps of %.0f%% (%.1fx the noise)", 100*r.cv, r.found[si], r.total[si], 100*st, math.Log1p(st)/noise)
			}
		}
		if r.alarms > 1 {
			t.Errorf("CV %.0f%%: %d false alarms in %d benchmark-nights", 100*r.cv, r.alarms, r.nullNights)
		}
	}
}

var _ = math.Abs

// sweepSeeds is the number of histories a noise level of the default
// sweep (BENCHDB_SWEEP_SEEDS overrides it, to measure).
var sweepSeeds = func() uint64 {
	if n, err := strconv.ParseUint(os.Getenv("BENCHDB_SWEEP_SEEDS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 4
}()
