package ab

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/paired"
	"github.com/benchdb/benchdb/reports"
)

// Defaults for AnalysisOptions fields left zero.
const DefaultConfidence = 0.95

// AnalysisOptions says how to judge a measurement.
type AnalysisOptions struct {
	// Confidence is the confidence level of the intervals;
	// DefaultConfidence when zero.
	Confidence float64
	// Threshold, in percent, makes a significant change smaller than it
	// count as unchanged.
	Threshold float64
	// Within says how the values of one benchmark in one round on one
	// side (Config.Count repetitions, or several -cpu values of one
	// name) make the round's value: WithinBest when empty, or
	// WithinMedian.
	Within string
}

// Statistics of the values within a round, for AnalysisOptions.Within.
//
// WithinBest is the default because the noise of a shared machine is
// one-sided: another process taking the CPU, a cache flushed, an
// interrupt only ever add time, so the least disturbed repetition is the
// best estimate of the code's own cost, and the best of many
// repetitions is far steadier than their median or a single long run
// (Chen and Revels, "Robust benchmarking in noisy environments", 2016,
// argue the same for the minimum). Measured on this project's 2-core
// machine at load average 16-20 (README, "A/B runs"): the per-round log
// ratio of a 10% change had a standard deviation of 25% as one run of
// 20000 iterations, 7.8% as the median and 3.0% as the minimum of 80
// repetitions of 250. For units where higher is better (MB/s) the best
// is the maximum.
const (
	WithinBest   = "best"
	WithinMedian = "median"
)

// An Analysis is the paired comparison of a Measurement's two sides.
type Analysis struct {
	Old, New   Revision
	Rounds     int
	Seed       uint64
	Sequential bool
	Confidence float64
	Threshold  float64
	// Within is the statistic of the values within a round
	// (AnalysisOptions.Within, WithinBest when it was empty), and
	// Repetitions the most values one benchmark had in one round on one
	// side (Config.Count, times the -cpu values of one name).
	Within      string
	Repetitions int
	// AA is set when both sides are the same code (the same commit, or
	// both the working tree): every significant change is a false alarm,
	// and Resolution says what the setup can detect.
	AA bool
	// Rows has one row per package, benchmark and unit, sorted by
	// package, then unit (sec/op first), then name.
	Rows []Row
	// Warnings are the Measurement's and the analysis's caveats.
	Warnings []string
}

// A Row compares one benchmark in one unit.
type Row struct {
	Package, Name, Unit string
	// Better is +1 when higher values are better (rates), else -1.
	Better int
	// Rounds is the number of rounds with a value on both sides.
	Rounds int
	// OldMedian and NewMedian are the medians over the rounds of each
	// side's round values, in base units (seconds, bytes).
	OldMedian, NewMedian float64
	// Ratios are the per-round ratios NEW/OLD, in round order.
	Ratios []float64
	// Ratio is exp of the Hodges-Lehmann estimate of the per-round log
	// ratios: the typical NEW/OLD. Lo and Hi bound its confidence
	// interval; both are NaN when there are too few rounds (6 for 95%).
	Ratio, Lo, Hi float64
	// Confidence is the interval's exact level (at least the one asked).
	Confidence float64
	// P is the two-sided p-value of the Wilcoxon signed-rank test.
	P float64
	// Significant is set when the interval excludes 1.
	Significant bool
	// Verdict is "regression", "improvement" or "unchanged", or "" when
	// the interval is unbounded.
	Verdict string
	// Drift is how much OLD moved over the rounds, as a ratio last/first
	// from the Theil-Sen slope of its log over the round number; NaN with
	// fewer than 3 rounds.
	Drift float64
	// Resolution is the smallest change, as a ratio above 1, that a
	// measurement as noisy as this one detects with a probability of
	// about 80%: the interval's half width scaled by
	// (z(1-α/2)+z(0.8))/z(1-α/2). NaN when the interval is unbounded.
	Resolution float64
}

// Pct returns (Ratio-1)*100.
func (r Row) Pct() float64 { return (r.Ratio - 1) * 100 }

