package scenario

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/model"
)

// Defaults for Config. They show the incident on a two-core machine: see
// the comment on DefaultRate.
const (
	// DefaultRate is λ, in events per second. At 50,000/s the router is
	// busy a small share of the time under every profile (λ·s0 is about
	// 0.1 to 0.3 with s0 from 1 to 6µs), so that without a pause every
	// profile keeps up; and with the Go mailbox's scan cost c of about
	// 1-2ns, elixir-1.5.1's tipping queue n* = (1 − λ·s0)/(λ·c) is some
	// 10,000-20,000 messages, T* a few hundred milliseconds.
	DefaultRate = 50000
	// DefaultAt is when the pause starts.
	DefaultAt = 300 * time.Millisecond
	// DefaultPause is the router's stop. It queues λ·T = 50,000 events,
	// several times elixir-1.5.1's n*, and a backlog the other profiles
	// clear in a fraction of a second.
	DefaultPause = time.Second
	// DefaultDuration bounds a run; a drained run ends as soon as it is
	// decided.
	DefaultDuration = 8 * time.Second
	// DefaultWorkers is the writer pool's size P.
	DefaultWorkers = 8
	// DefaultProducers is the number of producer goroutines.
	DefaultProducers = 2
	// DefaultCapQueue stops a runaway at this many queued messages.
	DefaultCapQueue = 100_000
	// DefaultCapBytes stops a runaway when the queue holds this much.
	DefaultCapBytes = 256 << 20
	// DefaultSampleEvery is the sampler's interval.
	DefaultSampleEvery = 10 * time.Millisecond
	// DefaultSettle is how long the queue must stay at its steady level
	// for a run to count as drained.
	DefaultSettle = 100 * time.Millisecond

	// SmoothStep is the producers' pacing step when Config.Tick is 0.
	SmoothStep = 100 * time.Microsecond

	// PayloadBytes is the size of an event's bin.
	PayloadBytes = 100
	// EventBytes is what one queued event holds: its payload and the
	// mailbox message around it. Bytes caps and peaks count this.
	EventBytes = PayloadBytes + int(unsafe.Sizeof(mailbox.Message{}))

	// MaxRate, MaxWorkers, MaxCapQueue and MaxCapBytes bound a run's
	// settings so that memory and time stay bounded on a small machine:
	// the router forwards at most a few million events per second, each
	// writer holds a goroutine, a file and a 64 KiB buffer, and a queued
	// event takes about twice EventBytes of heap.
	MaxRate     = 1e7
	MaxWorkers  = 1000
	MaxCapQueue = 10_000_000
	MaxCapBytes = 1 << 30

	// eventKind tags events in mailboxes; it is far from the small kinds
	// other packages use for requests and replies.
	eventKind = 0x5ce7
)

// Event is the {log, name, bin} message a producer sends.
type Event struct {
	Name string
	Bin  []byte
}

// Config sets up one live run. The zero value of a field means its
// default, except for Profile, which must be set.
type Config struct {
	Profile   Profile
	Rate      float64 // λ, events per second
	Producers int
	Workers   int // writer pool size P
	At        time.Duration
	Pause     time.Duration
	Duration  time.Duration // the longest a run goes on, pause included
	// CapQueue and CapBytes stop a runaway.
	CapQueue int
	CapBytes int64
	// DrainQueue is the queue length counted as steady state; 0 means
	// DefaultDrainQueue(Rate).
	DrainQueue  int
	Settle      time.Duration
	SampleEvery time.Duration
	// Discard drops the payloads instead of writing them to files.
	Discard bool
	// Dir is where the run makes its temporary directory for the
	// writers' files; "" means os.TempDir(). The directory is removed
	// when the run ends.
	Dir string
	// Seed seeds the profile's random choices.
	Seed uint64
	// Tick makes producers send in bursts: every Tick they send the
	// events due by then. 0 means smooth: they pace themselves in steps
	// of SmoothStep, the finest a timer keeps up with on a busy machine.
	Tick time.Duration
	// Now reads the clock; nil means time.Now. Timers are real.
	Now func() time.Time
	// Progress, if set, is called with every sample from the sampler's
	// goroutine while the run goes on.
	Progress func(model.Sample)

	// onMailbox, for tests, is called with the router's mailbox after
	// the run has stopped.
	onMailbox func(*mailbox.Mailbox)
	onRun     func(*run)
}

