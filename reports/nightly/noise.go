package nightly

// This file estimates a benchmark's night-to-night noise: from its run
// levels (noise, levelNoise) and moderated by a prior fitted across its
// series (fitPriors, moderate).

import (
	"math"
	"slices"
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
//
// With corr, each history's levels and floor are those of its correction
// for the machine (see shortPriors); without, its own.
func fitPriors(order []*history, corr map[*history]correction) map[*history]noisePrior {
	type acc struct{ sds, dfs, floors []float64 }
	bySeries := map[*Series]*acc{}
	for _, h := range order {
		if h.bench.Package == ProbePackage {
			continue
		}
		levels, floor := h.levels, h.floor
		if c, ok := corr[h]; ok {
			levels, floor = c.levels, c.floor
		}
		sd, df := noise(levels)
		if df < 2 {
			continue
		}
		a := bySeries[h.series]
		if a == nil {
			a = &acc{}
			bySeries[h.series] = a
		}
		a.sds = append(a.sds, max(sd, floor, minNoise))
		a.dfs = append(a.dfs, df)
		a.floors = append(a.floors, floor)
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
		floor := h.floor
		if c, ok := corr[h]; ok {
			floor = c.floor
		}
		if floor > minNoise && f.d > 0 {
			out[h] = noisePrior{sd: priorAt(f.a, f.b, floor), df: f.d}
		} else {
			out[h] = f.plain
		}
	}
	return out
}

// shortPriorRuns is the length of history from which a series' prior
// is fitted on its benchmarks' own levels alone (see shortPriors).
const shortPriorRuns = 10

// shortPriors lowers the prior of each benchmark that follows a measure
// of the machine (corr: its correction) in a series with fewer than
// shortPriorRuns runs halfway, on a logarithmic scale, toward the prior
// fitted on the corrected levels, where that one is the lower; the
// weight stays the uncorrected prior's.
//
// On a short history the few differences of each benchmark's levels are
// mostly the machine's few moves, which every benchmark of the series
// shares, so the prior says the machine's noise where the verdict judges
// levels the correction has freed of it: on the real-noise corpus a
// doubling of slowmod's Work/kind=copy, 5x its noise, on the last 3 of 7
// nights (188-194) was judged against a prior of 0.36 (p 0.16) while
// its corrected levels moved 0.11 a night. Measured (TestDetection_Real,
// what benchdb run records; steps of 3x the noise and 20%): 1,810 ->
// 1,827 found on the seven spans (188-217: 219 -> 232 of 252), alarms on
// unchanged code with a new commit every night 413 -> 413 from the 10th
// night and 11 -> 7 on nights 5-9; on synthetic unchanged histories of
// 4-9 nights with machine drift (TestBuild_shortFalseAlarms) 11 -> 19
// alarms in 24,000 benchmark-nights, there nearer the true noise; the
// synthetic sweeps (longer histories) unchanged. The corrected prior
// whole raised alarms from 10 nights on from 1, 0, 0 to 6, 7, 8 on three
// machines; the halfway prior from shortPriorRuns on lost a 14-night
// step and raised 12 alarms more (the uncorrected prior keeps a long
// history's imperfect corrections from alarming); lowering the priors of
// benchmarks the correction left alone too: 31 synthetic alarms.
func shortPriors(prior map[*history]noisePrior, order []*history, corr map[*history]correction) {
	var short []*history
	for _, h := range order {
		if c, ok := corr[h]; ok && len(h.series.Runs) < shortPriorRuns && c.m != nil {
			short = append(short, h)
		}
	}
	if len(short) == 0 {
		return
	}
	corrected := fitPriors(order, corr)
	for _, h := range short {
		if p, c := prior[h], corrected[h]; c.sd > 0 && c.sd < p.sd {
			prior[h] = noisePrior{sd: math.Sqrt(p.sd * c.sd), df: p.df}
		}
	}
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
