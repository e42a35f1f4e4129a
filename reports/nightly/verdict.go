package nightly

import (
	"math"
	"slices"
)

// ProbePackage is the package under which `benchdb run` stores its
// calibration probe (runner.ProbePackage): fixed CPU-bound and
// memory-bound work whose level is the machine's speed that night. Its
// results are never judged; they measure the machine.
const ProbePackage = "benchdb/probe"

// Constants of the verdict. See the package documentation.
const (
	// noiseAlpha is the two-sided p-value a change must reach against the
	// benchmark's night-to-night noise (one night in 200 each way for a
	// benchmark with no change), before the false discovery rate across
	// the report's benchmarks (Options.Alpha) decides. It was 0.002 while
	// every benchmark's noise was moderated towards its siblings' typical
	// noise; with each benchmark's own noise (fitPriors, localNoise) the
	// stricter level only hid real steps: on the real-noise corpus it
	// missed 6 of 64 more, and raised no fewer false alarms.
	noiseAlpha = 0.01
	// minBaseline is the fewest earlier runs a verdict needs: with fewer,
	// the night-to-night noise of the benchmark is unknown and a change
	// cannot be told from it.
	minBaseline = 3
	// noiseRuns is the most runs the night-to-night noise is estimated
	// from: enough for a precise estimate, few enough that a slow drift
	// does not count as noise.
	noiseRuns = 100
	// minSeg is the shortest segment between two change points.
	minSeg = 2
	// winsorK is how many noise standard deviations from its segment's
	// median a run level may lie before it is pulled in: one wild night
	// neither makes nor hides a change.
	winsorK = 4
	// minNoise is the smallest night-to-night noise assumed (0.0001%), so
	// that a history of constant values (0 allocs/op) changes measurably.
	minNoise = 1e-6
)

// noise estimates the night-to-night standard deviation of run levels x
// from their successive differences, which a step in x barely touches,
// and returns it with its approximate degrees of freedom. The largest
// quarter of the differences (at least one) are left out, so that wild
// nights (each makes two large differences) or a step do not inflate it, and the root mean square of the
// rest is scaled to the standard deviation of normal noise. Unlike a
// median or interquartile estimate it does not collapse when most
// differences are zero, as in a benchmark with two modes. With fewer than
// three values it returns 0, 0.
func noise(x []float64) (sd, df float64) {
	if len(x) < 3 {
		return 0, 0
	}
	d := make([]float64, len(x)-1)
	for i := range d {
		d[i] = math.Abs(x[i+1] - x[i])
	}
	slices.Sort(d)
	keep := len(d) - max(1, len(d)/4)
	ss := 0.0
	for _, v := range d[:keep] {
		ss += v * v
	}
	// The variance of a standard normal kept within its central fraction
	// f: 1 - 2*q*phi(q)/f with q the (1+f)/2 quantile.
	f := float64(keep) / float64(len(d))
	q := normalQuantile((1 + f) / 2)
	tv := 1 - 2*q*math.Exp(-q*q/2)/math.Sqrt(2*math.Pi)/f
	return math.Sqrt(ss/float64(keep)/tv) / math.Sqrt2, max(1, float64(keep)/1.5)
}

// levelNoise estimates the night-to-night noise of run levels x with no
// change point among them: their trimmed standard deviation (trimmedSD),
// nearly as precise as the standard deviation, unless the successive
// differences (noise) show clearly more, as when the levels jump between
// two modes, which trimming can hide.
func levelNoise(x []float64) (sd, df float64) {
	if len(x) < 3 {
		return 0, 0
	}
	sd, df = trimmedSD(x), float64(len(x)-1)
	if d, ddf := noise(x); d > 1.5*sd {
		return d, ddf
	}
	return sd, df
}

// A noisePrior is the typical night-to-night noise of a series'
// benchmarks (see fitPrior) and its weight in degrees of freedom.
type noisePrior struct{ sd, df float64 }

