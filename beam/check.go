package beam

import (
	"context"
	"fmt"
	"time"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario"
)

// ModelCheck is the model's critical pause beside the BEAM's own, both
// from one stretch of time.
type ModelCheck struct {
	// Costs are the costs the model is given: the bisection's own runs'
	// (RunCosts: the live S(n) of the traces of the runs the machine did
	// not decide, with Beside's s0, Q0 and stalls), or Beside where
	// their S(n) does not reach 1/λ within the depths they cover
	// (FromRuns false).
	Costs    Costs
	FromRuns bool
	Traced   int // runs whose traces Costs holds
	// Beside pools the cost measurements made beside the runs: the
	// first, and one more after each bisection run (MergeCosts);
	// Measurements counts them.
	Beside       Costs
	Measurements int
	// Model is Costs.Model(); Predicted is its T* at the rate with the
	// producers' tick (model.Costs.CriticalPauseTick), PredictedOK false
	// where it has none. BesideModel and BesidePredicted are the same
	// for Beside, for comparison.
	Model           model.Costs
	Predicted       time.Duration
	PredictedOK     bool
	BesideModel     model.Costs
	BesidePredicted time.Duration
	BesideOK        bool
	// Calibration is the genuine prediction: T* from the S(n) of runs of
	// the scenario made before the bisection and apart from it
	// (Calibrate), none of whose runs the bracket uses. Costs and
	// Predicted, read off the bisection's own runs, check the model's
	// mechanism; Beside, measured on pre-built backlogs, is not the
	// queue a pause builds.
	Calibration Calibration
	// Bracket is the real critical pause (FindCritical).
	Bracket scenario.Bracket
	// Trials are the runs the machine did not decide, and Half the pause
	// at which a run is as likely to run away as drain fitted to them
	// (HalfPause), HalfOK false where they hold only one outcome. Half
	// is for comparison, not the real critical pause (Bracket is): the
	// runs the machine decided, which are left out, are mostly
	// runaways, so on a loaded machine it comes out long (56ms where the
	// bracket ended at 42ms, at 50,000/s with one call and load 16).
	Trials []Trial
	Half   time.Duration
	HalfOK bool
	// Warnings are the measurements after a run that failed (on a
	// starved machine the router may serve no event in the time given
	// to s0): the model pools the others.
	Warnings []error
}

// setModel sets the model from m.Beside and the runs' traces at rate
// and tick: the traces' S(n) where it crosses 1/λ within the depths the
// traces reach (a finite T* read off them, not extrapolated past their
// deepest group), Beside's otherwise.
func (m *ModelCheck) setModel(traces [][]model.Sample, rate float64, tick time.Duration) {
	m.BesideModel = m.Beside.Model()
	m.BesidePredicted, m.BesideOK = m.BesideModel.CriticalPauseTick(rate, tick)
	m.Costs, m.Model, m.Predicted, m.PredictedOK = m.Beside, m.BesideModel, m.BesidePredicted, m.BesideOK
	m.FromRuns, m.Traced = false, 0
	if len(traces) == 0 {
		return
	}
	runs := RunCosts(m.Beside, traces...)
	rm := runs.Model()
	n, ok := rm.TippingQueue(rate)
	if !ok || len(rm.Scan) == 0 || n > rm.Scan[len(rm.Scan)-1].N {
		return // the traces do not reach n*: it would be extrapolated
	}
	if p, ok := rm.CriticalPauseTick(rate, tick); ok {
		m.Costs, m.Model, m.Predicted, m.PredictedOK = runs, rm, p, ok
		m.FromRuns, m.Traced = true, len(traces)
	}
}

// traceWhole is the trace CheckModel asks of its runs where cfg sets
// none: longer than any run, so that the router records its queue until
// it has drained or the run ends.
const traceWhole = time.Hour

// Ratio returns the real critical pause over the model's T*, or 0 where
// either is missing.
func (m ModelCheck) Ratio() float64 {
	if !m.Bracket.Found() || !m.PredictedOK || m.Predicted <= 0 {
		return 0
	}
	return m.Bracket.Estimate().Seconds() / m.Predicted.Seconds()
}

// CalibratedRatio returns the real critical pause over the
// calibration's T* (Calibration.Ratio), or 0 where either is missing.
func (m ModelCheck) CalibratedRatio() float64 {
	if !m.Bracket.Found() {
		return 0
	}
	return m.Calibration.Ratio(m.Bracket.Estimate())
}

// Stage names the part of CheckModel a run belongs to.
type Stage string

