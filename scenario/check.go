package scenario

import (
	"fmt"

	"github.com/benchdb/benchdb/model"
)

// A CheckError says why an Experiment cannot run as set. Its message
// names the settings as benchdb scenario's flags (--rate, --duration,
// --sweep, --costs, --find-critical), the only caller that lets a user
// set them.
type CheckError struct{ Msg string }

func (e *CheckError) Error() string { return e.Msg }

// Check reports, as a *CheckError, an experiment that cannot run as set,
// before any work: a run that would simulate more than
// model.DefaultMaxEvents events (the simulation beside every live run
// lets Rate × Duration arrive), a sweep whose grid would, or FindCritical
// with Sweep or Costs (it runs live). Config's own limits are
// Config.Validate's.
func (e *Experiment) Check() error {
	cfg := e.Config
	if n := cfg.Rate * cfg.Duration.Seconds(); n > model.DefaultMaxEvents {
		return &CheckError{fmt.Sprintf("--rate %v with --duration %v: up to %.3g events, more than the %.3g a run may simulate; lower one of them",
			cfg.Rate, cfg.Duration, n, float64(model.DefaultMaxEvents))}
	}
	if e.Sweep && e.Costs != nil {
		// The grid is known before any work: refuse a sweep too large
		// to finish, rather than stop it half way.
		rates, pauses := model.DefaultGrid(*e.Costs, cfg.Rate)
		if n := model.SweepEvents(cfg.At, rates, pauses); n > model.DefaultMaxEvents {
			return &CheckError{fmt.Sprintf("--sweep at --rate %v: the grid simulates at least %.3g events, more than %.3g; lower --rate",
				cfg.Rate, n, float64(model.DefaultMaxEvents))}
		}
	}
	if e.FindCritical && (e.Sweep || e.Costs != nil) {
		return &CheckError{"--find-critical runs live: it does not go with --sweep or --costs"}
	}
	return nil
}
