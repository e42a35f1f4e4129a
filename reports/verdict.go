package reports

import (
	"math"
	"slices"
)

// A Verdict classifies a delta.
type Verdict int

// Verdicts.
const (
	Unchanged Verdict = iota
	Improvement
	Regression
)

// String returns "unchanged", "improvement" or "regression".
func (v Verdict) String() string {
	switch v {
	case Improvement:
		return "improvement"
	case Regression:
		return "regression"
	}
	return "unchanged"
}

// MarshalText implements encoding.TextMarshaler.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// decide sets P (adjusted with FDR), Significant and Verdict.
func (b *Builder) decide(t *Table) {
	if b.opts.FDR {
		for c := 1; c < len(t.Columns); c++ {
			ps := make([]float64, len(t.Rows))
			for i, r := range t.Rows {
				ps[i] = math.NaN()
				if d := r.Deltas[c]; d != nil {
					ps[i] = d.Comparison.P
				}
			}
			for i, q := range AdjustBH(ps) {
				if d := t.Rows[i].Deltas[c]; d != nil {
					d.P = q
				}
			}
		}
	}
	for _, r := range t.Rows {
		for _, d := range r.Deltas {
			if d == nil {
				continue
			}
			// benchstat: a change is significant unless p > alpha.
			// The exact assumption leaves Alpha 0 and P 0.
			d.Significant = !(d.P > d.Comparison.Alpha)
			d.Verdict = Unchanged
			if !d.Significant || d.Old == d.New || math.Abs(d.Pct) < b.opts.Threshold {
				continue
			}
			if (d.New > d.Old) == (t.Better > 0) {
				d.Verdict = Improvement
			} else {
				d.Verdict = Regression
			}
		}
	}
}

// sortByDelta orders rows worst regression first by the last column's
// delta; rows without that delta go last, in their previous order.
func sortByDelta(t *Table) {
	last := len(t.Columns) - 1
	score := func(r *Row) (float64, bool) {
		d := r.Deltas[last]
		if d == nil || math.IsNaN(d.Pct) {
			return 0, false
		}
		return d.Pct * float64(-t.Better), true
	}
	slices.SortStableFunc(t.Rows, func(a, b *Row) int {
		sa, oka := score(a)
		sb, okb := score(b)
		switch {
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
}
