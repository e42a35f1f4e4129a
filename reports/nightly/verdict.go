package nightly

import "math"

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
	// suspectAlpha is the p-value against the noise up to which a
	// slowdown of the threshold or more that is not reported is a
	// suspect (Report.Suspects), and maxSuspects the most a report
	// lists. On the real-noise corpus (TestDetection_Real, all
	// processes, probe and stretches, nights 1-277) 0.25 listed at the
	// step's night 4 of the 4 real steps of 3x the noise that the
	// report missed on nights 130-157, 17 of 33 on 188-217 and 12 of
	// 58 on the AMD nights (of the 46 others, 20 straddle the host's
	// slowdown between two sittings, which takes the change point, and
	// others are found a night early, where a load spell began the
	// night before the step), and 0 of 3 on the Xeon, at 0.3-0.6
	// suspects a report of one subject's 5-8 benchmarks of unchanged
	// code with a new commit every night (4-8% of them). Counting
	// improvements too, 0.1 listed 2, 8 and 8 of them, 0.5 4, 27 and
	// 16 at 1.2-2 a report. The sustained levels (sustained) add 7 on
	// 188-217, 4 on the AMD nights and 1 on the Xeon, at 0.4-0.7
	// suspects a report (on the held-out AMD nights 278-307: 32 of the
	// 41 missed, 25 without them, 0.8 a report).
	suspectAlpha = 0.25
	maxSuspects  = 10
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

// judge decides whether the current level of h has changed. prior is the
// series' typical night-to-night noise, spiky says the series has wild
// nights, and c is h's levels corrected for the machine's speed (by the
// first measure of it h follows; see correct), which it judges.
func judge(h *history, prior noisePrior, spiky bool, c correction, opt Options) verdict {
	n := len(h.runs)
	logs, floor := c.levels, c.floor
	v := verdict{h: h, levels: logs, corrected: c.m != nil}
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
	if c.slopeSE > 0 {
		// The correction is only as sure as its slope: where the
		// stretch moved with the change, the change is as unsure as
		// the slope times that move (correction.slopeSE). And the
		// benchmark's own levels must move the way the corrected ones
		// do (ownLevelsShow). On the real-noise corpus (TestDetection_Real,
		// what benchdb run records) the two took the alarms on
		// unchanged code with a new commit every night from 1, 6, 0
		// and 49 to 1, 0, 0 and 19 on the four machines, and found as
		// many steps of 3x the noise (91, 144, 219, 437). The
		// direction alone left 23 alarms on the fourth machine and 6
		// on the second; the widening alone, with the slope's error
		// not yet capped, left 29 on the fourth and lost 5 steps on
		// the third. (LastIndex on nights 218-231: its stretch rose a
		// quarter for good on night 222 while it stood still, and
		// doubled with it in a spell of one night, which made the
		// slope one: judged against the stretch it fell 18%.)
		if dm := meanAt(c.m, idx[cur:]) - meanAt(c.m, idx[base:cur]); !math.IsNaN(dm) {
			v.se = math.Hypot(v.se, dm*c.slopeSE)
		}
	}
	v.p = tTwoSided(v.est/v.se, v.df)
	if c.m != nil {
		own := make([]float64, len(idx))
		for i, j := range idx {
			own[i] = h.levels[j]
		}
		if !ownLevelsShow(v.est, own[base:cur], own[cur:], v.sd) {
			v.p = 1
		}
	}
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

// ownLevelsShow reports whether a change d of corrected levels shows in
// the benchmark's own levels too: their robust means before and after
// it move the same way. A machine measure sharpens a change the
// benchmark's own levels show; it never makes one they do not: a
// benchmark whose levels stood still, or moved the other way, while its
// stretch rose is no faster (judge, shifts).
func ownLevelsShow(d float64, before, after []float64, sd float64) bool {
	return d*(robustMean(after, sd)-robustMean(before, sd)) > 0
}

// meanAt returns the mean of m at the indices at that are not NaN; NaN
// if none is.
func meanAt(m []float64, at []int) float64 {
	sum, k := 0.0, 0
	for _, i := range at {
		if !math.IsNaN(m[i]) {
			sum += m[i]
			k++
		}
	}
	return sum / float64(k)
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

// interval returns the change est with its confidence interval, as
// ratios minus one.
func (v verdict) interval(confidence float64) (est, lo, hi float64) {
	q := tInv((1-confidence)/2, v.df) * v.se
	return math.Expm1(v.est), math.Expm1(v.est - q), math.Expm1(v.est + q)
}
