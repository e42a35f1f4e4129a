package rng_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/benchdb/benchdb/rng"
)

var (
	_ rng.Source   = (*rng.Exrop)(nil)
	_ rng.Source   = (*rand.Rand)(nil)
	_ rng.Selector = (*rng.ReservoirSelector)(nil)
	_ rng.Selector = (*rng.UniformSelector)(nil)
	_ rng.Selector = (*rng.RoundRobin)(nil)
)

// chiSquare returns Pearson's statistic for counts against a uniform
// expectation.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	e := float64(total) / float64(len(counts))
	var x2 float64
	for _, c := range counts {
		d := float64(c) - e
		x2 += d * d / e
	}
	return x2
}

// chiSquareCritical approximates the chi-square quantile for df degrees
// of freedom at upper tail probability 0.001 (Wilson-Hilferty; z = 3.09).
func chiSquareCritical(df int) float64 {
	k := float64(df)
	a := 2 / (9 * k)
	return k * math.Pow(1-a+3.09*math.Sqrt(a), 3)
}

// pickCounts picks from a pool of n picks times and counts each index.
func pickCounts(tb testing.TB, s rng.Selector, n, picks int) []int {
	tb.Helper()
	counts := make([]int, n)
	for range picks {
		i, err := s.Pick(n)
		if err != nil {
			tb.Fatal(err)
		}
		if i < 0 || i >= n {
			tb.Fatalf("Pick(%d) = %d", n, i)
		}
		counts[i]++
	}
	return counts
}

// TestSelector_uniformity runs a chi-square test of every random strategy
// over both sources and several pool sizes. The sources are seeded, so
// the outcome is fixed: a failure means the code changed, not bad luck.
func TestSelector_uniformity(t *testing.T) {
	sources := map[string]func(seed uint64) rng.Source{
		"exrop": func(seed uint64) rng.Source { return rng.NewExrop(seed) },
		"pcg":   func(seed uint64) rng.Source { return rand.New(rand.NewPCG(seed, seed^0xdead)) },
	}
	for _, strategy := range []rng.Strategy{rng.Reservoir, rng.Uniform} {
		for srcName, newSrc := range sources {
			for _, n := range []int{2, 3, 7, 10, 64} {
				t.Run(fmt.Sprintf("%s/%s/pool=%d", strategy, srcName, n), func(t *testing.T) {
					s, err := rng.NewSelector(strategy, newSrc(uint64(n)*31+1))
					if err != nil {
						t.Fatal(err)
					}
					picks := 400 * n
					x2 := chiSquare(pickCounts(t, s, n, picks))
					if crit := chiSquareCritical(n - 1); x2 > crit {
						t.Errorf("chi-square %.1f > %.1f (df %d, p 0.001)", x2, crit, n-1)
					}
					wantDraws := uint64(picks)
					if strategy == rng.Reservoir {
						wantDraws *= uint64(n)
					}
					if got := s.Draws(); got != wantDraws {
						t.Errorf("Draws = %d, want %d", got, wantDraws)
					}
				})
			}
		}
	}
}

// biased draws 0 half the time: the chi-square test must catch it.
type biased struct{ r *rand.Rand }

func (b biased) IntN(n int) int {
	if b.r.IntN(2) == 0 {
		return 0
	}
	return b.r.IntN(n)
}

func TestSelector_uniformity_detectsBias(t *testing.T) {
	s := &rng.UniformSelector{Source: biased{rand.New(rand.NewPCG(1, 2))}}
	n := 10
	if x2, crit := chiSquare(pickCounts(t, s, n, 400*n)), chiSquareCritical(n-1); x2 <= crit {
		t.Errorf("chi-square %.1f <= %.1f for a biased source", x2, crit)
	}
}

func TestRoundRobin_Pick(t *testing.T) {
	var r rng.RoundRobin
	var got []int
	for range 7 {
		i, err := r.Pick(3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, i)
	}
	if fmt.Sprint(got) != "[0 1 2 0 1 2 0]" {
		t.Errorf("picks = %v", got)
	}
	counts := pickCounts(t, &r, 8, 8*100)
	for i, c := range counts {
		if c != 100 {
			t.Errorf("index %d picked %d times, want 100", i, c)
		}
	}
	if r.Draws() != 0 {
		t.Errorf("Draws = %d, want 0", r.Draws())
	}
}

func TestSelector_Pick_bounds(t *testing.T) {
	for _, strategy := range rng.Strategies() {
		t.Run(string(strategy), func(t *testing.T) {
			s, err := rng.NewSelector(strategy, rng.NewExrop(1))
			if err != nil {
				t.Fatal(err)
			}
			for range 20 {
				if i, err := s.Pick(1); i != 0 || err != nil {
					t.Fatalf("Pick(1) = %d, %v; want 0", i, err)
				}
			}
			for _, n := range []int{0, -1} {
				if _, err := s.Pick(n); !errors.Is(err, rng.ErrEmptyPool) {
					t.Errorf("Pick(%d): err = %v, want ErrEmptyPool", n, err)
				}
			}
		})
	}
}

// TestReservoirSelector_takeRandom checks the draw sequence of
// take_random(list, 1) on a fixed source: element i is kept when the
// draw from [0, i] is 0.
func TestReservoirSelector_takeRandom(t *testing.T) {
	src := &scripted{draws: []int{0, 0, 1, 2, 0, 3}} // for i = 0..5
	s := &rng.ReservoirSelector{Source: src}
	if got, err := s.Pick(6); got != 4 || err != nil {
		t.Errorf("Pick = %d, %v; want 4 (the last zero draw)", got, err)
	}
	if fmt.Sprint(src.bounds) != "[1 2 3 4 5 6]" {
		t.Errorf("draw bounds = %v, want [1 2 3 4 5 6]", src.bounds)
	}
}

// scripted returns fixed draws and records the bounds it was asked for.
type scripted struct {
	draws  []int
	bounds []int
}

func (s *scripted) IntN(n int) int {
	s.bounds = append(s.bounds, n)
	v := s.draws[0]
	s.draws = s.draws[1:]
	return v
}

func TestNewSelector_errors(t *testing.T) {
	if _, err := rng.NewSelector("coin", rng.NewExrop(1)); err == nil {
		t.Error("no error for an unknown strategy")
	}
	if _, err := rng.NewSelector(rng.Reservoir, nil); err == nil {
		t.Error("no error for a nil source")
	}
	if _, err := rng.NewSelector(rng.Modulo, nil); err != nil {
		t.Errorf("modulo needs no source: %v", err)
	}
}