// fitPriors returns the prior of each history's night-to-night noise.
//
// The noise of benchmarks run side by side differs by a factor of five
// or more (on a busy machine a 100-element sort moves 14% from night to
// night, a string search 70%), so one typical noise for the series would
// hide a quiet benchmark's changes behind its noisy siblings. Part of the
// difference shows inside every run: a benchmark's within-run floor (the
// standard error of a level from its own samples, h.floor). So the prior
// is fitted as in limma-trend (fitPriorTrend): the series' benchmarks'
// own estimates against their floors, a power of the floor as far as the
// data show one, and each benchmark's prior is that fit at its own floor,
// worth as many degrees of freedom as the benchmarks agree with it.
// Histories without a floor (one sample a run, or constant values) get
// the series' typical noise (fitPrior).
func fitPriors(order []*history) map[*history]noisePrior {
	type acc struct{ sds, dfs, floors []float64 }
	bySeries := map[*Series]*acc{}
	for _, h := range order {
		if h.bench.Package == ProbePackage {
			continue
		}
		sd, df := noise(h.levels)
		if df < 2 {
			continue
		}
		a := bySeries[h.series]
		if a == nil {
			a = &acc{}
			bySeries[h.series] = a
		}
		a.sds = append(a.sds, max(sd, h.floor, minNoise))
		a.dfs = append(a.dfs, df)
		a.floors = append(a.floors, h.floor)
	}
	type fit struct {
		plain   noisePrior
		a, b, d float64
	}
	fits := map[*Series]fit{}
	for s, acc := range bySeries {
		var f fit
		f.plain.sd, f.plain.df = fitPrior(acc.sds, acc.dfs)
		f.a, f.b, f.d = fitPriorTrend(acc.sds, acc.floors, acc.dfs)
		fits[s] = f
	}
	out := make(map[*history]noisePrior, len(order))
	for _, h := range order {
		f := fits[h.series]
		if h.floor > minNoise && f.d > 0 {
			out[h] = noisePrior{sd: priorAt(f.a, f.b, h.floor), df: f.d}
		} else {
			out[h] = f.plain
		}
	}
	return out
}

// moderate combines a benchmark's own noise estimate (sd, df) with the
// series' prior (the moderated variance of empirical Bayes, as in limma):
// it keeps a benchmark with a short history from looking quieter than the
// machine it ran on, and lends it the degrees of freedom of its siblings.
// The result is at least floor, the standard error of one run's level
// from its own samples.
func moderate(sd, df float64, p noisePrior, floor float64) (float64, float64) {
	pdf := 0.0
	if p.sd > 0 {
		pdf = p.df
	}
	if df+pdf == 0 {
		return max(floor, minNoise), 1
	}
	v := (df*sd*sd + pdf*p.sd*p.sd) / (df + pdf)
	return max(math.Sqrt(v), floor, minNoise), df + pdf
}

// conflictAlpha is the level at which a benchmark's own noise estimate
// is taken to contradict its prior (see conflicts).
const conflictAlpha = 0.01

// conflicts reports whether a benchmark's own noise estimate (sd, df) is
// clearly larger than its prior p allows: the ratio of the two variances
// lies in the upper 1% tail of its F distribution. Such a benchmark keeps
// its own noise and degrees of freedom, not the quieter siblings'. (The
// other way is not symmetric: a benchmark that looks quieter than its
// prior on a few nights may be lucky, and trusting that alone raised
// false alarms on synthetic histories.)
func conflicts(sd, df float64, p noisePrior) bool {
	if df < 2 || p.sd <= 0 || p.df <= 0 || sd <= 0 {
		return false
	}
	f := sd * sd / (p.sd * p.sd)
	lo := betaInc(df/2, p.df/2, df*f/(df*f+p.df))
	return 1-lo < conflictAlpha
}

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
// instead (see localNoise). Each segment is winsorised first (see
// winsorK). The result holds the sorted indices i
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
		v := winsorize(x[s.lo:s.hi], winsorK, sd)
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

// robustMean returns the mean of x winsorised at winsorK*sd.
func robustMean(x []float64, sd float64) float64 {
	s := 0.0
	for _, v := range winsorize(x, winsorK, sd) {
		s += v
	}
	return s / float64(len(x))
}

// minProbeRuns is the fewest runs from which a benchmark is judged
// against the machine's speed from the calibration probe, and
// minStretchRuns from its package's stretch, which measures what the
// benchmarks themselves waited for rather than a moment next to them.
const (
	minProbeRuns   = 8
	minStretchRuns = 6
)

