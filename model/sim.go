package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Defaults for a Sim's tunables.
const (
	// DefaultMessageBytes is what one queued event holds: its 100-byte
	// payload and the message around it.
	DefaultMessageBytes = 100
	// DefaultDrainQueue is the queue length counted as steady state.
	DefaultDrainQueue = 64
	// DefaultMaxEvents bounds the events one simulation (or one sweep,
	// all its cells together) lets arrive when Sim.MaxEvents is zero:
	// about ten seconds of work on one core (some 60ns per event
	// arriving and served).
	DefaultMaxEvents = 100_000_000
)

// ErrTooLong is returned when a simulation would take more than its
// MaxEvents arrivals.
var ErrTooLong = errors.New("too many simulated events")

// Sim is a deterministic discrete-event simulation, in virtual time, of one
// server that takes events from a queue in arrival order and spends
// Costs.Service(n) on each, n being the events still queued behind it.
// Events arrive at Rate from time zero; at At the server stops for Pause,
// then resumes. The run ends as soon as the queue is back to DrainQueue
// after the pause (drained), when it reaches CapQueue or CapBytes
// (runaway), or at Duration (runaway if it has not drained by then).
//
// The same Sim always gives the same Result. The zero value is not useful:
// set Costs, Rate and Duration at least.
type Sim struct {
	Costs    Costs
	Rate     float64       // arrivals per second
	At       time.Duration // when the pause starts
	Pause    time.Duration // how long the server stops
	Duration time.Duration // the longest the run goes on

	// CapQueue stops the run as a runaway when this many events are
	// queued; 0 means no cap.
	CapQueue int
	// CapBytes stops the run as a runaway when the queued events hold
	// this many bytes; 0 means no cap.
	CapBytes int64
	// MessageBytes is the size of one queued event; 0 means
	// DefaultMessageBytes.
	MessageBytes int64
	// DrainQueue is the queue length counted as steady state after the
	// pause; 0 means DefaultDrainQueue.
	DrainQueue int
	// Settle is how long the queue must stay at or below DrainQueue for
	// the run to count as drained; 0 decides at the first moment it is.
	Settle time.Duration
	// SampleEvery is the interval of Result.Series; 0 records no series.
	SampleEvery time.Duration

	// Poisson makes arrivals a Poisson process drawn from Seed; otherwise
	// they are evenly spaced, 1/Rate apart.
	Poisson bool
	Seed    uint64

	// MaxEvents stops the run with ErrTooLong once this many events
	// have arrived; 0 means DefaultMaxEvents, a negative value no limit.
	MaxEvents int64

	// Tick, when positive (and Poisson is not set), makes arrivals come
	// in bursts, as producers paced by a timer send them: the events due
	// by each multiple of Tick (event i is due at i/Rate) all arrive at
	// that moment. 0 means smooth arrivals.
	Tick time.Duration
}

// Result is the outcome of a simulated or live run.
type Result struct {
	Outcome    Outcome
	PeakQueue  int
	FinalQueue int
	PeakBytes  int64
	// DrainTime is the time from the end of the pause until the queue
	// was back to its steady level; meaningful when Outcome is Drained.
	DrainTime time.Duration
	// End is the virtual time at which the run stopped.
	End time.Duration
	// Series samples the queue every SampleEvery, from time zero.
	Series []Sample
	// Events is the number of events that arrived (simulations only).
	Events int64
}

// Validate reports whether the simulation can run.
func (s Sim) Validate() error {
	if err := s.Costs.Validate(); err != nil {
		return err
	}
	switch {
	case !(s.Rate > 0) || math.IsInf(s.Rate, 0):
		return fmt.Errorf("rate %v: want a positive number of events per second", s.Rate)
	case s.At < 0 || s.Pause < 0:
		return fmt.Errorf("pause %v at %v: want times of zero or more", s.Pause, s.At)
	case s.Duration <= 0:
		return fmt.Errorf("duration %v: want a positive time", s.Duration)
	case s.CapQueue < 0 || s.CapBytes < 0 || s.MessageBytes < 0 || s.DrainQueue < 0 || s.Settle < 0:
		return fmt.Errorf("caps, sizes and drain level must not be negative")
	case s.SampleEvery < 0:
		return fmt.Errorf("sample interval %v: want zero or more", s.SampleEvery)
	case s.Tick < 0:
		return fmt.Errorf("tick %v: want zero (smooth) or more", s.Tick)
	}
	return nil
}

// simState is the simulation's moving part: the queue, the arrival
// process and the samples taken so far.
type simState struct {
	s          *Sim
	rng        *rand.Rand
	msgBytes   int64
	n          int     // events queued
	arrivals   int64   // events arrived so far
	nextArr    float64 // time of the next arrival, seconds
	every      float64 // sample interval, seconds; 0 for none
	nextSample float64
	res        Result
	capped     bool
	cappedAt   float64 // arrival time that reached a cap

	ctx       context.Context
	maxEvents int64 // 0: no limit
	steps     int   // loop steps, for checking ctx now and then
	err       error // why the run stopped early: ctx's error or ErrTooLong
}

