package beam

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/benchdb/benchdb/model"
)

// Calibration is a prediction of the critical pause from runs of the
// scenario itself, made before and apart from the bisection that finds
// the real one (Harness.Calibrate): runs at the same rate, calls, tick
// and queue mode as the bisection's, with pauses chosen around the T*
// of a first cost measurement, each traced (ScenarioConfig.Trace), whose
// traces alone give the live S(n) (TraceCosts). The costs measured
// beside the runs, on backlogs pre-built with the router stopped, do
// not see the queue that a pause among producers in 1 ms bursts builds
// (heap, cache and garbage-collector state differ: real / model 0.55 at
// 50,000/s with two calls on a quiet machine); these runs build it the
// same way.
//
// The zero value is a calibration that has not run: OK is false.
type Calibration struct {
	// Costs are the first measurement's s0, Q0 and stall logs with the
	// S(n) of the calibration runs' traces (RunCosts); Model is
	// Costs.Model().
	Costs Costs
	Model model.Costs
	// Predicted is Model's T* at the rate with the producers' tick
	// (model.Costs.CriticalPauseTick), set wherever it is finite. OK
	// reports whether it was read within the depths the traces hold (n*
	// not extrapolated past their deepest or shallowest group), Covered
	// whether they hold groups within calibrationGap of n* on both
	// sides.
	Predicted   time.Duration
	OK, Covered bool
	// Pauses are the pauses run, in order, and Trials those of the runs
	// the machine did not decide (beforePauseEnd) with their outcomes:
	// the runs whose traces Costs holds (Traced of them had a trace of
	// two points or more).
	Pauses []time.Duration
	Trials []Trial
	Traced int
}

// CalibrationRungs are the pauses, as multiples of the first costs' T*,
// that Calibrate runs before it adapts: one that drains (its trace
// covers the depths below its backlog), one that runs away (the depths
// above), one between, as long as the real T* is within 0.6 and 1.6
// times the first.
func CalibrationRungs() []float64 { return []float64{0.6, 1.0, 1.6} }

// The calibration adapts until the groups of S(n) on both sides of its
// n* are within calibrationGap of it, aiming the next run's backlog at
// calibrationAim times n* (above it where the deeper side is missing,
// below where the shallower is), and until it holds the traces of
// minCalibrationTraces runs (more runs aimed alternately just above and
// just below n*), for at most maxCalibrationRuns runs in all. Between a
// drained run's backlog and a runaway's the traces hold nothing: a run
// near n* spends most of its trace near its backlog, but the crossing is
// interpolated across the gap, and rungs a factor 1.6 apart leave gaps
// of that. Three traces are not enough on a loaded machine: at load 11
// one runaway whose router the runtime stopped (it caught up 337 events
// in 1 ms where λ·1 ms is 50) put the S(n) near n* up by half, and the
// calibrated T* at 54 ms where the real pause was 71 ms.
const (
	calibrationGap       = 1.2
	calibrationAim       = 1.1
	minCalibrationTraces = 6
	maxCalibrationRuns   = 12
)

// calibrationPauses returns the first pauses of a calibration around
// guess (CalibrationRungs), in ascending order.
func calibrationPauses(guess time.Duration) []time.Duration {
	var ps []time.Duration
	for _, r := range CalibrationRungs() {
		ps = append(ps, time.Duration(r*float64(guess)).Round(time.Microsecond))
	}
	return ps
}

// calibrationFit reads n* off m at rate: n* and the groups of m.Scan
// nearest it on either side (below ≤ n* ≤ above; 0 where that side has
// none), finite false where S(n) never reaches 1/λ.
func calibrationFit(m model.Costs, rate float64) (n, below, above float64, finite bool) {
	n, finite = m.TippingQueue(rate)
	if !finite || len(m.Scan) == 0 {
		return n, 0, 0, false
	}
	for _, p := range m.Scan {
		if p.N <= n {
			below = p.N
		}
		if p.N >= n && above == 0 {
			above = p.N
		}
	}
	return n, below, above, true
}

// nextCalibrationPause returns the pause of the next calibration run
// given the model of the traces so far at rate and how many runs they
// come from, or false where the traces cover n* (groups within
// calibrationGap of it on both sides) and there are
// minCalibrationTraces of them.
// Where S(n) does not reach 1/λ within the traces (every run drained
// fast), it is 1.6 times the longest pause tried; otherwise the pause
// whose backlog, on top of Q0, is calibrationAim times n* (the deeper
// side missing or too far) or n*/calibrationAim (the shallower side);
// with both sides covered but too few traces, the one or the other as
// traced is even or odd. It is kept within half the shortest and twice the longest tried, so
// that an n* read off far-away groups is approached, not jumped at.
func nextCalibrationPause(m model.Costs, rate float64, tried []time.Duration, traced int) (time.Duration, bool) {
	if len(tried) == 0 {
		return 0, false
	}
	lo, hi := slices.Min(tried), slices.Max(tried)
	n, below, above, ok := calibrationFit(m, rate)
	if !ok {
		return (hi * 8 / 5).Round(time.Microsecond), true
	}
	var target float64
	switch {
	case above == 0 || above > calibrationGap*n:
		target = calibrationAim * n
	case below == 0 || below < n/calibrationGap:
		target = n / calibrationAim
	case traced < minCalibrationTraces && traced%2 == 0:
		target = calibrationAim * n
	case traced < minCalibrationTraces:
		target = n / calibrationAim
	default:
		return 0, false
	}
	secs := max(target-m.Q0, 0) / rate
	p := time.Duration(secs * float64(time.Second))
	p = min(max(p, lo/2, time.Millisecond), 2*hi)
	return p.Round(time.Microsecond), true
}

