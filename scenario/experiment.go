package scenario

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/benchdb/benchdb/model"
)

// DefaultCriticalSteps is how many times Experiment.FindCritical halves
// its bracket after it has found a pause that drains and one that runs
// away.
const DefaultCriticalSteps = 4

// An Experiment is what `benchdb scenario` does with its settings: for
// each profile it measures the costs (Calibrate), simulates a run at the
// same settings, and runs it live, setting the model's prediction beside
// the outcome. With Sweep it simulates a grid of rates and pauses instead
// of the live run; with Costs it models and simulates the given costs as
// one subject, "external", and runs nothing live.
type Experiment struct {
	// Config holds the settings of every run; its Profile is set for
	// each subject.
	Config Config
	// Profiles are the subjects, in order, unless Costs is set.
	Profiles []Profile
	// Costs, if not nil, replaces the profiles' measured costs.
	Costs *model.Costs
	// Sweep simulates the phase diagram (model.DefaultGrid around
	// Config.Rate) instead of running live.
	Sweep bool
	// FindCritical also looks for the live critical pause by bisection
	// (FindCritical), for each profile that has a finite T*. The costs
	// are measured again after each bisection run, and the model's T*
	// uses their mean (the machine's load drifts).
	FindCritical bool
	// CriticalSteps is FindCritical's steps; DefaultCriticalSteps when
	// zero.
	CriticalSteps int
	// Progress, if not nil, hears about each step.
	Progress Progress
}

// Progress hears about an Experiment's steps as they happen. The
// experiment calls it from one goroutine.
type Progress interface {
	// Calibrating is called before the costs of profile name are
	// measured, Calibrated after.
	Calibrating(name string)
	Calibrated(name string, costs model.Costs)
	// Sweeping is called before a sweep over rates x pauses cells.
	Sweeping(name string, rates, pauses int)
	// Simulated is called for a subject that is only simulated.
	Simulated(name string, outcome model.Outcome)
	// Ran is called after a live run.
	Ran(name string, res Result)
	// CriticalRun is called after each run of the critical pause's
	// bisection.
	CriticalRun(name string, pause time.Duration, res Result)
	// Sampler returns the Config.Progress of the live run of name, or
	// nil.
	Sampler(name string, cfg Config) func(model.Sample)
}

// Phase is a subject's simulated phase diagram (Experiment.Sweep).
type Phase struct {
	Name  string
	Phase model.Phase
}

// Live reports whether the experiment runs live: neither Sweep nor Costs.
func (e *Experiment) Live() bool { return !e.Sweep && e.Costs == nil }