// DefaultDrainQueue returns the queue length counted as steady state at a
// rate: what 10ms of arrivals make (producers send in 1ms batches, and on
// a busy machine a descheduled producer catches up in one burst), and at
// least model.DefaultDrainQueue.
func DefaultDrainQueue(rate float64) int {
	return max(model.DefaultDrainQueue, int(rate*0.01))
}

// withDefaults fills in zero fields.
func (c Config) withDefaults() Config {
	c.Rate = cmp.Or(c.Rate, DefaultRate)
	c.Producers = cmp.Or(c.Producers, DefaultProducers)
	c.Workers = cmp.Or(c.Workers, DefaultWorkers)
	c.Duration = cmp.Or(c.Duration, DefaultDuration)
	c.CapQueue = cmp.Or(c.CapQueue, DefaultCapQueue)
	c.CapBytes = cmp.Or(c.CapBytes, DefaultCapBytes)
	c.DrainQueue = cmp.Or(c.DrainQueue, DefaultDrainQueue(c.Rate))
	c.Settle = cmp.Or(c.Settle, DefaultSettle)
	c.SampleEvery = cmp.Or(c.SampleEvery, DefaultSampleEvery)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports whether c (after defaults) can run.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Profile.NewPicker == nil:
		return errors.New("no profile")
	case !(c.Rate > 0) || c.Rate > MaxRate:
		return fmt.Errorf("rate %v: want more than 0 and at most %g events per second", c.Rate, float64(MaxRate))
	case c.Producers < 0 || c.Workers < 0 || c.Producers > MaxWorkers || c.Workers > MaxWorkers:
		return fmt.Errorf("producers %d, workers %d: want positive numbers, at most %d", c.Producers, c.Workers, MaxWorkers)
	case c.CapQueue > MaxCapQueue || c.CapBytes > MaxCapBytes:
		return fmt.Errorf("caps %d messages, %d bytes: want at most %d messages and %d bytes", c.CapQueue, c.CapBytes, MaxCapQueue, MaxCapBytes)
	case c.At < 0 || c.Pause < 0:
		return fmt.Errorf("pause %v at %v: want times of zero or more", c.Pause, c.At)
	case c.Duration <= c.At+c.Pause:
		return fmt.Errorf("duration %v: want more than the pause's end (%v)", c.Duration, c.At+c.Pause)
	case c.CapQueue < 0 || c.CapBytes < 0 || c.DrainQueue < 0 || c.Settle < 0 || c.SampleEvery < 0:
		return errors.New("caps, drain level, settle time and sample interval must not be negative")
	case c.Tick < 0:
		return fmt.Errorf("tick %v: want zero (smooth) or more", c.Tick)
	}
	return nil
}

// Sim returns the simulation of this configuration with the given costs:
// the same rate, pause, caps and drain rule, in virtual time.
func (c Config) Sim(costs model.Costs) model.Sim {
	c = c.withDefaults()
	return model.Sim{
		Costs: costs, Rate: c.Rate, At: c.At, Pause: c.Pause, Duration: c.Duration,
		CapQueue: c.CapQueue, CapBytes: c.CapBytes, MessageBytes: int64(EventBytes),
		DrainQueue: c.DrainQueue, Settle: c.Settle, SampleEvery: c.SampleEvery,
		Tick: c.Tick,
	}
}

// Result is the outcome of a live run. Its embedded model.Result has the
// outcome, peaks, drain time and samples; DrainTime runs from the router's
// resumption to the moment the queue came back to its steady level.
type Result struct {
	model.Result
	// ArrivalRate is the measured rate at which events were sent.
	ArrivalRate float64
	// Sent counts the events sent, Handled those the router forwarded,
	// Delivered those the writers took (and wrote, unless discarding),
	// and Dropped those still queued (or in the router's hands) when the
	// run stopped. Sent == Delivered + Dropped.
	Sent, Handled, Delivered, Dropped int64
	// Written is the number of payload bytes the writers wrote to files.
	Written int64
	// Observed are the costs fitted to the run itself: each event the
	// router handled without waiting gives its service time and the
	// queue behind it, and a least-squares line S(n) = s0 + k·c·n through
	// them gives s0 and c (k is the profile's). They include whatever the
	// run suffered (its own producers and writers, other processes on
	// the same cores, garbage collection), which Calibrate, timing the
	// router alone just before the run, does not see.
	// ObservedOK is false when the queue did not vary enough to fit.
	Observed   model.Costs
	ObservedOK bool
}

