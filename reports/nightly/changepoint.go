package nightly

// This file finds change points in a history of run levels: binary
// segmentation tested against the noise (changePoints, localNoise), and
// the robust means and splits it uses.

import (
	"math"
	"slices"
)

// changePoints finds the runs where the level of x changes, by binary
// segmentation: a segment is split where the difference of the means of
// its two parts, in units of its standard error
//
//	|mean(x[:t]) - mean(x[t:])| / (sd * sqrt(1/t + 1/(n-t))),
//
// is largest, when that maximum is significant at alpha against Student's
// t with df degrees of freedom, adjusted for the splits tried (see
// effectiveSplits); each part is then searched again. Both parts hold at least
// minSeg runs. sd is the night-to-night noise of x (a parametric test,
// unlike a permutation test, reaches significance on a series of seven
// nights when the step is large against the noise). When local is not
// nil, the split is tested against the noise inside its two parts
// instead (see localNoise). Each night of a segment is first clipped at
// winsorK sd from its neighbours' level (clipRuns). The result holds the
// sorted indices i
// where a new level starts at x[i].
func changePoints(x []float64, sd, df, alpha float64, local *localNoise) []int {
	if sd <= 0 {
		return nil
	}
	var cps []int
	// Each level of the recursion tests at half the level of the one
	// above, so that the segments of a real change are not split again
	// by chance.
	type seg struct {
		lo, hi int
		alpha  float64
	}
	stack := []seg{{0, len(x), alpha}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := s.hi - s.lo
		// The newest run may start a level of its own: a change on the
		// newest night is found on that night. (Deeper down, the newest
		// night is judged against the level before it anyway.)
		minRight := minSeg
		if s.lo == 0 && s.hi == len(x) {
			minRight = 1
		}
		if n < minSeg+minRight {
			continue
		}
		// Each night is clipped at its neighbours' level, not the
		// segment's median: a new level shorter than the rest of the
		// segment stays whole (clipped at the median, a doubling on the
		// newest three nights of fourteen became 4 sd and failed its
		// test), while a wild single night is still pulled in.
		v := clipRuns(x[s.lo:s.hi], winsorK, sd)
		var p float64
		stat, at := maxSplit(v, minSeg, minRight)
		if local != nil {
			p = local.test(v, at)
		} else {
			p = tTwoSided(stat/sd, df)
		}
		if effectiveSplits(n)*p > s.alpha {
			continue
		}
		cp := s.lo + at
		cps = append(cps, cp)
		stack = append(stack, seg{s.lo, cp, s.alpha / 2}, seg{cp, s.hi, s.alpha / 2})
	}
	slices.Sort(cps)
	return cps
}

// splitsTable holds, for segments of n runs, the number of independent
// tests the maximum over all splits (minSeg 2) is worth: a p-value times
// it is the p-value of the maximum. Measured by simulation on normal
// noise at the 0.01 level (100,000 segments each); Bonferroni over all
// n-3 splits would be 1.3 to 16 times too strict, as the statistics of
// neighbouring splits are correlated.
var splitsTable = []struct{ n, m float64 }{
	{4, 1}, {5, 1.9}, {7, 3.1}, {10, 5.3}, {14, 7.3}, {20, 9.9},
	{40, 15.8}, {100, 28.8}, {300, 40}, {1000, 61},
}

// effectiveSplits returns the number of independent tests the maximum
// split statistic of a segment of n runs is worth, interpolating
// splitsTable in log n (and growing with the square root of n past it).
func effectiveSplits(n int) float64 {
	x := float64(n)
	t := splitsTable
	if x <= t[0].n {
		return t[0].m
	}
	for i := 1; i < len(t); i++ {
		if x <= t[i].n {
			f := math.Log(x/t[i-1].n) / math.Log(t[i].n/t[i-1].n)
			return t[i-1].m + f*(t[i].m-t[i-1].m)
		}
	}
	last := t[len(t)-1]
	return last.m * math.Sqrt(x/last.n)
}

// maxSplit returns the largest standardised difference of means over the
// splits of v with at least minLeft values on the left and minRight on
// the right, and the split.
func maxSplit(v []float64, minLeft, minRight int) (float64, int) {
	n := len(v)
	total := 0.0
	for _, x := range v {
		total += x
	}
	sum := 0.0
	best, at := 0.0, 0
	for t := 1; t <= n-minRight; t++ {
		sum += v[t-1]
		if t < minLeft {
			continue
		}
		l, r := float64(t), float64(n-t)
		d := math.Abs(sum/l-(total-sum)/r) / math.Sqrt(1/l+1/r)
		if d > best {
			best, at = d, t
		}
	}
	return best, at
}

