package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/perf/benchmath"
)

// TestUMemo_Compare checks that memoized U tests equal benchmath's on
// random samples with many ties, many repeated rank structures, and
// sizes on both sides of the exact-test limits.
func TestUMemo_Compare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	th := &benchmath.Thresholds{CompareAlpha: 0.05}
	memo := &uMemo{m: map[string]benchmath.Comparison{}}
	sample := func(n, levels int, shift float64) *benchmath.Sample {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.IntN(levels)) + shift
		}
		return benchmath.NewSample(v, th)
	}
	hits := 0
	for i := range 3000 {
		n1, n2 := 1+rng.IntN(12), 1+rng.IntN(12)
		if i%100 == 0 {
			n1, n2 = 40+rng.IntN(30), 40+rng.IntN(30)
		}
		levels := 1 + rng.IntN(30)
		s1, s2 := sample(n1, levels, 0), sample(n2, levels, float64(rng.IntN(3)))
		before := len(memo.m)
		got := memo.compare(benchmath.AssumeNothing, s1, s2)
		if len(memo.m) == before {
			hits++
		}
		want := benchmath.AssumeNothing.Compare(s1, s2)
		if got.P != want.P || got.N1 != want.N1 || got.N2 != want.N2 || got.Alpha != want.Alpha ||
			fmt.Sprint(got.Warnings) != fmt.Sprint(want.Warnings) {
			t.Fatalf("samples %v %v: memo %+v, benchmath %+v", s1.Values, s2.Values, got, want)
		}
	}
	if hits == 0 {
		t.Errorf("no memo hits in 3000 comparisons")
	}
}

// TestUMemo_Compare_mirror: exact tests of samples without ties of up
// to 50 values, each compared both ways (U1 and U2 swapped), equal
// benchmath's, and the second comparison of each pair is a memo hit.
func TestUMemo_Compare_mirror(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	th := &benchmath.Thresholds{CompareAlpha: 0.05}
	memo := &uMemo{m: map[string]benchmath.Comparison{}}
	sample := func(n int) *benchmath.Sample {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.Float64()
		}
		return benchmath.NewSample(v, th)
	}
	for i := range 12 {
		n := []int{5, 10, 49, 50}[i%4]
		a, b := sample(n), sample(n)
		for k, p := range [][2]*benchmath.Sample{{a, b}, {b, a}} {
			before := len(memo.m)
			got := memo.compare(benchmath.AssumeNothing, p[0], p[1])
			want := benchmath.AssumeNothing.Compare(p[0], p[1])
			if got.P != want.P || got.N1 != want.N1 || got.N2 != want.N2 || got.Alpha != want.Alpha ||
				fmt.Sprint(got.Warnings) != fmt.Sprint(want.Warnings) {
				t.Fatalf("n=%d: memo %+v, benchmath %+v", n, got, want)
			}
			if k == 1 && len(memo.m) != before {
				t.Errorf("n=%d: the mirrored comparison was not a memo hit", n)
			}
		}
	}
}

func TestRankKey(t *testing.T) {
	tests := []struct {
		x1, x2 []float64
		same   [2][]float64 // another pair with the same structure
	}{
		{[]float64{1, 2, 3}, []float64{4, 5}, [2][]float64{{10, 20, 30}, {40, 50}}},
		{[]float64{1, 2, 2}, []float64{2, 5}, [2][]float64{{0, 7, 7}, {7, 9}}},
	}
	for _, tt := range tests {
		k1, ok1 := rankKey(tt.x1, tt.x2)
		k2, ok2 := rankKey(tt.same[0], tt.same[1])
		if !ok1 || !ok2 || k1 != k2 {
			t.Errorf("rankKey(%v, %v) != rankKey(%v, %v)", tt.x1, tt.x2, tt.same[0], tt.same[1])
		}
		k3, _ := rankKey(tt.x2, tt.x1)
		if k3 == k1 {
			t.Errorf("rankKey ignores which sample is first for %v %v", tt.x1, tt.x2)
		}
	}
	if _, ok := rankKey([]float64{1}, []float64{nan()}); ok {
		t.Errorf("rankKey accepted NaN")
	}
}

func nan() float64 { var z float64; return z / z }

// TestSummaryMemo_summary checks that memoized summaries equal
// benchmath's, bit for bit, for every assumption, at confidence levels
// that leave small samples unbounded or not, and for samples holding
// ±Inf (an infinite bound however large the sample).
func TestSummaryMemo_summary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	th := &benchmath.Thresholds{CompareAlpha: 0.05}
	for _, conf := range []float64{0.95, 0.99, 0.5, 0, 1} {
		memo := newSummaryMemo(conf)
		for i := range 2000 {
			n := 1 + rng.IntN(15)
			if i%50 == 0 {
				n = 30 + rng.IntN(40) // past benchmath's exact CI limit
			}
			v := make([]float64, n)
			for j := range v {
				v[j] = rng.NormFloat64() * 100
				if rng.IntN(3) == 0 {
					v[j] = float64(rng.IntN(4)) // ties
				}
			}
			switch i % 40 {
			case 1:
				v[0] = math.Inf(-1)
			case 2:
				v[n-1] = math.Inf(1)
			}
			s := benchmath.NewSample(v, th)
			for _, a := range []benchmath.Assumption{benchmath.AssumeNothing, benchmath.AssumeExact, benchmath.AssumeNormal} {
				got, want := memo.summary(a, s), a.Summary(s, conf)
				if !sameBits(got.Center, want.Center) || !sameBits(got.Lo, want.Lo) || !sameBits(got.Hi, want.Hi) ||
					got.Confidence != want.Confidence || fmt.Sprint(got.Warnings) != fmt.Sprint(want.Warnings) {
					t.Fatalf("confidence %v, %v, sample %v: memo %+v, benchmath %+v", conf, a, s.Values, got, want)
				}
			}
		}
	}
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
