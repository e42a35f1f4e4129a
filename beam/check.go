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
	// Costs pools the cost measurements: the first, and one more after
	// each bisection run (MergeCosts).
	Costs        Costs
	Measurements int
	// Model is Costs.Model(); Predicted is its T* at the rate with the
	// producers' tick (model.Costs.CriticalPauseTick), PredictedOK false
	// where it has none.
	Model       model.Costs
	Predicted   time.Duration
	PredictedOK bool
	// Bracket is the real critical pause (FindCritical).
	Bracket scenario.Bracket
	// Runs are the costs of the bisection's own runs (RunCosts: Costs
	// with the live S(n) of the traces of the runs the machine did not
	// decide), Traced how many runs gave a trace, RunModel their model
	// and RunPredicted its T*, as Model and Predicted.
	Runs           Costs
	Traced         int
	RunModel       model.Costs
	RunPredicted   time.Duration
	RunPredictedOK bool
	// Trials are the runs the machine did not decide, and Half the pause
	// at which a run is as likely to run away as drain fitted to them
	// (HalfPause), HalfOK false where they hold only one outcome.
	Trials []Trial
	Half   time.Duration
	HalfOK bool
	// Warnings are the measurements after a run that failed (on a
	// starved machine the router may serve no event in the time given
	// to s0): the model pools the others.
	Warnings []error
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

// CheckModel bisects the BEAM's critical pause at cfg's rate and calls,
// starting from the T* of the model of first (costs measured at the same
// settings), and measures the costs again after each run with
// cfg's settings (s0 for 500ms, the live S(n) from backlogs around the
// n* of the costs so far (RecheckRungs), no isolated depths but 0;
// a measurement that fails is a warning, and the model pools the others):
// the machine's load changes while the bisection runs, and the model is
// given all the measurements pooled, so that it describes the same
// stretch of time as the critical pause. Report, if set, is called after
// each run.
func (h *Harness) CheckModel(ctx context.Context, cfg ScenarioConfig, first Costs, steps int, report func(pause time.Duration, r ScenarioResult)) (ModelCheck, error) {
	cfg = cfg.withDefaults()
	tick := max(cfg.Tick, time.Millisecond)
	fm := first.Model()
	guess, ok := fm.CriticalPauseTick(cfg.Rate, tick)
	if ok && guess <= 0 {
		// The stall term may take the whole pause: bisect from the pause
		// without it.
		fm.Q0, fm.Stall = 0, 0
		guess, ok = fm.CriticalPauseTick(cfg.Rate, tick)
	}
	if !ok || guess <= 0 {
		return ModelCheck{}, fmt.Errorf("beam check model: the first costs (%v, u = %.2f) give no finite critical pause", fm, fm.Utilisation(cfg.Rate))
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
			report(pause, r)
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
	m := ModelCheck{Costs: MergeCosts(samples...), Measurements: len(samples), Bracket: b, Warnings: warnings}
	m.Model = m.Costs.Model()
	m.Predicted, m.PredictedOK = m.Model.CriticalPauseTick(cfg.Rate, tick)
	m.Runs, m.Traced = RunCosts(m.Costs, traces...), len(traces)
	m.RunModel = m.Runs.Model()
	m.RunPredicted, m.RunPredictedOK = m.RunModel.CriticalPauseTick(cfg.Rate, tick)
	m.Trials = trials
	m.Half, m.HalfOK = HalfPause(trials)
	return m, nil
}