// The stages of CheckModel.
const (
	StageCalibrate Stage = "calibrate" // Calibrate's runs, before the bisection
	StageBisect    Stage = "bisect"    // FindCritical's runs
)

// CheckModel first calibrates (Calibrate: runs of the scenario, before
// the bisection, whose traces alone give the prediction in
// ModelCheck.Calibration), then bisects the BEAM's critical pause at
// cfg's rate and calls,
// starting from the T* of the model of first (costs measured at the same
// settings), and gives the model the S(n) of the bisection's own runs:
// each run is traced (the router's queue and clock once per window of 16
// events after its pause, ScenarioConfig.Trace; cfg's trace, if set, or
// the whole run), and the traces of the runs the machine did not decide
// (beforePauseEnd) are binned as the cost measurement's live runs are
// (TraceCosts), so that the model's n*, where the cycle time crosses 1/λ,
// is read off the same runs whose outcomes bracket the real critical
// pause. Costs measured beside the runs, on a machine whose state moves
// from minute to minute, put the model's T* at 50,000/s with one call
// anywhere from 27 to 67 ms where the real pause was 20 to 45 ms.
//
// It also measures the costs again after each run with cfg's settings
// (s0 for 500ms, the live S(n) from backlogs around the n* of the costs
// so far (RecheckRungs), no isolated depths but 0; a measurement that
// fails is a warning) and pools them (Beside): the runs' model takes its
// s0, Q0 and stalls from them (a run has no stretch near an empty queue
// to time s0 on; S(n) at the traced depths does not depend on s0), and
// where the traces give no finite T* the model is Beside's. The
// bisection starts from first's T*, as the calibration does: the
// calibration's prediction does not steer it. Report, if set, is called
// after each run, with its stage.
func (h *Harness) CheckModel(ctx context.Context, cfg ScenarioConfig, first Costs, steps int, report func(stage Stage, pause time.Duration, r ScenarioResult)) (ModelCheck, error) {
	cfg = cfg.withDefaults()
	tick := max(cfg.Tick, time.Millisecond)
	guess, err := criticalGuess(first, cfg.Rate, tick)
	if err != nil {
		return ModelCheck{}, fmt.Errorf("beam check model: %w", err)
	}
	cal, err := h.Calibrate(ctx, cfg, first, func(pause time.Duration, r ScenarioResult) {
		if report != nil {
			report(StageCalibrate, pause, r)
		}
	})
	if err != nil {
		return ModelCheck{}, fmt.Errorf("beam check model: %w", err)
	}
	samples := []Costs{first}
	var costErr error
	var warnings []error
	var traces [][]model.Sample
	var trials []Trial
	if cfg.Trace == 0 {
		cfg.Trace = traceWhole
	}
	b, err := h.FindCritical(ctx, cfg, guess, steps, func(pause time.Duration, r ScenarioResult) {
		if report != nil {
			report(StageBisect, pause, r)
		}
		run := cfg
		run.Pause = pause.Round(time.Microsecond)
		if !beforePauseEnd(r, run) {
			trials = append(trials, Trial{Pause: run.Pause, Runaway: r.Outcome == model.Runaway})
			if len(r.Trace) > 1 {
				traces = append(traces, r.Trace)
			}
		}
		if costErr != nil {
			return
		}
		n, _ := MergeCosts(samples...).Model().TippingQueue(cfg.Rate)
		backlogs := FocusBacklogs(n, cfg.Rate, RecheckRungs())
		if backlogs == nil {
			backlogs = DefaultBacklogs()
		}
		c, err := h.Costs(ctx, CostOptions{Rate: cfg.Rate, Calls: cfg.Calls, Tick: cfg.Tick, Workers: cfg.Workers,
			Queue: cfg.Queue, Live: 500 * time.Millisecond, Depths: []int{0}, Backlogs: backlogs})
		switch {
		case ctx.Err() != nil:
			costErr = context.Cause(ctx)
		case err != nil:
			warnings = append(warnings, fmt.Errorf("after the run with pause %v: %w", pause.Round(time.Microsecond), err))
		default:
			samples = append(samples, c)
		}
	})
	if err == nil {
		err = costErr
	}
	if err != nil {
		return ModelCheck{}, fmt.Errorf("beam check model: %w", err)
	}
	m := ModelCheck{Beside: MergeCosts(samples...), Measurements: len(samples), Calibration: cal, Bracket: b, Warnings: warnings, Trials: trials}
	m.setModel(traces, cfg.Rate, tick)
	m.Half, m.HalfOK = HalfPause(trials)
	return m, nil
}