// follows reports whether the night-to-night moves of x follow those of
// the machine's speed m: the correlation of their successive differences
// (over the pairs of nights that both have m; NaN where a run has none)
// is positive at the one-sided 1% level (Fisher's z), over at least
// minPairs pairs. It returns the slope of x's moves on m's, in [0, 1.5].
func follows(x, m []float64, minPairs int) (float64, bool) {
	var sx, sm, sxx, smm, sxm float64
	k := 0
	for i := 0; i+1 < len(x); i++ {
		if math.IsNaN(m[i]) || math.IsNaN(m[i+1]) {
			continue
		}
		dx, dm := x[i+1]-x[i], m[i+1]-m[i]
		sx += dx
		sm += dm
		sxx += dx * dx
		smm += dm * dm
		sxm += dx * dm
		k++
	}
	if k < max(minPairs, 5) {
		return 0, false
	}
	fk := float64(k)
	cxx, cmm, cxm := sxx-sx*sx/fk, smm-sm*sm/fk, sxm-sx*sm/fk
	if cxx <= 0 || cmm <= 0 {
		return 0, false
	}
	r := cxm / math.Sqrt(cxx*cmm)
	if r <= 0 || math.Atanh(min(r, 0.999999))*math.Sqrt(fk-3) < 2.326 {
		return 0, false
	}
	return min(cxm/cmm, 1.5), true
}

// verdict is one benchmark's judgement, before the false discovery rate
// decision across benchmarks.
type verdict struct {
	h *history
	// levels are the run levels judged (corrected for the machine when
	// that made them steadier).
	levels []float64
	// corrected says the levels were divided by the machine's speed.
	corrected bool
	cps       []int
	cur, base int // start of the current segment and of the baseline (indices into h.runs)
	// est is the change of the current level from the baseline, in
	// logarithms, and se its standard error.
	est, se float64
	sd, df  float64 // the night-to-night noise used and its degrees of freedom
	p       float64 // two-sided p-value of est against the noise
	// mde is the smallest change (in logarithms) that one more night
	// against the full baseline window could reveal.
	mde float64
	// short says the baseline is too short to judge.
	short bool
	// wait says a change of the newest night alone needs a second night:
	// the benchmark's level has jumped as far before and come back.
	wait bool
	// withinP is the p-value of the within-run U test of the newest run
	// against the run before it (for short histories only).
	withinP float64
}

// A machineMeasure is a measure of the machine's speed per run of a
// series (log deviations; NaN in a run without it; nil without any) and
// how a benchmark is judged against it.
type machineMeasure struct {
	m []float64
	// minRuns is the fewest runs with the measure a correction needs.
	minRuns int
	// unit says the benchmark follows the measure at most one for one
	// (the stretch: a benchmark's time is its CPU time stretched by what
	// it waited for, or less where the waiting was in threads the
	// benchmark's loop does not wait on): the slope is fitted but never
	// above 1, so that a change of the code that came on the night the
	// machine changed is not taken in beyond the stretch's own move;
	// otherwise the slope is fitted (the probe). On the real-noise
	// corpus the fitted slope capped at 1 instead of 1 itself raised
	// 86 alarms on unchanged code with a new commit every night instead
	// of 97, and found 438 of 592 real steps as before (sort's 1K and
	// 1e2 benchmarks move with the load far less than their stretch).
	unit bool
	// procs, where not nil, holds in each run (of the series) the
	// measure of each test process of the run, in the order the run
	// wrote them (runMeasure.procs): each process's samples are then
	// corrected by its own measure (pairedLevels) rather than the run's
	// level by the mean.
	procs [][]float64
}

