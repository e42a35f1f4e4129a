package scenario

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/benchdb/benchdb/model"
)

// Bracket is what FindCritical learnt about the live critical pause: the
// longest pause seen to drain and the shortest seen to run away. A zero
// field means no such pause was found within the search range.
type Bracket struct {
	Drained time.Duration
	Runaway time.Duration
	Runs    int // live runs made
}

// Found reports whether both ends were found.
func (b Bracket) Found() bool { return b.Drained > 0 && b.Runaway > 0 }

// Estimate returns the critical pause: the geometric mean of the bracket's
// ends, or 0 if it was not found.
func (b Bracket) Estimate() time.Duration {
	if !b.Found() {
		return 0
	}
	return time.Duration(math.Sqrt(float64(b.Drained) * float64(b.Runaway)))
}

// Search bounds for FindCritical: it looks between guess/16 and 16·guess.
const criticalRange = 16

// FindCritical looks for the live critical pause of cfg's profile at
// cfg.Rate, by bisection on the pause in log space. It starts at guess
// (the model's T*), doubles or halves until it has a pause that drains and
// one that runs away, then halves the bracket steps more times.
//
// Each run is cfg with its Pause set; it counts as a runaway as soon as
// the queue reaches twice the backlog the pause built (a queue that grows
// after the pause does not come back; for short pauses, twenty times the
// steady level, above the noise of a busy machine) or cfg's caps, and as
// drained as in Run. Report, if set, is called after each run.
func FindCritical(ctx context.Context, cfg Config, guess time.Duration, steps int, report func(pause time.Duration, r Result)) (Bracket, error) {
	if guess <= 0 {
		return Bracket{}, errors.New("find critical pause: want a positive first guess")
	}
	cfg = cfg.withDefaults()
	try := func(pause time.Duration) (model.Outcome, error) {
		c := cfg
		c.Pause = pause
		backlog := cfg.Rate * pause.Seconds()
		c.CapQueue = min(cfg.CapQueue, max(int(2*backlog), 20*c.DrainQueue))
		c.Duration = c.At + 5*pause + 2*time.Second
		res, err := Run(ctx, c)
		if err != nil {
			return 0, fmt.Errorf("find critical pause %v: %w", pause, err)
		}
		if report != nil {
			report(pause, res)
		}
		return res.Outcome, nil
	}
	return BisectPause(guess, steps, try)
}

// BisectPause brackets the critical pause by bisection in log space, the
// search FindCritical runs on the Go runtime and beam.FindCritical on a
// real BEAM: it starts at guess, doubles or halves until one pause
// drains and one runs away (within guess/16 to 16·guess; the bracket
// stays open otherwise), then halves the bracket steps more times. try
// runs one pause and says how it ended; each call counts in Runs.
func BisectPause(guess time.Duration, steps int, try func(pause time.Duration) (model.Outcome, error)) (Bracket, error) {
	var b Bracket
	run := func(p time.Duration) (model.Outcome, error) {
		b.Runs++
		return try(p)
	}
	lo, hi := guess/criticalRange, guess*criticalRange
	p := guess
	for b.Drained == 0 || b.Runaway == 0 {
		if p < lo || p > hi {
			return b, nil // not found in range
		}
		o, err := run(p)
		if err != nil {
			return b, err
		}
		if o == model.Runaway {
			b.Runaway = p
			if b.Drained == 0 {
				p /= 2
			}
		} else {
			b.Drained = p
			if b.Runaway == 0 {
				p *= 2
			}
		}
	}
	for range steps {
		mid := b.Estimate()
		o, err := run(mid)
		if err != nil {
			return b, err
		}
		if o == model.Runaway {
			b.Runaway = mid
		} else {
			b.Drained = mid
		}
	}
	return b, nil
}
