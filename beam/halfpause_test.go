package beam

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHalfPause_separated(t *testing.T) {
	// Every runaway longer than every drained pause: the middle of the
	// gap, in log space (the bracket's geometric mean).
	trials := []Trial{{10 * time.Millisecond, false}, {20 * time.Millisecond, false}, {80 * time.Millisecond, true}, {40 * time.Millisecond, true}}
	got, ok := HalfPause(trials)
	want := math.Sqrt(20 * 40)
	if !ok || math.Abs(got.Seconds()*1e3-want)/want > 0.03 {
		t.Errorf("HalfPause = %v, %v, want about %.1fms", got, ok, want)
	}
}

func TestHalfPause_missing(t *testing.T) {
	for _, trials := range [][]Trial{nil, {{10 * time.Millisecond, true}, {20 * time.Millisecond, true}}, {{10 * time.Millisecond, false}}, {{10 * time.Millisecond, false}, {10 * time.Millisecond, true}}} {
		if got, ok := HalfPause(trials); ok {
			t.Errorf("HalfPause(%v) = %v, want not ok", trials, got)
		}
	}
}

// TestHalfPause_coins draws outcomes from a known logistic (half point
// 40ms, scale 0.15 in ln T) at pauses spread around it, as a bisection
// with coin-flip outcomes near the critical pause gives them, and wants
// the half point back closer than the bracket a bisection of the same
// runs ends on: over 100 seeded sets, the fit's median error is below
// 10% and below the bisection's.
func TestHalfPause_coins(t *testing.T) {
	const m, s = 0.040, 0.15
	r := rand.New(rand.NewPCG(1, 2))
	coin := func(p time.Duration) bool {
		z := (math.Log(p.Seconds()) - math.Log(m)) / s
		return r.Float64() < 1/(1+math.Exp(-z))
	}
	var fitErr, bisErr []float64
	for range 100 {
		// A bisection from 60ms, as BisectPause runs it with one run per
		// step: double or halve to a bracket, then six halvings.
		var trials []Trial
		var drained, runaway time.Duration
		p := 60 * time.Millisecond
		for drained == 0 || runaway == 0 {
			o := coin(p)
			trials = append(trials, Trial{p, o})
			if o {
				runaway = p
				if drained == 0 {
					p /= 2
				}
			} else {
				drained = p
				if runaway == 0 {
					p *= 2
				}
			}
		}
		for range 6 {
			mid := time.Duration(math.Sqrt(float64(drained) * float64(runaway)))
			o := coin(mid)
			trials = append(trials, Trial{mid, o})
			if o {
				runaway = mid
			} else {
				drained = mid
			}
		}
		got, ok := HalfPause(trials)
		if !ok {
			t.Fatalf("no estimate from %v", trials)
		}
		fitErr = append(fitErr, math.Abs(math.Log(got.Seconds()/m)))
		bis := math.Sqrt(drained.Seconds() * runaway.Seconds())
		bisErr = append(bisErr, math.Abs(math.Log(bis/m)))
	}
	f, b := median(fitErr), median(bisErr)
	t.Logf("median |ln(estimate/true)|: fit %.3f, bisection %.3f", f, b)
	if f > 0.1 || f >= b {
		t.Errorf("fit's median error %.3f, bisection's %.3f: want the fit below 0.1 and below the bisection", f, b)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}
