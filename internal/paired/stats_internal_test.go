package paired

import (
	"math"
	"slices"
	"testing"
)

func TestSignedRankCounts(t *testing.T) {
	// Subsets of {1,2,3} by sum: 0:{} 1:{1} 2:{2} 3:{3},{1,2} 4:{1,3} 5:{2,3} 6:{1,2,3}.
	if got, want := signedRankCounts(3), []float64{1, 1, 1, 2, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("signedRankCounts(3) = %v, want %v", got, want)
	}
	// The classical two-sided 5% critical value for n=10 is 8:
	// P(W+ <= 8) = 25/1024 <= 0.025 < P(W+ <= 9) = 33/1024.
	c := signedRankCounts(10)
	if got := signedRankCDF(c, 10, 8); math.Abs(got-25.0/1024) > 1e-12 {
		t.Errorf("P(W+ <= 8 | n=10) = %v, want %v", got, 25.0/1024)
	}
	if got := signedRankCDF(c, 10, 9); math.Abs(got-33.0/1024) > 1e-12 {
		t.Errorf("P(W+ <= 9 | n=10) = %v, want %v", got, 33.0/1024)
	}
}

func TestSignedRank(t *testing.T) {
	tests := []struct {
		name           string
		d              []float64
		center, lo, hi float64 // NaN: unbounded
		conf, p        float64
	}{
		// Walsh averages of 1,2,3: 1 1.5 2 2 2.5 3; n=3 is too few for an interval.
		{"three", []float64{1, 2, 3}, 2, math.NaN(), math.NaN(), math.NaN(), 0.25},
		// n=6, all positive: k=0 (P(W+<=0) = 1/64), so the interval spans
		// all Walsh averages; p = 2/64.
		{"six positive", []float64{1, 2, 3, 4, 5, 6}, 3.5, 1, 6, 1 - 2.0/64, 2.0 / 64},
		// Symmetric about 0: centre 0, p = 1.
		{"symmetric", []float64{-3, -2, -1, 1, 2, 3}, 0, -3, 3, 1 - 2.0/64, 1},
		{"all zero", []float64{0, 0, 0, 0, 0, 0}, 0, 0, 0, 1 - 2.0/64, 1},
	}
	near := func(a, b float64) bool {
		return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-9
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := signedRank(tt.d, 0.95)
			if !near(w.center, tt.center) || !near(w.lo, tt.lo) || !near(w.hi, tt.hi) || !near(w.conf, tt.conf) || !near(w.p, tt.p) {
				t.Errorf("signedRank(%v) = centre %v [%v, %v] conf %v p %v, want %v [%v, %v] conf %v p %v",
					tt.d, w.center, w.lo, w.hi, w.conf, w.p, tt.center, tt.lo, tt.hi, tt.conf, tt.p)
			}
		})
	}
	// n=10: the interval is [walsh[8], walsh[46]] of the 55 Walsh averages.
	d := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}
	var walsh []float64
	for i := range d {
		for j := i; j < len(d); j++ {
			walsh = append(walsh, (d[i]+d[j])/2)
		}
	}
	slices.Sort(walsh)
	w := signedRank(d, 0.95)
	if !near(w.lo, walsh[8]) || !near(w.hi, walsh[46]) || !near(w.conf, 1-2*25.0/1024) {
		t.Errorf("n=10 interval [%v, %v] conf %v, want [%v, %v] conf %v", w.lo, w.hi, w.conf, walsh[8], walsh[46], 1-2*25.0/1024)
	}
}

func TestTheilSen(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	y := []float64{0, 2, 4, 100, 8} // one outlier does not move the slope
	if got := theilSen(x, y); got != 2 {
		t.Errorf("theilSen = %v, want 2", got)
	}
	if got := theilSen([]float64{1, 1}, []float64{1, 2}); !math.IsNaN(got) {
		t.Errorf("theilSen with one x = %v, want NaN", got)
	}
}

func TestCompare(t *testing.T) {
	old, new := Rounds{}, Rounds{}
	for r := range 10 {
		// The machine slows down over the rounds; NEW is 10% slower in
		// every round, and its second repetition is disturbed.
		m := math.Pow(1.1, float64(r))
		old[r] = []float64{m, 3 * m}
		new[r] = []float64{1.1 * m, 5 * m}
	}
	old[10] = []float64{1} // a round NEW did not have is left out
	c := Compare(old, new, -1, 0.95, true)
	if c.Rounds != 10 || c.Repetitions != 2 {
		t.Errorf("rounds %d, repetitions %d, want 10 and 2", c.Rounds, c.Repetitions)
	}
	if math.Abs(c.Ratio-1.1) > 1e-9 || !c.Significant() {
		t.Errorf("best of each round: ratio %v [%v, %v], significant %v, want 1.1, significant", c.Ratio, c.Lo, c.Hi, c.Significant())
	}
	if want := math.Pow(1.1, 9); math.Abs(c.Drift-want) > 1e-9 {
		t.Errorf("drift %v, want %v (10%% a round over 9 rounds)", c.Drift, want)
	}
	// The median of each round is (1.1m+5m)/2 against (m+3m)/2: 1.525.
	if c := Compare(old, new, -1, 0.95, false); math.Abs(c.Ratio-1.525) > 1e-9 {
		t.Errorf("median of each round: ratio %v, want 1.525", c.Ratio)
	}
	// Higher is better: the best is the greatest.
	if c := Compare(old, new, +1, 0.95, true); math.Abs(c.Ratio-5.0/3) > 1e-9 {
		t.Errorf("best of a rate: ratio %v, want 5/3", c.Ratio)
	}
	// Five rounds cannot bound a 95% interval.
	few := Compare(Rounds{1: {1}, 2: {1}, 3: {1}, 4: {1}, 5: {1}}, Rounds{1: {2}, 2: {2}, 3: {2}, 4: {2}, 5: {2}}, -1, 0.95, true)
	if !math.IsNaN(few.Lo) || few.Significant() {
		t.Errorf("five rounds: [%v, %v], significant %v; want unbounded, not significant", few.Lo, few.Hi, few.Significant())
	}
}
