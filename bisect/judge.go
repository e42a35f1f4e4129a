package bisect

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/benchdb/benchdb/ab"
)

// judgeTotal measures BAD against GOOD, adding rounds until a change is
// significant or MaxRounds is reached, and picks the target: the
// benchmark (in sec/op when it changed, else any unit) with the largest
// significant change of at least Threshold. It returns nil when there is
// none.
func (b *bisector) judgeTotal(ctx context.Context, res *Result) (*ab.Row, error) {
	rounds := b.opts.Rounds
	b.progress(StepProgress{Commit: b.bad})
	for {
		m, err := b.measured(ctx, b.good, b.bad, b.bench, rounds)
		if err != nil {
			return nil, err
		}
		a := b.analyze(m)
		var best *ab.Row
		for i, r := range a.Rows {
			if !r.Significant || math.Abs(r.Pct()) < b.opts.Threshold {
				continue
			}
			if best == nil || unitPref(r.Unit) < unitPref(best.Unit) ||
				unitPref(r.Unit) == unitPref(best.Unit) && math.Abs(math.Log(r.Ratio)) > math.Abs(math.Log(best.Ratio)) {
				best = &a.Rows[i]
			}
		}
		if best != nil || rounds >= b.opts.MaxRounds {
			st := Step{Commit: b.bad, Against: b.good, Outcome: Total, Position: 1, PosLo: math.NaN(), PosHi: math.NaN(), Clear: best != nil,
				Stored: m.stored, Measured: m.rounds - m.stored}
			if best != nil {
				res.Target = Target{best.Package, best.Name, best.Unit}
				res.Total = *best
				st.Row = *best
				st.PosLo, st.PosHi = posInterval(*best, math.Log(best.Ratio))
			} else if len(a.Rows) > 0 {
				st.Row = a.Rows[0]
				res.Total = a.Rows[0]
				res.Target = Target{a.Rows[0].Package, a.Rows[0].Name, a.Rows[0].Unit}
			}
			res.Steps = append(res.Steps, st)
			b.progress(StepProgress{Commit: b.bad, Done: true, Outcome: Total, Estimate: 1})
			if best == nil {
				return nil, nil
			}
			b.bench = Pattern(best.Name)
			b.target = res.Target
			return best, nil
		}
		rounds = min(rounds+b.opts.Rounds, b.opts.MaxRounds)
	}
}

// unitPref prefers time over the other units.
func unitPref(u string) int {
	if u == "sec/op" {
		return 0
	}
	return 1
}

// posInterval returns the position interval of r's interval in units of
// the total log change T.
func posInterval(r ab.Row, T float64) (lo, hi float64) {
	lo, hi = math.Log(r.Lo)/T, math.Log(r.Hi)/T
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}

// judge measures candidate c against GOOD and decides.
func (b *bisector) judge(ctx context.Context, c ab.Revision, T float64) (*Step, error) {
	st := &Step{Commit: c, Against: b.good, Position: math.NaN(), PosLo: math.NaN(), PosHi: math.NaN()}
	b.progress(StepProgress{Commit: c})
	rounds := b.opts.Rounds
	for {
		m, err := b.measured(ctx, b.good, c, b.bench, rounds)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var be *ab.BuildError
		var fe *ab.BenchmarkError
		switch {
		case errors.As(err, &be), errors.As(err, &fe), errors.Is(err, ab.ErrNoBenchmarks):
			st.Outcome, st.Reason = Skip, err.Error()
			b.progress(StepProgress{Commit: c, Done: true, Outcome: Skip, Estimate: math.NaN()})
			return st, nil
		case err != nil:
			return nil, err
		}
		st.Stored, st.Measured = m.stored, m.rounds-m.stored
		row, ok := b.analyze(m).Row(b.target.Package, b.target.Name, b.target.Unit)
		if !ok {
			st.Outcome, st.Reason = Skip, "the benchmark is missing"
			b.progress(StepProgress{Commit: c, Done: true, Outcome: Skip, Estimate: math.NaN()})
			return st, nil
		}
		st.Row = row
		st.Position = math.Log(row.Ratio) / T
		if !math.IsNaN(row.Lo) {
			st.PosLo, st.PosHi = posInterval(row, T)
		}
		switch {
		case st.PosLo > 0.5:
			st.Outcome, st.Clear = Bad, true
		case st.PosHi < 0.5:
			st.Outcome, st.Clear = Good, true
		case rounds >= b.opts.MaxRounds:
			st.Outcome = Good
			if st.Position > 0.5 {
				st.Outcome = Bad
			}
			st.Reason = fmt.Sprintf("unclear after %d rounds: decided on the estimate", rounds)
		default:
			rounds = min(rounds+b.opts.Rounds, b.opts.MaxRounds)
			continue
		}
		b.progress(StepProgress{Commit: c, Done: true, Outcome: st.Outcome, Estimate: st.Position})
		return st, nil
	}
}

// judgeFinal measures the first bad commit against the last good one.
func (b *bisector) judgeFinal(ctx context.Context, lastGood, firstBad ab.Revision, T float64) (*Step, error) {
	st := &Step{Commit: firstBad, Against: lastGood, Outcome: Final, Position: math.NaN(), PosLo: math.NaN(), PosHi: math.NaN()}
	b.progress(StepProgress{Commit: firstBad})
	rounds := b.opts.Rounds
	for {
		m, err := b.measured(ctx, lastGood, firstBad, b.bench, rounds)
		if err != nil {
			return nil, fmt.Errorf("measure %s against %s: %w", firstBad.Short(), lastGood.Short(), err)
		}
		st.Stored, st.Measured = m.stored, m.rounds-m.stored
		row, ok := b.analyze(m).Row(b.target.Package, b.target.Name, b.target.Unit)
		if !ok {
			return nil, fmt.Errorf("measure %s against %s: the benchmark is missing", firstBad.Short(), lastGood.Short())
		}
		st.Row = row
		st.Position = math.Log(row.Ratio) / T
		if !math.IsNaN(row.Lo) {
			st.PosLo, st.PosHi = posInterval(row, T)
		}
		st.Clear = row.Significant
		if row.Significant || rounds >= b.opts.MaxRounds {
			b.progress(StepProgress{Commit: firstBad, Done: true, Outcome: Final, Estimate: st.Position})
			return st, nil
		}
		rounds = min(rounds+b.opts.Rounds, b.opts.MaxRounds)
	}
}