// correct returns h's run levels judged against the first of machines
// that the benchmark follows (see judge), whether one did, and the
// standard error of one level from its samples (h.floor, or the
// corrected samples' where each process was corrected by its own
// measure); h's own levels where none does.
func correct(h *history, machines []machineMeasure) ([]float64, bool, float64) {
	n := len(h.runs)
	logs := h.levels
	// Judge against the machine's speed where a measure of it explains
	// the benchmark's night-to-night moves: the levels less the
	// measure's, scaled by how much the benchmark follows it.
	// Runs without the measure (stored before it was recorded) are left
	// as they are: the others are corrected by their measure's distance
	// from its median.
	for _, mm := range machines {
		if mm.m == nil {
			continue
		}
		minPairs := mm.minRuns - 1
		m := make([]float64, n)
		var have []float64
		for j, r := range h.runs {
			m[j] = mm.m[r]
			if !math.IsNaN(m[j]) {
				have = append(have, m[j])
			}
		}
		if len(have) <= minPairs {
			continue
		}
		beta, ok := follows(logs, m, minPairs)
		if ok {
			if mm.unit {
				beta = min(beta, 1)
			}
			mid := median(sortedCopy(have))
			if mm.procs != nil {
				levels, floor := pairedLevels(h, beta, mid, m, mm.procs)
				return levels, true, floor
			}
			adj := make([]float64, n)
			for j := range adj {
				adj[j] = logs[j]
				if !math.IsNaN(m[j]) {
					adj[j] -= beta * (m[j] - mid)
				}
			}
			return adj, true, h.floor
		}
	}
	return logs, false, h.floor
}

// judge decides whether the current level of h has changed. prior is the
// series' typical night-to-night noise, spiky says the series has wild
// nights, and machines are measures of the machine's speed, in order of
// preference (the stretch of the benchmark's package, then the
// calibration probe): the first the benchmark follows corrects it.
func judge(h *history, prior noisePrior, spiky bool, machines []machineMeasure, opt Options) verdict {
	n := len(h.runs)
	logs, corrected, floor := correct(h, machines)
	v := verdict{h: h, levels: logs, corrected: corrected}
	sd0, df0 := noise(logs)
	if conflicts(sd0, df0, prior) {
		prior = noisePrior{}
	}
	sd0, df0 = moderate(sd0, df0, prior, floor)
	// Wild single nights (spikes) are left out of the segmentation and
	// the estimates: idx maps the kept levels to runs of h.
	all := logs
	logs, idx := despike(logs, sd0)
	n = len(logs)
	cps := changePoints(logs, sd0, df0, opt.ChangeAlpha, &localNoise{prior, floor})
	for _, cp := range cps {
		v.cps = append(v.cps, idx[cp])
	}

	// The current level starts at the last change point if it is recent,
	// otherwise it is the newest run alone.
	cur, prev := n-1, 0
	if len(cps) > 0 && cps[len(cps)-1] >= n-opt.Baseline {
		cur = cps[len(cps)-1]
		if len(cps) > 1 {
			prev = cps[len(cps)-2]
		}
	} else if len(cps) > 0 {
		prev = cps[len(cps)-1]
	}
	if cur < n-1 {
		// The largest difference of means places a change to within a
		// night; settle it with the best two-level fit (least absolute
		// deviations) among the night before, the night itself and the
		// night after.
		cur = refineSplit(logs, prev, cur)
	}
	if cur < n-1 && newestJumps(logs[cur:], sd0) {
		// The segmentation winsorises each segment, so a newest night far
		// from a recent level is clipped into it (an eightfold jump read
		// as the few percent of the level's own start): that night starts
		// a level of its own, judged against the recent one.
		prev, cur = cur, n-1
		v.cps = append(v.cps, idx[cur])
	}
	base := max(cur-opt.Baseline, prev)
	if cur-base < minBaseline {
		base = max(cur-opt.Baseline, 0)
	}
	v.cur, v.base = idx[cur], idx[base]
	if cur-base < minBaseline {
		v.short = true
		if m := len(h.samples); m >= 2 {
			v.withinP = uTest(h.samples[m-1], h.samples[m-2])
		}
		return v
	}
	// The night-to-night noise, from the level before the current one.
	nw := max(cur-noiseRuns, prev)
	if cur-nw < minBaseline {
		nw = max(cur-noiseRuns, 0)
	}
	sd, df := levelNoise(logs[nw:cur])
	if nc := n - cur; nc >= 2 {
		// The nights of the new level are evidence of the noise too.
		if sc, dfc := levelNoise(logs[cur:]); dfc > 0 || nc == 2 {
			if nc == 2 {
				sc, dfc = math.Abs(logs[n-1]-logs[n-2])/math.Sqrt2, 1
			}
			sd = math.Sqrt((df*sd*sd + dfc*sc*sc) / (df + dfc))
			df += dfc
		}
	}
	v.sd, v.df = moderate(sd, df, prior, floor)
	nb, nc := float64(cur-base), float64(n-cur)
	v.est = robustMean(logs[cur:], v.sd) - robustMean(logs[base:cur], v.sd)
	v.se = v.sd * math.Sqrt(1/nb+1/nc)
	v.p = tTwoSided(v.est/v.se, v.df)
	if nc <= 3 && cur < n-1 {
		// A new level of a few nights must be one: every night of it
		// on the same side of the baseline, at least half the change
		// away, not one wild night averaged with quiet ones.
		bm := robustMean(logs[base:cur], v.sd)
		for _, l := range logs[cur:] {
			if (l-bm)*math.Copysign(1, v.est) < 0.5*math.Abs(v.est) {
				v.wait = true
			}
		}
	}
	if cur == n-1 && spiky {
		// On a machine with wild nights, one night is no evidence.
		v.wait = true
	}
	if cur == n-1 {
		// One night is evidence only if the benchmark never jumped about
		// as far the same way before and came back (spikes included): a
		// heavy-tailed benchmark waits for a second night.
		win := all[idx[nw]:idx[cur]]
		med := median(sortedCopy(win))
		for _, l := range win {
			if (l-med)*math.Copysign(1, v.est) >= 0.8*math.Abs(v.est) {
				v.wait = true // as far, in the same direction
				break
			}
		}
	}
	full := float64(min(opt.Baseline, n-1))
	v.mde = max(math.Log1p(opt.Threshold), tInv(noiseAlpha/2, v.df)*v.sd*math.Sqrt(1+1/full))
	return v
}

