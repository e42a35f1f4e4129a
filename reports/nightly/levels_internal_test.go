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