// stop reports whether the run must stop early (its context is done or
// it has used its events), checking the context every 65536 steps.
func (st *simState) stop() bool {
	if st.err != nil {
		return true
	}
	if st.maxEvents > 0 && st.arrivals >= st.maxEvents {
		st.err = fmt.Errorf("%w: more than %d", ErrTooLong, st.maxEvents)
		return true
	}
	if st.steps++; st.steps&0xffff == 0 {
		st.err = st.ctx.Err()
	}
	return st.err != nil
}

// Run simulates s; it is RunContext without a context.
func (s Sim) Run() (Result, error) {
	return s.RunContext(context.Background())
}

// RunContext simulates s. It returns an error for settings Validate
// rejects, when ctx is done (ctx's error), and when more than MaxEvents
// events would arrive (ErrTooLong).
func (s Sim) RunContext(ctx context.Context) (Result, error) {
	if err := s.Validate(); err != nil {
		return Result{}, fmt.Errorf("simulate: %w", err)
	}
	st := &simState{s: &s, msgBytes: s.MessageBytes, ctx: ctx, maxEvents: s.MaxEvents, err: ctx.Err()}
	if st.maxEvents == 0 {
		st.maxEvents = DefaultMaxEvents
	}
	if st.msgBytes == 0 {
		st.msgBytes = DefaultMessageBytes
	}
	drainQueue := s.DrainQueue
	if drainQueue == 0 {
		drainQueue = DefaultDrainQueue
	}
	if s.Poisson {
		st.rng = rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	}
	st.nextArr = st.arrivalAfter(0)
	if s.SampleEvery > 0 {
		st.every = s.SampleEvery.Seconds()
	} else {
		st.nextSample = math.Inf(1)
	}

	at, resume, end := s.At.Seconds(), (s.At + s.Pause).Seconds(), s.Duration.Seconds()
	settle := s.Settle.Seconds()
	t, paused, low := 0.0, false, -1.0 // low: since when the queue is low
	for t < end && !st.capped && !st.stop() {
		if !paused && t >= at {
			// The server stops; arrivals go on.
			paused = true
			t = math.Min(resume, end)
			st.advance(t)
			continue
		}
		if paused && st.n <= drainQueue {
			if low < 0 {
				low = t
			}
			if t >= low+settle {
				st.res.Outcome = Drained
				st.res.DrainTime = seconds(low - resume)
				break
			}
		} else {
			low = -1
		}
		if st.n == 0 {
			// Idle until the next arrival, or until the pause starts.
			next := st.nextArr
			if !paused && next > at {
				next = at
			}
			if low >= 0 && next > low+settle {
				next = low + settle
			}
			t = math.Min(next, end)
			st.advance(t)
			continue
		}
		st.n--
		t = math.Min(t+s.Costs.Service(float64(st.n)), end)
		st.advance(t)
	}
	st.res.Events = st.arrivals
	if st.err != nil {
		return st.res, fmt.Errorf("simulate: %w", st.err)
	}
	if st.res.Outcome == 0 {
		st.res.Outcome = Runaway
	}
	if st.capped {
		t = st.cappedAt
	}
	st.res.FinalQueue = st.n
	st.res.End = seconds(t)
	if st.every > 0 {
		if k := len(st.res.Series); k > 0 && st.res.Series[k-1].T == st.res.End {
			st.res.Series = st.res.Series[:k-1]
		}
		st.sample(t)
	}
	return st.res, nil
}

// arrivalAfter returns the time of the arrival that follows one at t.
func (st *simState) arrivalAfter(t float64) float64 {
	if st.rng != nil {
		return t + st.rng.ExpFloat64()/st.s.Rate
	}
	// Evenly spaced: computed from the count, so that no rounding error
	// builds up over millions of arrivals.
	due := float64(st.arrivals+1) / st.s.Rate
	if tick := st.s.Tick.Seconds(); tick > 0 {
		// Sent at the first tick at or after it is due; the tolerance
		// keeps an event due exactly on a tick in that tick.
		return math.Ceil(due/tick-1e-9) * tick
	}
	return due
}

// advance moves virtual time to t: it queues the arrivals and takes the
// samples due by then, and stops early when a cap is reached.
func (st *simState) advance(t float64) {
	for !st.capped && !st.stop() {
		if st.nextSample <= st.nextArr && st.nextSample <= t {
			st.sample(st.nextSample)
			st.nextSample = float64(len(st.res.Series)) * st.every
			continue
		}
		if st.nextArr > t {
			return
		}
		st.n++
		st.arrivals++
		if st.n > st.res.PeakQueue {
			st.res.PeakQueue = st.n
			st.res.PeakBytes = int64(st.n) * st.msgBytes
		}
		s := st.s
		if (s.CapQueue > 0 && st.n >= s.CapQueue) || (s.CapBytes > 0 && int64(st.n)*st.msgBytes >= s.CapBytes) {
			st.capped = true
			st.cappedAt = st.nextArr
		}
		st.nextArr = st.arrivalAfter(st.nextArr)
	}
}

func (st *simState) sample(t float64) {
	st.res.Series = append(st.res.Series, Sample{T: seconds(t), Queue: st.n, Bytes: int64(st.n) * st.msgBytes})
}