// newestJumps reports whether the last value of seg lies farther from the
// rest of it than winsorising at winsorK*sd would leave it: a change
// of the newest night that the segmentation cannot see.
func newestJumps(seg []float64, sd float64) bool {
	k := len(seg) - 1
	if k < 1 || sd <= 0 {
		return false
	}
	rest := seg[:k]
	return math.Abs(seg[k]-median(sortedCopy(rest))) > winsorK*sd+(maxAbsDev(rest))
}

// maxAbsDev returns the largest distance of a value of v from v's median.
func maxAbsDev(v []float64) float64 {
	med := median(sortedCopy(v))
	d := 0.0
	for _, x := range v {
		d = max(d, math.Abs(x-med))
	}
	return d
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

// spikyRate is the share of benchmark-nights of a series that may be
// spikes before the series counts as spiky: a machine with wild nights,
// where a change of one night alone waits for a second.
const spikyRate = 0.005

// calmNights is how many runs a series needs before a change of its
// newest night alone can be reported: until then a wild night cannot be
// told from a change, and a change waits for a second night.
const calmNights = 20

// spikyK is how many noise standard deviations a night must stand out
// from both neighbours to count towards a spiky series: normal noise does
// so once in about 2,500 nights, a heavy-tailed machine far more often.
const spikyK = 4

// spikeK is how many noise standard deviations a night must stand out
// from both its neighbours, on the same side, to count as a spike.
const spikeK = 5

// despike returns x without its spikes, single nights that stand out from
// both neighbours by spikeK*sd on the same side (the newest night, with
// one neighbour, is never one), and the index in x of each value kept.
func despike(x []float64, sd float64) ([]float64, []int) {
	kept := make([]float64, 0, len(x))
	idx := make([]int, 0, len(x))
	lim := spikeK * sd
	for i, l := range x {
		if i > 0 && i < len(x)-1 {
			a, b := l-x[i-1], l-x[i+1]
			if (a > lim && b > lim) || (a < -lim && b < -lim) {
				continue
			}
		}
		kept = append(kept, l)
		idx = append(idx, i)
	}
	return kept, idx
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

// interval returns the change est with its confidence interval, as
// ratios minus one.
func (v verdict) interval(confidence float64) (est, lo, hi float64) {
	q := tInv((1-confidence)/2, v.df) * v.se
	return math.Expm1(v.est), math.Expm1(v.est - q), math.Expm1(v.est + q)
}