// run is the shared state of one live run.
type run struct {
	cfg     Config
	start   time.Time
	self    *mailbox.Mailbox
	sent    atomic.Int64
	handled atomic.Int64
	dropped atomic.Int64 // taken by the router, not forwarded
	resumed atomic.Int64 // nanoseconds since start at which the router resumed; 0 before
	fit     fitter       // the router's; read after it has stopped
}

func (r *run) since() time.Duration { return r.cfg.Now().Sub(r.start) }

// Run runs the scenario live and returns when it has drained, run away or
// used its Duration, or when ctx is done (with ctx's error). Every
// goroutine it starts has stopped and the queued messages have been
// dropped when it returns.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, fmt.Errorf("scenario %s: %w", cfg.Profile.Name, err)
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	w, err := newWriters(ctx, cfg)
	if err != nil {
		return Result{}, fmt.Errorf("scenario %s: %w", cfg.Profile.Name, err)
	}
	r := &run{cfg: cfg, self: mailbox.New()}
	picker, stopPicker, err := cfg.Profile.NewPicker(ctx, r.self, cfg.Workers, cfg.Seed)
	if err != nil {
		cancel()
		w.stop()
		return Result{}, fmt.Errorf("scenario %s: picker: %w", cfg.Profile.Name, err)
	}

	r.start = cfg.Now()
	var wg sync.WaitGroup
	routerErr := make(chan error, 1)
	wg.Go(func() { routerErr <- r.route(ctx, picker, w.boxes) })
	for i := range cfg.Producers {
		wg.Go(func() { r.produce(ctx, i) })
	}
	res := Result{Result: r.sample(ctx)}

	cancel()
	wg.Wait()
	stopPicker()
	elapsed := r.since()
	werr := w.stop()
	dropped := drop(r.self) + r.dropped.Load() + w.dropped
	if cfg.onRun != nil {
		cfg.onRun(r)
	}
	if cfg.onMailbox != nil {
		cfg.onMailbox(r.self)
	}

	res.ArrivalRate = float64(r.sent.Load()) / elapsed.Seconds()
	res.Sent, res.Handled, res.Dropped = r.sent.Load(), r.handled.Load(), dropped
	res.Delivered, res.Written = w.delivered.Load(), w.written.Load()
	if a, b, ok := r.fit.line(); ok && a > 0 {
		res.Observed = model.Costs{S0: a, C: max(b, 0), K: cfg.Profile.Calls}
		if cfg.Profile.Calls > 0 {
			res.Observed.C /= float64(cfg.Profile.Calls)
		}
		res.ObservedOK = true
	}
	if werr != nil {
		return res, fmt.Errorf("scenario %s: %w", cfg.Profile.Name, werr)
	}
	if err := <-routerErr; err != nil {
		return res, fmt.Errorf("scenario %s: router: %w", cfg.Profile.Name, err)
	}
	if res.Outcome == 0 {
		// The caller's context ended the run before it was decided.
		return res, fmt.Errorf("scenario %s: %w", cfg.Profile.Name, context.Cause(ctx))
	}
	return res, nil
}

// drop empties a stopped process's mailbox, releasing what it held,
// closes it, and returns the number of events it dropped.
func drop(mb *mailbox.Mailbox) int64 {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a receive on an empty mailbox returns at once
	var n int64
	for mb.Len() > 0 {
		msg, err := mb.Receive(ctx, func(*mailbox.Message) bool { return true })
		if err != nil {
			break
		}
		if msg.Kind == eventKind {
			n++
		}
	}
	mb.Close()
	return n
}

func isEvent(m *mailbox.Message) bool { return m.Kind == eventKind }

// route is the router process: receive an event, pick a writer, forward.
// At cfg.At it stops for cfg.Pause.
func (r *run) route(ctx context.Context, picker Picker, writers []*mailbox.Mailbox) error {
	paused := false
	fit := &r.fit
	for {
		opts := mailbox.ReceiveOptions{}
		if !paused {
			left := r.cfg.At - r.since()
			if left <= 0 {
				paused = true
				t := time.NewTimer(r.cfg.Pause)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil
				case <-t.C:
				}
				r.resumed.Store(int64(max(r.since(), 1)))
				continue
			}
			opts.Timeout = left
		}
		queued := r.self.Len()
		start := r.cfg.Now()
		msg, err := r.self.ReceiveWith(ctx, isEvent, opts)
		if errors.Is(err, mailbox.ErrTimeout) {
			continue
		}
		if err != nil {
			return nil // stopped
		}
		i, err := picker.Pick(ctx)
		if err != nil {
			r.dropped.Add(1)
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		writers[i].Send(msg)
		r.handled.Add(1)
		if queued > 0 {
			// The receive did not wait: the whole time was service.
			fit.add(float64(queued-1), r.cfg.Now().Sub(start).Seconds())
		}
	}
}