// Run runs the experiment and returns one ProfileReport per subject, in
// order, and with Sweep one phase diagram per subject.
func (e *Experiment) Run(ctx context.Context) ([]ProfileReport, []Phase, error) {
	progress := e.Progress
	if progress == nil {
		progress = silent{}
	}
	tick := e.Config.Tick
	var reports []ProfileReport
	var phases []Phase

	// The subjects: the profiles, each with its measured costs, or one
	// set of external costs.
	type subject struct {
		name    string
		profile *Profile
		costs   model.Costs
	}
	var subjects []subject
	if e.Costs != nil {
		subjects = append(subjects, subject{name: "external", costs: *e.Costs})
	} else {
		for i := range e.Profiles {
			p := &e.Profiles[i]
			progress.Calibrating(p.Name)
			cfg := e.Config
			cfg.Profile = *p
			costs, err := Calibrate(ctx, cfg)
			if err != nil {
				return nil, nil, err
			}
			progress.Calibrated(p.Name, costs)
			subjects = append(subjects, subject{name: p.Name, profile: p, costs: costs})
		}
	}

	for _, s := range subjects {
		cfg := e.Config
		sim := cfg.Sim(s.costs)
		simRes, err := sim.RunContext(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("simulate %s: %w", s.name, err)
		}
		if e.Sweep {
			rates, pauses := model.DefaultGrid(s.costs, cfg.Rate)
			progress.Sweeping(s.name, len(rates), len(pauses))
			ph, err := model.SweepContext(ctx, sim, rates, pauses, sweepAfter(cfg))
			if errors.Is(err, model.ErrTooLong) {
				return nil, nil, fmt.Errorf("--sweep at --rate %v for %s: %w; lower --rate", cfg.Rate, s.name, err)
			}
			if err != nil {
				return nil, nil, err
			}
			phases = append(phases, Phase{Name: s.name, Phase: ph})
		}
		if s.profile == nil || e.Sweep {
			r := NewProfileReport(s.name, s.costs, cfg.Rate, tick, simRes.Outcome, simRes)
			r.ArrivalRate = cfg.Rate
			reports = append(reports, r)
			progress.Simulated(s.name, simRes.Outcome)
			continue
		}

		cfg.Profile = *s.profile
		cfg.Progress = progress.Sampler(s.name, cfg)
		res, err := Run(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		progress.Ran(s.name, res)
		r := NewProfileReport(s.name, s.costs, res.ArrivalRate, tick, simRes.Outcome, res.Result)
		r.ArrivalRate = res.ArrivalRate
		if res.ObservedOK {
			m := NewModelReport(res.Observed, cfg.Rate, tick)
			r.Observed = &m
		}
		if tstar, ok := s.costs.CriticalPauseTick(cfg.Rate, tick); e.FindCritical && ok && tstar > 0 {
			if err := e.findCritical(ctx, progress, cfg, s.name, s.costs, tstar, &r); err != nil {
				return nil, nil, err
			}
		}
		reports = append(reports, r)
	}
	attachPhases(reports, phases)
	return reports, phases, nil
}

// findCritical bisects for the live critical pause of cfg's profile from
// the model's tstar and sets r's model, costs and bracket.
func (e *Experiment) findCritical(ctx context.Context, progress Progress, cfg Config, name string, costs model.Costs, tstar time.Duration, r *ProfileReport) error {
	crit := cfg
	crit.Progress = nil
	steps := e.CriticalSteps
	if steps == 0 {
		steps = DefaultCriticalSteps
	}
	// The machine's load changes while the bisection runs: the costs are
	// measured again after each of its runs, and the model is given their
	// mean, so that it describes the same stretch of time as the live
	// critical pause.
	samples := []model.Costs{costs}
	var calErr error
	b, err := FindCritical(ctx, crit, tstar, steps, func(pause time.Duration, res Result) {
		progress.CriticalRun(name, pause, res)
		c, err := Calibrate(ctx, crit)
		if err != nil {
			calErr = err
			return
		}
		samples = append(samples, c)
	})
	if err != nil {
		return err
	}
	if calErr != nil {
		return calErr
	}
	avg := MeanCosts(samples)
	r.Model = NewModelReport(avg, cfg.Rate, e.Config.Tick)
	r.Costs = avg
	r.Calibrations = len(samples)
	r.Bracket = &b
	if b.Found() {
		v := b.Estimate().Seconds()
		r.CriticalMeasured = &v
	}
	return nil
}

// sweepAfter is how long each cell of a sweep may take after its pause.
func sweepAfter(cfg Config) time.Duration {
	return max(cfg.Duration-cfg.At-cfg.Pause, 10*time.Second)
}

// MeanCosts returns the mean s0 and c of several measurements of one
// profile's costs, with the first one's k.
func MeanCosts(cs []model.Costs) model.Costs {
	m := model.Costs{K: cs[0].K}
	for _, c := range cs {
		m.S0 += c.S0 / float64(len(cs))
		m.C += c.C / float64(len(cs))
	}
	return m
}

// AllDrained reports whether a phase diagram has no finite T* and no
// runaway: nothing to draw.
func AllDrained(p model.Phase) bool {
	for j := range p.Rates {
		if p.CriticalOK[j] {
			return false
		}
	}
	for _, row := range p.Outcomes {
		for _, o := range row {
			if o != model.Drained {
				return false
			}
		}
	}
	return len(p.Rates) > 0 && len(p.Pauses) > 0
}

// silent is the Progress of an experiment that has none.
type silent struct{}

func (silent) Calibrating(string)                        {}
func (silent) Calibrated(string, model.Costs)            {}
func (silent) Sweeping(string, int, int)                 {}
func (silent) Simulated(string, model.Outcome)           {}
func (silent) Ran(string, Result)                        {}
func (silent) CriticalRun(string, time.Duration, Result) {}
func (silent) Sampler(string, Config) func(model.Sample) { return nil }
