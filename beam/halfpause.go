package beam

import (
	"math"
	"time"
)

// Trial is one run of a pause and whether it ran away.
type Trial struct {
	Pause   time.Duration
	Runaway bool
}

// halfWidths are the logistic's scales, in units of ln(pause), that
// HalfPause weighs: from a transition 2% of the pause wide to one of 50%.
var halfWidths = []float64{0.02, 0.03, 0.05, 0.08, 0.12, 0.18, 0.27, 0.4, 0.5}

// halfSteps is the number of midpoints HalfPause weighs between the
// shortest and the longest pause tried.
const halfSteps = 200

// HalfPause estimates the pause at which a run is as likely to run away
// as to drain, from every run of a bisection and not only the two that
// end its bracket: it fits P(runaway | T) = 1/(1 + exp(−(ln T − ln M)/s))
// to the trials and returns the posterior mean of ln M (flat priors over
// M between the shortest and the longest pause tried and over a grid of
// scales s, halfWidths), as a pause. Near the critical pause a run's
// outcome is a coin whose bias the pause sets, and a bisection lets each
// step's outcome move the bracket for good; the fit weighs all of them.
// Where the outcomes are separated (every runaway longer than every
// drained pause) the posterior of ln M is flat over the gap and the
// estimate its middle: the bracket's geometric mean. ok is false without
// at least one trial of each outcome.
func HalfPause(trials []Trial) (time.Duration, bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	var drained, runaway bool
	for _, t := range trials {
		if t.Pause <= 0 {
			continue
		}
		x := math.Log(t.Pause.Seconds())
		lo, hi = min(lo, x), max(hi, x)
		drained = drained || !t.Runaway
		runaway = runaway || t.Runaway
	}
	if !drained || !runaway || !(hi > lo) {
		return 0, false
	}
	// Log-likelihoods over the grid, then a weighted mean with the
	// largest subtracted (the weights underflow otherwise).
	type point struct{ m, ll float64 }
	var pts []point
	best := math.Inf(-1)
	for i := 0; i <= halfSteps; i++ {
		m := lo + (hi-lo)*float64(i)/halfSteps
		for _, s := range halfWidths {
			ll := 0.0
			for _, t := range trials {
				if t.Pause <= 0 {
					continue
				}
				z := (math.Log(t.Pause.Seconds()) - m) / s
				if t.Runaway {
					ll -= softplus(-z) // ln σ(z)
				} else {
					ll -= softplus(z) // ln (1 − σ(z))
				}
			}
			pts = append(pts, point{m, ll})
			best = max(best, ll)
		}
	}
	var sw, sm float64
	for _, p := range pts {
		w := math.Exp(p.ll - best)
		sw += w
		sm += w * p.m
	}
	return time.Duration(math.Exp(sm/sw) * float64(time.Second)), true
}

// softplus is ln(1 + e^z), without overflow.
func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}