// fitter accumulates a least-squares fit of service time against the
// queue behind each event, S(n) = a + b·n.
type fitter struct {
	n, sx, sy, sxx, sxy float64
}

func (f *fitter) add(x, y float64) {
	f.n++
	f.sx += x
	f.sy += y
	f.sxx += x * x
	f.sxy += x * y
}

// line returns the intercept and slope, and false with too little spread
// in the queue lengths to tell them apart.
func (f *fitter) line() (a, b float64, ok bool) {
	d := f.n*f.sxx - f.sx*f.sx
	if f.n < 100 || d <= 0 {
		return 0, 0, false
	}
	b = (f.n*f.sxy - f.sx*f.sy) / d
	a = (f.sy - b*f.sx) / f.n
	return a, b, true
}

// produce is one producer: it sends its share of the rate, paced by the
// wall clock in steps of cfg.Tick (SmoothStep when 0), and holds off while
// the router's queue is at a cap.
func (r *run) produce(ctx context.Context, id int) {
	rate := r.cfg.Rate / float64(r.cfg.Producers)
	name := fmt.Sprintf("producer-%d", id)
	tick := time.NewTicker(cmp.Or(r.cfg.Tick, SmoothStep))
	defer tick.Stop()
	start := r.cfg.Now()
	var due, done int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		due = int64(rate * r.cfg.Now().Sub(start).Seconds())
		if r.self.Len() >= r.cfg.CapQueue || r.self.Bytes() >= r.cfg.CapBytes {
			done = due // the run is being stopped; do not build a debt
			continue
		}
		// A producer that was descheduled sends its debt in one burst:
		// the caps are checked within it, so that the queue never
		// overshoots them by more than a few events per producer.
		for ; done < due; done++ {
			if done%64 == 0 && (ctx.Err() != nil || r.self.Len() >= r.cfg.CapQueue || r.self.Bytes() >= r.cfg.CapBytes) {
				done = due
				break
			}
			r.self.Send(newEvent(name, done))
			r.sent.Add(1)
		}
	}
}

// newEvent makes event i of a producer called name: a payload of
// PayloadBytes ending in a newline.
func newEvent(name string, i int64) mailbox.Message {
	bin := make([]byte, PayloadBytes)
	bin[0], bin[PayloadBytes-1] = byte(i), '\n'
	return mailbox.Message{Kind: eventKind, Size: EventBytes, Body: &Event{Name: name, Bin: bin}}
}

// sample records the queue every SampleEvery and decides the outcome.
func (r *run) sample(ctx context.Context) model.Result {
	cfg := r.cfg
	tick := time.NewTicker(cfg.SampleEvery)
	defer tick.Stop()
	var res model.Result
	low := time.Duration(-1) // since when the queue is at its steady level
	for {
		t := r.since()
		q, b := r.self.Len(), r.self.Bytes()
		s := model.Sample{T: t, Queue: q, Bytes: b}
		res.Series = append(res.Series, s)
		res.PeakQueue = max(res.PeakQueue, q)
		res.PeakBytes = max(res.PeakBytes, b)
		res.FinalQueue, res.End = q, t
		if cfg.Progress != nil {
			cfg.Progress(s)
		}
		if q >= cfg.CapQueue || b >= cfg.CapBytes {
			res.Outcome = model.Runaway
			return res
		}
		if resumed := time.Duration(r.resumed.Load()); resumed > 0 && q <= cfg.DrainQueue {
			if low < 0 {
				low = t
			}
			if t-low >= cfg.Settle {
				res.Outcome = model.Drained
				res.DrainTime = max(low-resumed, 0)
				return res
			}
		} else {
			low = -1
		}
		if t >= cfg.Duration {
			res.Outcome = model.Runaway // not back to steady state in time
			return res
		}
		select {
		case <-ctx.Done():
			return res
		case <-tick.C:
		}
	}
}
