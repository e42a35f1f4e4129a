package paired

import (
	"math"
	"slices"
)

// Rounds holds one side's values of one benchmark in one unit, by round.
type Rounds map[int][]float64

// A Comparison is NEW against OLD, round by round: the round's NEW value
// divided by the same round's OLD value, so that what the machine did
// during the round cancels.
type Comparison struct {
	// Rounds is the number of rounds with a value on both sides, and
	// Repetitions the most values one side had in one round.
	Rounds, Repetitions int
	// OldMedian and NewMedian are the medians over the rounds of each
	// side's round values.
	OldMedian, NewMedian float64
	// Ratios are the per-round ratios NEW/OLD, in round order.
	Ratios []float64
	// Ratio is exp of the Hodges-Lehmann estimate of the per-round log
	// ratios: the typical NEW/OLD. Lo and Hi bound its confidence
	// interval, of exact level Confidence; all three are NaN when there
	// are too few rounds (6 for 95%).
	Ratio, Lo, Hi, Confidence float64
	// P is the two-sided p-value of the Wilcoxon signed-rank test.
	P float64
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

// Significant reports whether the interval is bounded and excludes 1.
func (c Comparison) Significant() bool { return c.Lo > 1 || c.Hi < 1 }

// Compare compares new with old over the rounds both have. A round in
// which a side has several values uses their best (the least, or the
// greatest where better > 0: higher is better) when best is set, else
// their median. confidence is the interval's level.
func Compare(old, new Rounds, better int, confidence float64, best bool) Comparison {
	var rounds []int
	for r := range old {
		if _, ok := new[r]; ok {
			rounds = append(rounds, r)
		}
	}
	slices.Sort(rounds)
	summary := medianOf
	if best {
		summary = func(xs []float64) float64 { return bestOf(xs, better) }
	}
	var c Comparison
	var d, olds, news, xs, logOld []float64
	for _, r := range rounds {
		c.Repetitions = max(c.Repetitions, len(old[r]), len(new[r]))
		if len(old[r]) == 0 || len(new[r]) == 0 {
			continue
		}
		ov, nv := summary(old[r]), summary(new[r])
		olds, news = append(olds, ov), append(news, nv)
		var lr float64
		switch {
		case ov == nv:
			lr = 0
		case ov <= 0 || nv <= 0:
			continue
		default:
			lr = math.Log(nv / ov)
		}
		d = append(d, lr)
		c.Ratios = append(c.Ratios, math.Exp(lr))
		if ov > 0 {
			xs, logOld = append(xs, float64(r)), append(logOld, math.Log(ov))
		}
	}
	c.Rounds = len(d)
	c.OldMedian, c.NewMedian = medianOf(olds), medianOf(news)
	w := signedRank(d, confidence)
	c.Ratio, c.Lo, c.Hi, c.Confidence, c.P = math.Exp(w.center), math.Exp(w.lo), math.Exp(w.hi), w.conf, w.p
	c.Drift, c.Resolution = math.NaN(), math.NaN()
	if len(xs) >= 3 {
		c.Drift = math.Exp(theilSen(xs, logOld) * (xs[len(xs)-1] - xs[0]))
	}
	if !math.IsNaN(w.lo) {
		z := math.Sqrt2 * math.Erfinv(confidence)
		c.Resolution = math.Exp((w.hi - w.lo) / 2 * (z + 0.8416) / z)
	}
	return c
}

// bestOf returns the least value of xs, or the greatest when higher is
// better (better > 0).
func bestOf(xs []float64, better int) float64 {
	if better > 0 {
		return slices.Max(xs)
	}
	return slices.Min(xs)
}
