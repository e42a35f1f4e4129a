package nightly

import "math"

// sustainedNights and sustainedAlpha set the second way a slowdown
// becomes a suspect (Report.Suspects), beside suspectAlpha: the newest
// 2 or 3 nights all slower than every night of the level before them.
// Under no change every order of the nights is as likely, so that
// happens by chance with probability 1/C(m+k, k) for k new nights and m
// before them (1/35 for 3 after 4); it asks no estimate of the noise,
// which a spell of one slow night in a short baseline inflates until a
// doubling on the nights after it has p 0.3-0.5 against it.
const (
	sustainedNights = 3
	sustainedAlpha  = 0.05
)

// sustained returns v judged again as a level of the newest k nights
// (k = sustainedNights down to 2, the first that qualifies) that are all
// slower than every night of the baseline before them, by at least the
// threshold between their medians, with p the chance of that order; ok
// is false when no k qualifies. It never makes a regression: a verdict
// needs the noise; it makes a suspect, a slowdown worth one ab run.
func sustained(v verdict, opt Options) (verdict, bool) {
	n := len(v.levels)
	sign := 1.0
	if higherIsBetter(v.h.bench.Unit) {
		sign = -1
	}
	for k := sustainedNights; k >= 2; k-- {
		cur := n - k
		base := max(cur-opt.Baseline, 0)
		for _, cp := range v.cps {
			if cp < cur && cp > base {
				base = cp
			}
		}
		m := cur - base
		if m < minBaseline {
			continue
		}
		p := 1 / binomial(m+k, k)
		if p > sustainedAlpha {
			continue
		}
		before, after := v.levels[base:cur], v.levels[cur:]
		if !allFinite(before) || !allFinite(after) {
			continue
		}
		hiBefore, loAfter := math.Inf(-1), math.Inf(1)
		for _, l := range before {
			hiBefore = max(hiBefore, sign*l)
		}
		for _, l := range after {
			loAfter = min(loAfter, sign*l)
		}
		est := median(sortedCopy(after)) - median(sortedCopy(before))
		if loAfter <= hiBefore || sign*est < math.Log1p(opt.Threshold) {
			continue
		}
		w := v
		w.cur, w.base, w.est = cur, base, est
		sd, df := levelNoise(v.levels[base:cur])
		w.sd, w.df = moderate(sd, df, noisePrior{}, 0)
		w.se = w.sd * math.Sqrt(1/float64(m)+1/float64(k))
		w.p = p
		return w, true
	}
	return v, false
}

// binomial returns n choose k.
func binomial(n, k int) float64 {
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return c
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