// Analyze compares the two sides of m round by round. Each benchmark's
// rounds are paired: the round's NEW value divided by the same round's
// OLD value, so that what the machine did during the round cancels. A
// round in which a side has several values (Config.Count repetitions or
// several -cpu values of one name) uses their best or their median, as
// opts.Within says.
func Analyze(m *Measurement, opts AnalysisOptions) *Analysis {
	conf := cmp.Or(opts.Confidence, DefaultConfidence)
	within := cmp.Or(opts.Within, WithinBest)
	a := &Analysis{
		Old: m.Old.Rev, New: m.New.Rev, Rounds: m.Rounds, Seed: m.Seed, Sequential: m.Sequential,
		Confidence: conf, Threshold: opts.Threshold, Within: within,
		AA:       m.Old.Rev.Commit == m.New.Rev.Commit && m.Old.Rev.WorkTree == m.New.Rev.WorkTree,
		Warnings: slices.Clone(m.Warnings),
	}
	type key struct{ pkg, name, unit string }
	type perRound map[int][]float64
	oldV, newV := map[key]perRound{}, map[key]perRound{}
	var keys []key
	collect := func(rs []*benchfmt.Result, into map[key]perRound) {
		for _, r := range rs {
			round, err := strconv.Atoi(r.GetConfig("round"))
			if err != nil {
				continue
			}
			for _, v := range r.Values {
				k := key{r.GetConfig("pkg"), string(r.Name.Full()), v.Unit}
				if _, ok := oldV[k]; !ok {
					if _, ok := newV[k]; !ok {
						keys = append(keys, k)
					}
				}
				if into[k] == nil {
					into[k] = perRound{}
				}
				into[k][round] = append(into[k][round], v.Value)
			}
		}
	}
	collect(m.Old.Results, oldV)
	collect(m.New.Results, newV)

	for _, k := range keys {
		o, n := oldV[k], newV[k]
		if o == nil || n == nil {
			side := "old"
			if o == nil {
				side = "new"
			}
			a.Warnings = append(a.Warnings, k.pkg+" "+k.name+" "+k.unit+": only in "+side)
			continue
		}
		row := Row{Package: k.pkg, Name: k.name, Unit: k.unit, Better: reports.Direction(k.unit, nil)}
		c := paired.Compare(paired.Rounds(o), paired.Rounds(n), row.Better, conf, within == WithinBest)
		a.Repetitions = max(a.Repetitions, c.Repetitions)
		row.Rounds, row.OldMedian, row.NewMedian, row.Ratios = c.Rounds, c.OldMedian, c.NewMedian, c.Ratios
		row.Ratio, row.Lo, row.Hi, row.Confidence, row.P = c.Ratio, c.Lo, c.Hi, c.Confidence, c.P
		row.Drift, row.Resolution = c.Drift, c.Resolution
		if !math.IsNaN(c.Lo) {
			row.Significant = c.Significant()
			row.Verdict = "unchanged"
			if row.Significant && math.Abs(row.Pct()) >= opts.Threshold {
				if (row.Ratio > 1) == (row.Better > 0) {
					row.Verdict = "improvement"
				} else {
					row.Verdict = "regression"
				}
			}
		}
		a.Rows = append(a.Rows, row)
	}
	slices.SortStableFunc(a.Rows, func(x, y Row) int {
		return cmp.Or(cmp.Compare(x.Package, y.Package), cmp.Compare(unitRank(x.Unit), unitRank(y.Unit)),
			cmp.Compare(x.Unit, y.Unit), cmp.Compare(x.Name, y.Name))
	})
	if len(a.Rows) > 0 && math.IsNaN(a.Rows[0].Lo) {
		a.Warnings = append(a.Warnings, "too few rounds for a confidence interval: use --rounds 6 or more (10 by default)")
	}
	return a
}

// unitRank puts sec/op first, then B/op and allocs/op, then the rest.
func unitRank(u string) int {
	switch u {
	case "sec/op":
		return 0
	case "B/op":
		return 1
	case "allocs/op":
		return 2
	}
	return 3
}

// Regressions returns the rows whose verdict is regression.
func (a *Analysis) Regressions() []Row {
	var out []Row
	for _, r := range a.Rows {
		if r.Verdict == "regression" {
			out = append(out, r)
		}
	}
	return out
}

// Row returns the row of pkg, name and unit, and whether there is one.
func (a *Analysis) Row(pkg, name, unit string) (Row, bool) {
	for _, r := range a.Rows {
		if r.Package == pkg && r.Name == name && r.Unit == unit {
			return r, true
		}
	}
	return Row{}, false
}
