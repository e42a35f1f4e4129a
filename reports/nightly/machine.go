package nightly

// This file judges a benchmark against the machine: the stretch and the
// calibration probe, where its levels follow them (follows, correct).

import "math"

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
// is positive at the one-sided 5% level (Fisher's z), over at least
// minPairs pairs. It returns the slope of x's moves on m's, in [0, 1.5].
//
// The level was 1%, which on a history of 7 nights (6 moves) asks for a
// correlation of 0.88 and so left nearly every short history
// uncorrected. At 5% (0.74) the real-noise corpus found more real steps
// with fewer alarms on the sittings that record what benchdb run does
// (nights 130-157: 173 of 475 steps of 20% or more instead of 168, 2
// alarms in 589 unchanged benchmark-nights instead of 4; nights 158-187:
// 453 of 630 instead of 433, 6 alarms in 651 instead of 7); at 10% it
// found about as many and lost one step of 3x the noise; a slope shrunk
// by its own t statistic with no level at all raised alarms from 4 to 7
// and from 10 to 16 (measured before the corpus's sub-benchmark
// stretches were relabelled).
//
// The move of the night the code changed is the one move of a stepped
// history that the machine does not explain, and on a short history it
// alone can hide that the other moves follow the machine (a +100% step
// of slowmod's Work/kind=hash on the fifth of nights 192-198: r 0.31
// over 6 moves, 0.90 without the step's; TestFollows_stepNight). So
// when the moves fail the test and there is a move to spare, the move
// farthest from the measure's line (slope one for a unit measure, the
// fitted slope otherwise) is left out and the rest tested again. And a
// unit measure that still fails the test corrects the benchmark one for
// one if that makes the rest of its moves smaller (their sum of squares;
// through the origin, a slope above one half): the correlation asks
// whether the benchmark follows the stretch beyond doubt, which five
// moves rarely show, while the question is only whether judging against
// the stretch leaves a quieter history than not. See the README
// ("The step's own move") for what each changed on the real-noise
// corpus.
//
// It also returns the slope's standard error from the fit (moveFit.se);
// for the one-for-one slope of the last resort, the larger of that and
// the fitted slope's distance from one.
func follows(x, m []float64, minPairs int, unit bool) (slope, se float64, ok bool) {
	need := max(minPairs, 5)
	f := fitMoves(x, m, -1)
	if f.k >= need && f.z() >= 1.645 {
		return min(f.slope, 1.5), f.se, true
	}
	if f.k <= need {
		return 0, 0, false
	}
	slope = f.slope
	if unit {
		slope = 1
	}
	f = fitMoves(x, m, farthestMove(x, m, slope))
	switch {
	case f.z() >= 1.645:
		return min(f.slope, 1.5), f.se, true
	case unit && f.ssUnit < f.ss:
		// One for one, where the fit says f.slope: as unsure as
		// either.
		return 1, max(f.se, math.Abs(1-f.slope)), true
	}
	return 0, 0, false
}

// A moveFit is the least-squares fit of a benchmark's night-to-night
// moves on a machine measure's: their correlation r over k pairs of
// nights, the slope and its standard error se (0 with fewer than three
// pairs), and the sums of squares of the moves (ss) and of the moves
// less the measure's (ssUnit).
type moveFit struct {
	r, slope, se float64
	k            int
	ss, ssUnit   float64
}

// z returns r's Fisher z statistic, standard normal when the moves are
// unrelated; 0 when there are too few pairs or r is not positive.
func (f moveFit) z() float64 {
	if f.k < 4 || f.r <= 0 {
		return 0
	}
	return math.Atanh(min(f.r, 0.999999)) * math.Sqrt(float64(f.k-3))
}

