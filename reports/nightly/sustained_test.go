package nightly_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// TestBuild_sustainedSuspect: a doubling on the newest three nights,
// after four nights one of which ran 1.8 times as long (a spell of load),
// has p 0.3-0.5 against the noise those nights show, which the spell
// inflates; it is not a regression, but every one of its nights is slower
// than every night before it (1 chance in 35 by chance): a suspect at the
// step's night, with the command that settles it. Not so when one new
// night is no slower than the spell, when the slower nights are a
// speed-up of a higher-is-better unit, or when the commit did not change.
func TestBuild_sustainedSuspect(t *testing.T) {
	base := []float64{100, 104, 180, 98}
	build := func(t *testing.T, runs []nightlytest.Run) *nightly.Report {
		t.Helper()
		rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	t.Run("doubling", func(t *testing.T) {
		rep := build(t, levelRuns(append(append([]float64(nil), base...), 205, 230, 215)))
		if len(rep.Regressions) != 0 || len(rep.Suspects) != 1 {
			t.Fatalf("%d regressions, %d suspects; want the doubling as a suspect", len(rep.Regressions), len(rep.Suspects))
		}
		s := rep.Suspects[0]
		if s.ChangeIndex != len(base) || s.Change.Labels["commit"] != "c4" || s.Good.Labels["commit"] != "c3" {
			t.Errorf("suspect at %d (%s after %s), want %d (c4 after c3)", s.ChangeIndex, s.Change.Labels["commit"], s.Good.Labels["commit"], len(base))
		}
		if math.Abs(s.RawP-1/35.0) > 1e-12 {
			t.Errorf("p %.4g, want 1/35", s.RawP)
		}
		if s.Pct < 90 || s.Pct > 130 || s.Confirm() == "" {
			t.Errorf("suspect %+.1f%%, command %q; want about +100%% (the medians' change)", s.Pct, s.Confirm())
		}
	})
	t.Run("one new night as fast as the spell", func(t *testing.T) {
		if rep := build(t, levelRuns(append(append([]float64(nil), base...), 205, 175, 215))); len(rep.Suspects) != 0 {
			t.Errorf("%d suspects: %+.1f%%", len(rep.Suspects), rep.Suspects[0].Pct)
		}
	})
	t.Run("same commit", func(t *testing.T) {
		runs := levelRuns(append(append([]float64(nil), base...), 205, 230, 215))
		for i := range runs {
			runs[i].Labels["commit"] = "c0"
		}
		if rep := build(t, runs); len(rep.Suspects) != 0 {
			t.Errorf("one commit: %d suspects", len(rep.Suspects))
		}
	})
	t.Run("higher is better", func(t *testing.T) {
		// MB/s: the spell is a slow night (fewer MB/s); more MB/s on the
		// newest nights is a speed-up, fewer a slowdown.
		throughput := func(levels []float64) []nightlytest.Run {
			runs := levelRuns(levels)
			for i, l := range levels {
				var b strings.Builder
				b.WriteString("goos: linux\ngoarch: amd64\npkg: p\n")
				for _, f := range []float64{0.995, 0.9975, 1, 1.0025, 1.005} {
					fmt.Fprintf(&b, "BenchmarkB-2 \t1000000\t%.2f MB/s\n", l*f)
				}
				runs[i].Text = []byte(b.String())
			}
			return runs
		}
		if rep := build(t, throughput([]float64{100, 104, 180, 98, 210, 230, 220})); len(rep.Suspects) != 0 {
			t.Errorf("faster: %d suspects: %+.1f%%", len(rep.Suspects), rep.Suspects[0].Pct)
		}
		rep := build(t, throughput([]float64{100, 96, 55, 102, 48, 44, 47}))
		if len(rep.Suspects) != 1 || rep.Suspects[0].Kind() != "regression" || rep.Suspects[0].ChangeIndex != 4 {
			t.Fatalf("slower: %d suspects, want one at night 4", len(rep.Suspects))
		}
	})
}
