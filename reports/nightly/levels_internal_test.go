package nightly

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectMedian checks selectMedian against the median of the sorted
// values, bit for bit, on random slices with many ties.
func TestSelectMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 5000 {
		n := 1 + r.IntN(60)
		v := make([]float64, n)
		for i := range v {
			switch trial % 3 {
			case 0:
				v[i] = r.Float64()
			case 1:
				v[i] = float64(r.IntN(4))
			default:
				v[i] = math.Abs(r.NormFloat64()) * 1e-3
			}
		}
		want := median(sortedCopy(v))
		if got := selectMedian(slices.Clone(v)); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("selectMedian(%v) = %v, want %v", v, got, want)
		}
	}
	if got := selectMedian([]float64{3, math.NaN(), 1}); got != 1 {
		t.Errorf("selectMedian with NaN = %v, want 1 (sorted: NaN, 1, 3)", got)
	}
}

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
	t.Logf("r over all moves %.2f, without the step's %.2f", fitMoves(levels, stretch, -1).r, fitMovesRobust(levels, stretch, true).r)
	beta, ok := follows(levels, stretch, minStretchRuns-1, true)
	if !ok || beta < 0.5 || beta > 1.5 {
		t.Errorf("follows = %.2f, %v; want the benchmark to follow its stretch with a slope near 1", beta, ok)
	}
	// With one move fewer the step's move cannot be left out: five
	// moves are the fewest a verdict on following is drawn from.
	if _, ok := follows(levels[:6], stretch[:6], minStretchRuns-1, true); ok {
		t.Errorf("follows on 6 nights = true, want false (the move left out would leave 4)")
	}
	// A benchmark whose moves do not follow the stretch stays
	// uncorrected, the worst move left out or not.
	flat := []float64{-12.0, -12.1, -11.95, -12.05, -11.98, -12.07, -11.99}
	if _, ok := follows(flat, stretch, minStretchRuns-1, true); ok {
		t.Errorf("follows on levels that ignore the stretch = true, want false")
	}
}
