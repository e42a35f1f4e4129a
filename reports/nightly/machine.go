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
	if r <= 0 || math.Atanh(min(r, 0.999999))*math.Sqrt(fk-3) < 1.645 {
		return 0, false
	}
	return min(cxm/cmm, 1.5), true
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