// A localNoise judges a split of a segment against the noise inside its
// two parts: their pooled variance, moderated by the benchmark's prior
// (see moderate) and at least floor. Unlike one noise for the whole
// history, it is not inflated by the step being tested, and it comes
// from the nights around the split, so a quiet benchmark's step on a
// short history reaches significance while a noisy one's does not.
type localNoise struct {
	prior noisePrior
	floor float64
}

// test returns the two-sided p-value of the difference of the means of
// v[:at] and v[at:], against the noise inside the two parts.
func (ln *localNoise) test(v []float64, at int) float64 {
	n := len(v)
	pdf := 0.0
	if ln.prior.sd > 0 {
		pdf = ln.prior.df
	}
	df := float64(n-2) + pdf
	if df <= 0 || at < 1 || at >= n {
		return 1
	}
	ml, mr := mean(v[:at]), mean(v[at:])
	ssw := 0.0
	for i, x := range v {
		m := ml
		if i >= at {
			m = mr
		}
		ssw += (x - m) * (x - m)
	}
	sd := max(math.Sqrt((ssw+pdf*ln.prior.sd*ln.prior.sd)/df), ln.floor, minNoise)
	l, r := float64(at), float64(n-at)
	return tTwoSided((ml-mr)/(sd*math.Sqrt(1/l+1/r)), df)
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// winsorize returns a copy of x with values farther than k*sd from the
// median moved to that limit.
func winsorize(x []float64, k, sd float64) []float64 {
	med := median(sortedCopy(x))
	w := slices.Clone(x)
	if sd == 0 {
		return w
	}
	for i, v := range w {
		w[i] = min(max(v, med-k*sd), med+k*sd)
	}
	return w
}

// clipRuns returns a copy of x with each value farther than k*sd from
// the median of the three nights around it (the value, the one before
// and the one after; at either end the three nearest) moved to that
// limit: a wild single night is pulled to its neighbours' level, while a
// level of two nights or more is kept whole.
func clipRuns(x []float64, k, sd float64) []float64 {
	w := slices.Clone(x)
	n := len(x)
	if sd == 0 || n < 3 {
		return w
	}
	for i, v := range x {
		lo := min(max(i-1, 0), n-3)
		a, b, c := x[lo], x[lo+1], x[lo+2]
		med := max(min(a, b), min(max(a, b), c))
		w[i] = min(max(v, med-k*sd), med+k*sd)
	}
	return w
}

// robustMean returns the mean of x winsorised at winsorK*sd.
func robustMean(x []float64, sd float64) float64 {
	s := 0.0
	for _, v := range winsorize(x, winsorK, sd) {
		s += v
	}
	return s / float64(len(x))
}

// historyChangePoints returns the change points of h's run levels (indices
// into h.runs), found with the benchmark's own noise alone: what a
// history page shows without a whole report's series prior.
func historyChangePoints(h *history, alpha float64) []int {
	levels := runLevels(h)
	sd, df := noise(levels)
	sd, df = moderate(sd, df, noisePrior{}, h.floor)
	kept, idx := despike(levels, sd)
	var cps []int
	for _, cp := range changePoints(kept, sd, df, alpha, nil) {
		cps = append(cps, idx[cp])
	}
	return cps
}

// refineSplit returns the t among cp-1, cp and cp+1 (within (lo,
// len(x))) that splits x[lo:] into two levels with the least total
// absolute deviation of the values from their level's median; cp among
// equals.
func refineSplit(x []float64, lo, cp int) int {
	best, at := absDev(x[lo:cp])+absDev(x[cp:]), cp
	for _, t := range []int{cp - 1, cp + 1} {
		if t <= lo || t >= len(x) {
			continue
		}
		if d := absDev(x[lo:t]) + absDev(x[t:]); d < best {
			best, at = d, t
		}
	}
	return at
}

// absDev returns the sum of absolute deviations of v from its median.
func absDev(v []float64) float64 {
	s := sortedCopy(v)
	med := median(s)
	d := 0.0
	for _, x := range s {
		d += math.Abs(x - med)
	}
	return d
}