// fitMoves fits the moves of x (from run i to i+1) on those of m over
// the pairs of runs that both have m, leaving out the move from run
// skip (none when skip < 0).
func fitMoves(x, m []float64, skip int) moveFit {
	var f moveFit
	var sx, sm, sxx, smm, sxm float64
	for i := 0; i+1 < len(x); i++ {
		if i == skip || math.IsNaN(m[i]) || math.IsNaN(m[i+1]) {
			continue
		}
		dx, dm := x[i+1]-x[i], m[i+1]-m[i]
		sx += dx
		sm += dm
		sxx += dx * dx
		smm += dm * dm
		sxm += dx * dm
		f.ssUnit += (dx - dm) * (dx - dm)
		f.k++
	}
	f.ss = sxx
	if f.k < 2 {
		return f
	}
	fk := float64(f.k)
	cxx, cmm, cxm := sxx-sx*sx/fk, smm-sm*sm/fk, sxm-sx*sm/fk
	if cxx > 0 && cmm > 0 {
		f.r, f.slope = cxm/math.Sqrt(cxx*cmm), cxm/cmm
		if f.k > 2 {
			f.se = math.Sqrt(max(cxx-cxm*f.slope, 0) / float64(f.k-2) / cmm)
		}
	}
	return f
}

// farthestMove returns the run whose move to the next lies farthest from
// slope times the measure's move; -1 when no move has the measure.
func farthestMove(x, m []float64, slope float64) int {
	worst, at := -1.0, -1
	for i := 0; i+1 < len(x); i++ {
		if math.IsNaN(m[i]) || math.IsNaN(m[i+1]) {
			continue
		}
		if r := math.Abs(x[i+1] - x[i] - slope*(m[i+1]-m[i])); r > worst {
			worst, at = r, i
		}
	}
	return at
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
	// machine changed is not taken in beyond the stretch's own move (or
	// is 1 where only correcting one for one shows, see follows);
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

// of returns the measure in each run of h (NaN where a run has none) and
// the values it has.
func (mm machineMeasure) of(h *history) (m, have []float64) {
	m = make([]float64, len(h.runs))
	for j, r := range h.runs {
		m[j] = mm.m[r]
		if !math.IsNaN(m[j]) {
			have = append(have, m[j])
		}
	}
	return m, have
}

// A correction is a history's run levels judged against a machine
// measure.
type correction struct {
	// levels are the run levels, and floor the standard error of one
	// level from its samples (h.floor, or the corrected samples' where
	// each process was corrected by its own measure).
	levels []float64
	floor  float64
	// m is the measure in each run of the history (NaN where a run has
	// none; nil when the levels are the history's own).
	m []float64
	// slopeSE is the standard error of the slope a stretch corrected
	// the levels by (judge widens a change's standard error by it
	// times the stretch's own change): at most 1/sqrt(12), that of a
	// slope anywhere between 0 and 1, where the stretch's slope lies.
	// It is 0 for the probe, whose fitted slope is taken as it is:
	// widening by it changed nothing on the real-noise corpus and
	// found 3 in 100 fewer 10% steps at CV 1% on the synthetic one.
	slopeSE float64
}

// correct returns h's run levels judged against the first of machines
// that the benchmark follows (see judge); h's own levels where none
// does.
func correct(h *history, machines []machineMeasure) correction {
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
		m, have := mm.of(h)
		if len(have) <= minPairs {
			continue
		}
		beta, se, ok := follows(logs, m, minPairs, mm.unit)
		if !ok {
			continue
		}
		c := correction{m: m}
		if mm.unit {
			beta = min(beta, 1)
			c.slopeSE = min(se, 1/math.Sqrt(12))
		}
		mid := median(sortedCopy(have))
		if mm.procs != nil {
			c.levels, c.floor = pairedLevels(h, beta, mid, m, mm.procs)
			return c
		}
		c.levels, c.floor = make([]float64, n), h.floor
		for j := range c.levels {
			c.levels[j] = logs[j]
			if !math.IsNaN(m[j]) {
				c.levels[j] -= beta * (m[j] - mid)
			}
		}
		return c
	}
	return correction{levels: logs, floor: h.floor}
}
