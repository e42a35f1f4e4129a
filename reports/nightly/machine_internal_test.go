package nightly

import (
	"math"
	"testing"
)

// TestFollows_stepNight checks that the move of the night the code
// changed does not hide that a benchmark follows the machine: the levels
// and stretch of slowmod's Work/kind=hash on nights 192-198 of the
// real-noise corpus, a +100% step on the fifth night.
func TestFollows_stepNight(t *testing.T) {
	levels := []float64{-10.734, -10.325, -10.465, -10.406, -9.931, -9.854, -9.941}
	stretch := []float64{0.291, 0.593, 0.452, 0.618, 0.441, 0.389, 0.280}
	if f := fitMoves(levels, stretch, -1); f.z() >= 1.645 {
		t.Fatalf("all moves: r %.2f, z %.2f: the step's move should hide the rest", f.r, f.z())
	}
	t.Logf("r over all moves %.2f, without the step's %.2f", fitMoves(levels, stretch, -1).r, fitMoves(levels, stretch, farthestMove(levels, stretch, 1)).r)
	beta, _, ok := follows(levels, stretch, minStretchRuns-1, true)
	if !ok || beta < 0.5 || beta > 1.5 {
		t.Errorf("follows = %.2f, %v; want the benchmark to follow its stretch with a slope near 1", beta, ok)
	}
	// With one move fewer the step's move cannot be left out: five
	// moves are the fewest a verdict on following is drawn from.
	if _, _, ok := follows(levels[:6], stretch[:6], minStretchRuns-1, true); ok {
		t.Errorf("follows on 6 nights = true, want false (the move left out would leave 4)")
	}
	// A benchmark whose moves do not follow the stretch stays
	// uncorrected, the worst move left out or not.
	flat := []float64{-12.0, -12.1, -11.95, -12.05, -11.98, -12.07, -11.99}
	if _, _, ok := follows(flat, stretch, minStretchRuns-1, true); ok {
		t.Errorf("follows on levels that ignore the stretch = true, want false")
	}
}

// TestFollows_quieter checks the last resort of a unit measure: moves
// too few to show a significant correlation with the stretch, which the
// stretch still makes smaller (slowmod's Work/kind=hash on nights
// 198-204 of the real-noise corpus, a +100% step on the fifth: corrected,
// its levels before the step lie within about 0.03 of each other), are
// corrected one for one; moves it makes larger are not.
func TestFollows_quieter(t *testing.T) {
	levels := []float64{-10.676, -10.510, -10.448, -10.235, -9.992, -9.967, -9.875}
	stretch := []float64{0.223, 0.390, 0.619, 0.619, 0.306, 0.262, 0.367}
	f := fitMoves(levels, stretch, farthestMove(levels, stretch, 1))
	if f.z() >= 1.645 || f.ssUnit >= f.ss {
		t.Fatalf("without the step's move: z %.2f, sums of squares %.4f less the stretch, %.4f as they are; want z < 1.645 and the first smaller", f.z(), f.ssUnit, f.ss)
	}
	if beta, se, ok := follows(levels, stretch, minStretchRuns-1, true); !ok || beta != 1 {
		t.Errorf("unit measure: follows = %.2f, %v; want 1, true", beta, ok)
	} else if want := max(f.se, math.Abs(1-f.slope)); se != want {
		// One for one where the fit says otherwise: as unsure as the
		// fit, and at least as far as its slope lies from one.
		t.Errorf("unit measure: slope's standard error %.3f, want %.3f (fit %.2f ± %.3f)", se, want, f.slope, f.se)
	}
	// The probe is not a unit measure: no last resort.
	if _, _, ok := follows(levels, stretch, minStretchRuns-1, false); ok {
		t.Errorf("probe: follows = true, want false")
	}
	// The stretch's moves doubled: correcting one for one would leave
	// the benchmark's moves larger than they are.
	double := make([]float64, len(stretch))
	for i, v := range stretch {
		double[i] = 2 * v
	}
	if _, _, ok := follows(levels, double, minStretchRuns-1, true); ok {
		t.Errorf("stretch twice the benchmark's moves: follows = true, want false")
	}
}

// TestFollows_nonFinite: levels or a measure holding NaN or infinities
// (a run without the measure, a broken sample) never make a benchmark
// follow, and never panic.
func TestFollows_nonFinite(t *testing.T) {
	levels := []float64{-10.676, -10.510, -10.448, -10.235, -9.992, -9.967, -9.875}
	stretch := []float64{0.223, 0.390, 0.619, 0.619, 0.306, 0.262, 0.367}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for i := range levels {
			x := append([]float64(nil), levels...)
			x[i] = bad
			for _, unit := range []bool{true, false} {
				if b, _, ok := follows(x, stretch, minStretchRuns-1, unit); ok {
					t.Errorf("levels with %v at %d, unit %v: follows = %v, true; want false", bad, i, unit, b)
				}
			}
		}
	}
	// Every measure NaN: no pairs, no verdict.
	nan := make([]float64, len(levels))
	for i := range nan {
		nan[i] = math.NaN()
	}
	if _, _, ok := follows(levels, nan, minStretchRuns-1, true); ok {
		t.Errorf("a measure of NaNs: follows = true, want false")
	}
}

// TestFitMoves_slopeSE: the slope's standard error is the residual
// standard deviation of the moves about the fitted line over the square
// root of the measure's moves' sum of squares about their mean.
func TestFitMoves_slopeSE(t *testing.T) {
	// Moves of m: 1..5; of x: twice those, give or take.
	m := []float64{0, 1, 3, 6, 10, 15}
	dx := []float64{2.1, 3.9, 6.2, 7.8, 10.1}
	x := []float64{0}
	for _, d := range dx {
		x = append(x, x[len(x)-1]+d)
	}
	f := fitMoves(x, m, -1)
	// By hand: mean dm 3, mean dx 6.02, Sxx of dm 10, Sxy 19.9, slope
	// 1.99, residuals 0.06 -0.13 0.18 -0.21 0.10 (ss 0.107) on 3 df.
	if math.Abs(f.slope-1.99) > 1e-9 {
		t.Errorf("slope %v, want 1.99", f.slope)
	}
	if want := math.Sqrt(0.107 / 3 / 10); math.Abs(f.se-want) > 1e-9 {
		t.Errorf("se %v, want %v", f.se, want)
	}
	if f := fitMoves(x[:3], m[:3], -1); f.se != 0 {
		t.Errorf("two moves: se %v, want 0 (no residual degrees of freedom)", f.se)
	}
}