// criticalGuess is the T* of first at cfg's rate and tick, where
// CheckModel starts its bisection and Calibrate its rungs: the T*
// without Q0 and stall where those take all of it; an error where first
// gives no finite positive T*.
func criticalGuess(first Costs, rate float64, tick time.Duration) (time.Duration, error) {
	fm := first.Model()
	guess, ok := fm.CriticalPauseTick(rate, tick)
	if ok && guess <= 0 {
		// The stall term may take the whole pause: start from the pause
		// without it.
		fm.Q0, fm.Stall = 0, 0
		guess, ok = fm.CriticalPauseTick(rate, tick)
	}
	if !ok || guess <= 0 {
		return 0, fmt.Errorf("the first costs (%v, u = %.2f) give no finite critical pause", fm, fm.Utilisation(rate))
	}
	return guess, nil
}

// Calibrate predicts the critical pause at cfg's rate and calls from
// runs of the scenario itself, before and apart from any bisection. It
// runs the scenario, set up as FindCritical sets up its runs (the same
// cap and length; every run traced for as long as it lasts, or for
// cfg.Trace), with pauses of 0.6, 1 and 1.6 times the T* of first
// (costs measured at the same settings), bins the traces of the runs
// the machine did not decide (TraceCosts) and gives them first's s0, Q0
// and stall logs (RunCosts). A runaway run's trace covers the depths
// above its backlog and a drained run's those below it, so n* is read
// between the deepest drained backlog and the shallowest runaway one;
// while the groups on either side of n* are further from it than
// calibrationGap, it runs one more pause aimed just beyond n* on that
// side, and then more aimed alternately just above and just below n*
// until minCalibrationTraces runs are traced (nextCalibrationPause), at
// most maxCalibrationRuns runs in all.
// The runs' outcomes choose no pause: the traces' S(n) does. Report, if
// set, is called after each run.
func (h *Harness) Calibrate(ctx context.Context, cfg ScenarioConfig, first Costs, report func(pause time.Duration, r ScenarioResult)) (Calibration, error) {
	return calibrate(ctx, cfg, first, func(ctx context.Context, c ScenarioConfig) (ScenarioResult, error) {
		r, err := h.Scenario(ctx, c)
		if err == nil && report != nil {
			report(c.Pause, r)
		}
		return r, err
	})
}

// calibrate is Calibrate with the scenario run by run.
func calibrate(ctx context.Context, cfg ScenarioConfig, first Costs, run func(context.Context, ScenarioConfig) (ScenarioResult, error)) (Calibration, error) {
	cfg = cfg.withDefaults()
	if cfg.Trace == 0 {
		cfg.Trace = traceWhole
	}
	tick := max(cfg.Tick, time.Millisecond)
	guess, err := criticalGuess(first, cfg.Rate, tick)
	if err != nil {
		return Calibration{}, fmt.Errorf("beam calibrate: %w", err)
	}
	var cal Calibration
	var traces [][]model.Sample
	one := func(pause time.Duration) error {
		c := pauseRun(cfg, pause)
		cal.Pauses = append(cal.Pauses, c.Pause)
		r, err := run(ctx, c)
		if err != nil {
			return fmt.Errorf("beam calibrate: pause %v: %w", c.Pause, err)
		}
		if !beforePauseEnd(r, c) {
			cal.Trials = append(cal.Trials, Trial{Pause: c.Pause, Runaway: r.Outcome == model.Runaway})
			if len(r.Trace) > 1 {
				traces = append(traces, r.Trace)
			}
		}
		cal.set(first, traces, cfg.Rate, tick)
		return nil
	}
	for _, p := range calibrationPauses(guess) {
		if err := one(p); err != nil {
			return Calibration{}, err
		}
	}
	for len(cal.Pauses) < maxCalibrationRuns {
		p, more := nextCalibrationPause(cal.Model, cfg.Rate, cal.Pauses, cal.Traced)
		if !more {
			break
		}
		if err := one(p); err != nil {
			return Calibration{}, err
		}
	}
	return cal, nil
}

// set sets c's costs, model and prediction from first and the traces at
// rate and tick.
func (c *Calibration) set(first Costs, traces [][]model.Sample, rate float64, tick time.Duration) {
	c.Traced = len(traces)
	c.Costs, c.Model, c.Predicted, c.OK, c.Covered = Costs{}, model.Costs{}, 0, false, false
	if len(traces) == 0 {
		return
	}
	c.Costs = RunCosts(first, traces...)
	if len(TraceCosts(traces...)) == 0 {
		// RunCosts fell back on first's own S(n): none of it is the
		// runs'.
		c.Costs.Live, c.Costs.Service = nil, nil
	}
	c.Model = c.Costs.Model()
	n, below, above, ok := calibrationFit(c.Model, rate)
	if !ok {
		return
	}
	p, finite := c.Model.CriticalPauseTick(rate, tick)
	if !finite {
		return
	}
	c.Predicted = p
	c.OK = below > 0 && above > 0 && !math.IsInf(n, 0)
	c.Covered = c.OK && above <= calibrationGap*n && below >= n/calibrationGap
}

// Ratio returns the real critical pause over the calibration's T*, or 0
// where either is missing (or the T* was extrapolated: OK false).
func (c Calibration) Ratio(real time.Duration) float64 {
	if !c.OK || c.Predicted <= 0 || real <= 0 {
		return 0
	}
	return real.Seconds() / c.Predicted.Seconds()
}
