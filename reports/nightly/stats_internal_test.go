package nightly

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRobustSD(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 2000)
	for i := range x {
		x[i] = 3 * rng.NormFloat64()
	}
	x[0], x[1] = 1e9, -1e9 // outliers barely move it
	if sd := robustSD(x); math.Abs(sd-3) > 0.2 {
		t.Errorf("robustSD = %.3f, want about 3", sd)
	}
}

func TestHigherIsBetter(t *testing.T) {
	tests := []struct {
		unit string
		want bool
	}{
		{"sec/op", false}, {"B/op", false}, {"allocs/op", false},
		{"B/s", true}, {"ops/s", true}, {"scanned/op", false},
	}
	for _, tt := range tests {
		if got := higherIsBetter(tt.unit); got != tt.want {
			t.Errorf("higherIsBetter(%q) = %v, want %v", tt.unit, got, tt.want)
		}
	}
}

func TestChangePoints(t *testing.T) {
	noise := func(seed uint64, n int, sd float64) []float64 {
		rng := rand.New(rand.NewPCG(seed, 0))
		x := make([]float64, n)
		for i := range x {
			x[i] = sd * rng.NormFloat64()
		}
		return x
	}
	tests := []struct {
		name  string
		steps map[int]float64 // index -> level added from there on
		want  []int
	}{
		{"none", nil, nil},
		{"one", map[int]float64{40: 0.1}, []int{40}},
		{"two", map[int]float64{30: 0.1, 70: -0.2}, []int{30, 70}},
		{"near the end", map[int]float64{96: 0.1}, []int{96}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := noise(7, 100, 0.01)
			for at, d := range tt.steps {
				for i := at; i < len(x); i++ {
					x[i] += d
				}
			}
			x[10] += 1 // one wild value is not a change
			got := changePoints(x, 0.01, 60, 0.01, nil)
			if !slices.Equal(got, tt.want) {
				t.Errorf("changePoints = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChangePoints_Short(t *testing.T) {
	// Seven nights, noise 10% (known from the series, 12 degrees of
	// freedom): a step of 50% after four nights is found where it starts;
	// a step of 15% is not.
	x := []float64{0.05, -0.1, 0.02, 0.1, 0.45, 0.35, 0.5}
	if got := changePoints(x, 0.1, 12, 0.01, nil); !slices.Equal(got, []int{4}) {
		t.Errorf("changePoints = %v, want [4]", got)
	}
	for i := 4; i < len(x); i++ {
		x[i] -= 0.3
	}
	if got := changePoints(x, 0.1, 12, 0.01, nil); len(got) != 0 {
		t.Errorf("changePoints of a small step = %v, want none", got)
	}
}

func TestChangePoints_FalsePositiveRate(t *testing.T) {
	// On pure noise of known deviation a segment is split with
	// probability about alpha.
	const trials = 4000
	found := 0
	for i := range uint64(trials) {
		rng := rand.New(rand.NewPCG(i, 99))
		x := make([]float64, 40)
		for j := range x {
			x[j] = rng.NormFloat64()
		}
		if len(changePoints(x, 1, 1e6, 0.01, nil)) > 0 {
			found++
		}
	}
	rate := float64(found) / trials
	t.Logf("split rate on noise at alpha 0.01: %.4f", rate)
	if rate > 0.015 || rate < 0.006 {
		t.Errorf("split rate %.4f, want about 0.01", rate)
	}
}

func TestTrimmedSD(t *testing.T) {
	// Over many samples of 30 normal values it is near 1 on average and
	// varies less than the interquartile estimate (measured: 0.97 ± 0.15
	// against 0.96 ± 0.20).
	rng := rand.New(rand.NewPCG(3, 4))
	const trials, n = 2000, 30
	var tSum, tSum2, rSum, rSum2 float64
	x := make([]float64, n)
	for range trials {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		ts, rs := trimmedSD(x), robustSD(x)
		tSum, tSum2 = tSum+ts, tSum2+ts*ts
		rSum, rSum2 = rSum+rs, rSum2+rs*rs
	}
	tMean, rMean := tSum/trials, rSum/trials
	tSpread := math.Sqrt(tSum2/trials - tMean*tMean)
	rSpread := math.Sqrt(rSum2/trials - rMean*rMean)
	t.Logf("trimmedSD %.3f ± %.3f, robustSD %.3f ± %.3f", tMean, tSpread, rMean, rSpread)
	if math.Abs(tMean-1) > 0.05 {
		t.Errorf("mean trimmedSD %.3f, want about 1", tMean)
	}
	if tSpread > 0.8*rSpread {
		t.Errorf("trimmedSD spread %.3f, want well below robustSD's %.3f", tSpread, rSpread)
	}

	tests := []struct {
		name string
		x    []float64
		want float64
	}{
		// An outlier is left out.
		{"outlier", []float64{-1, 1, -1, 1, -1, 1, -1, 1, -1, 1000}, math.Sqrt((9-1.0/9)/8) / 0.98658},
		// Two equal modes: both are seen.
		{"bimodal", []float64{-1, -1, -1, -1, 1, 1, 1, 1}, math.Sqrt(8.0/7) / 0.98658},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trimmedSD(tt.x); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("trimmedSD(%v) = %v, want %v", tt.x, got, tt.want)
			}
		})
	}
}

func TestTInv(t *testing.T) {
	// Quantiles from a table of Student's t distribution.
	tests := []struct{ p, nu, want float64 }{
		{0.001, 3, 10.215},
		{0.001, 5, 5.893},
		{0.001, 10, 4.144},
		{0.001, 29, 3.396},
		{0.025, 10, 2.228},
		{0.025, 1, 12.706},
		{0.0005, 20, 3.850},
		{0.001, 1e9, 3.090},
		{0.975, 10, -2.228},
	}
	for _, tt := range tests {
		if got := tInv(tt.p, tt.nu); math.Abs(got-tt.want) > 0.001*math.Abs(tt.want) {
			t.Errorf("tInv(%v, %v) = %.4f, want %.3f", tt.p, tt.nu, got, tt.want)
		}
		if got := tSF(tt.want, tt.nu); math.Abs(got-tt.p) > 0.002*tt.p+1e-4 {
			t.Errorf("tSF(%v, %v) = %.5f, want %.4f", tt.want, tt.nu, got, tt.p)
		}
	}
}

func TestRunLevels(t *testing.T) {
	tests := []struct {
		name    string
		samples [][]float64
		want    []float64 // levels, as values (exp of the level)
	}{
		{
			"outlier left out",
			[][]float64{{99, 100, 101, 100, 100}, {99, 100, 101, 100, 300}, {100, 101, 99, 100, 100}},
			[]float64{100, 100, 100},
		},
		{
			"two modes of a run averaged",
			[][]float64{{100, 100, 100, 102}, {100, 102, 102, 102}, {101, 101, 101, 101}},
			[]float64{100.5, 101.5, 101},
		},
		{
			"constant but one run",
			[][]float64{{5, 5}, {5, 5}, {5, 5}, {5, 6}},
			[]float64{5, 5, 5, 5.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &history{samples: tt.samples}
			for _, s := range h.samples {
				slices.Sort(s)
			}
			got := runLevels(h)
			for i, l := range got {
				if math.Abs(math.Exp(l)-tt.want[i]) > 0.01*tt.want[i] {
					t.Errorf("run %d: level %.3f, want about %.3f", i, math.Exp(l), tt.want[i])
				}
			}
		})
	}
}

func TestDigammaTrigamma(t *testing.T) {
	// digamma(1) = -γ, trigamma(1) = π²/6, trigamma(0.5) = π²/2.
	if got := digamma(1); math.Abs(got+0.5772156649) > 1e-9 {
		t.Errorf("digamma(1) = %v", got)
	}
	if got := trigamma(1); math.Abs(got-math.Pi*math.Pi/6) > 1e-9 {
		t.Errorf("trigamma(1) = %v", got)
	}
	if got := trigamma(0.5); math.Abs(got-math.Pi*math.Pi/2) > 1e-9 {
		t.Errorf("trigamma(0.5) = %v", got)
	}
	if got := trigammaInv(trigamma(3.7)); math.Abs(got-3.7) > 1e-6 {
		t.Errorf("trigammaInv(trigamma(3.7)) = %v", got)
	}
}

func TestFitPrior(t *testing.T) {
	draw := sdDrawer(rand.New(rand.NewPCG(5, 6)))
	// 40 benchmarks sharing a noise of 0.1, each estimated from 5
	// degrees of freedom: the prior finds 0.1 and a large weight.
	var sds, dfs []float64
	for range 40 {
		sds = append(sds, draw(0.1, 5))
		dfs = append(dfs, 5)
	}
	s0, d0 := fitPrior(sds, dfs)
	if math.Abs(s0-0.1) > 0.02 || d0 < 5 {
		t.Errorf("shared noise: s0 %.3f d0 %.1f, want about 0.1 and large", s0, d0)
	}
	// Benchmarks whose noise ranges over a factor of 30: little weight.
	sds, dfs = nil, nil
	for i := range 40 {
		sds = append(sds, draw(0.01*math.Pow(30, float64(i)/39), 20))
		dfs = append(dfs, 20)
	}
	if _, d0 := fitPrior(sds, dfs); d0 > minPriorDF {
		t.Errorf("scattered noise: d0 %.1f, want small", d0)
	}
}

func TestFitPriorTrend(t *testing.T) {
	draw := sdDrawer(rand.New(rand.NewPCG(5, 6)))
	// Night-to-night noise four times each benchmark's within-run floor,
	// floors ranging over a factor of 20: the trend takes all of the
	// floor (b near 1), and each prior is near four times its floor.
	var sds, floors, dfs []float64
	for i := range 40 {
		f := 0.005 * math.Pow(20, float64(i)/39)
		floors = append(floors, f)
		sds = append(sds, draw(4*f, 8))
		dfs = append(dfs, 8)
	}
	a, b, d0 := fitPriorTrend(sds, floors, dfs)
	if b < 0.85 || d0 < 10 {
		t.Errorf("noise proportional to the floor: b %.2f d0 %.1f, want about 1 and large", b, d0)
	}
	for _, f := range []float64{0.005, 0.02, 0.1} {
		if p := priorAt(a, b, f); math.Abs(p/(4*f)-1) > 0.2 {
			t.Errorf("prior at floor %.3f = %.4f, want about %.4f", f, p, 4*f)
		}
	}
	// One noise for all, whatever the floor: b near 0, the shared noise.
	sds, floors, dfs = nil, nil, nil
	for i := range 40 {
		floors = append(floors, 0.005*math.Pow(20, float64(i)/39))
		sds = append(sds, draw(0.1, 8))
		dfs = append(dfs, 8)
	}
	a, b, _ = fitPriorTrend(sds, floors, dfs)
	if b > 0.15 {
		t.Errorf("noise independent of the floor: b %.2f, want about 0", b)
	}
	if p := priorAt(a, b, 0.02); math.Abs(p/0.1-1) > 0.2 {
		t.Errorf("shared noise: prior %.4f, want about 0.1", p)
	}
	// Too few estimates: fitPrior's answer (b = 0), or nothing.
	if _, b, d0 := fitPriorTrend([]float64{0.1, 0.2}, []float64{0.01, 0.02}, []float64{5, 5}); b != 0 || d0 != 0 {
		t.Errorf("two estimates: b %.2f d0 %.1f, want 0, 0", b, d0)
	}
}

func TestLocalNoise(t *testing.T) {
	// A quiet benchmark's step on seven nights: four at one level, three
	// +60% higher, a tenth of a unit (log) of noise.
	x := []float64{-9.82, -9.65, -9.65, -9.84, -9.17, -9.13, -9.17}
	if p := (&localNoise{}).test(x, 4); p > 0.001 {
		t.Errorf("step against its own noise: p %.2g, want <= 0.001", p)
	}
	// The same against a prior five times as noisy, worth four nights:
	// the prior weighs in and the evidence weakens.
	noisy := &localNoise{prior: noisePrior{sd: 0.5, df: 4}}
	if p := noisy.test(x, 4); p < 0.001 || p > 0.2 {
		t.Errorf("step against a noisy prior: p %.2g, want between 0.001 and 0.2", p)
	}
	// No step: nothing to see, wherever the split.
	flat := []float64{-9.82, -9.65, -9.65, -9.84, -9.70, -9.79, -9.66}
	for at := 2; at <= 5; at++ {
		if p := (&localNoise{}).test(flat, at); p < 0.05 {
			t.Errorf("no step, split at %d: p %.2g, want > 0.05", at, p)
		}
	}
	// The floor bounds the noise from below: identical nights are not
	// infinitely precise.
	same := []float64{1, 1, 1, 1, 1.1, 1.1, 1.1}
	if p := (&localNoise{floor: 0.05}).test(same, 4); p < 1e-4 || p > 0.05 {
		t.Errorf("floor 0.05, step 0.1: p %.2g, want between 1e-4 and 0.05", p)
	}
	// Split points outside the segment test nothing.
	if p := (&localNoise{}).test(x, 0); p != 1 {
		t.Errorf("split at 0: p %v, want 1", p)
	}
}

func TestConflicts(t *testing.T) {
	prior := noisePrior{sd: 0.1, df: 10}
	tests := []struct {
		sd, df float64
		want   bool
	}{
		{0.1, 10, false},  // as the prior says
		{0.5, 10, true},   // far noisier than the siblings: keeps its own
		{0.15, 3, false},  // a little noisier on three nights: chance
		{0.01, 10, false}, // quieter: may be luck, the prior still counts
		{0.5, 1, false},   // one degree of freedom says nothing
	}
	for _, tt := range tests {
		if got := conflicts(tt.sd, tt.df, prior); got != tt.want {
			t.Errorf("conflicts(%v, %v, %+v) = %v, want %v", tt.sd, tt.df, prior, got, tt.want)
		}
	}
	if conflicts(0.5, 10, noisePrior{}) {
		t.Error("conflict with no prior")
	}
}

// sdDrawer returns a function that draws the standard deviation of df
// normal values of standard deviation sigma (with a known mean of 0): a
// noise estimate with df degrees of freedom.
func sdDrawer(rng *rand.Rand) func(sigma float64, df int) float64 {
	return func(sigma float64, df int) float64 {
		ss := 0.0
		for range df {
			x := sigma * rng.NormFloat64()
			ss += x * x
		}
		return math.Sqrt(ss / float64(df))
	}
}

// TestClipRuns: a wild single night is pulled to within k sd of its
// neighbours' level; a level of two nights, at either end or inside, is
// kept whole; at an end, a night unlike the two next to it, which agree,
// is a wild night too.
func TestClipRuns(t *testing.T) {
	for _, c := range []struct {
		in, want []float64
	}{
		{[]float64{0, 0, 9, 0, 0}, []float64{0, 0, 4, 0, 0}},
		{[]float64{0, 0, 0, 9, 9}, []float64{0, 0, 0, 9, 9}},
		{[]float64{9, 9, 0, 0, 0}, []float64{9, 9, 0, 0, 0}},
		{[]float64{0, 0, 9, 9, 0, 0}, []float64{0, 0, 9, 9, 0, 0}},
		{[]float64{0, 9, 9, 0, 0}, []float64{5, 9, 9, 0, 0}},
		{[]float64{0, 0, 0, 0, -9}, []float64{0, 0, 0, 0, -4}},
		{[]float64{0, 9}, []float64{0, 9}},
	} {
		if got := clipRuns(c.in, 4, 1); !slices.Equal(got, c.want) {
			t.Errorf("clipRuns(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
