package scenario

import (
	"context"
	"fmt"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/model"
)

// Calibration sizes. They keep Calibrate to a few tens of milliseconds per
// profile on an idle machine.
const (
	calibBatch   = 256    // events per s0 batch
	calibBatches = 64     // s0 batches
	calibDepth   = 10_000 // queue depth at which c is measured first
	// c is measured again at n*, within these depths (scanDepth).
	calibMinDepth = 500
	calibMaxDepth = 100_000
	calibPicks    = 32 // picks timed per round
	calibRounds   = 16 // rounds of c measurement
)

// Calibrate measures the costs that drive the model for cfg's profile, on
// the same router, writers and picker that Run uses (with no producers):
//
//   - s0 is the router's mean time per event with an empty queue:
//     receive an event, pick a writer (with the profile's code-server
//     round trips), forward it. Each event is sent just before it is
//     handled, so s0 includes one Send (about 0.1µs) that in a live run
//     the producer pays: a slight overestimate.
//   - c is the time one pick spends per queued message: the mean time of
//     a pick made behind a deep queue, less the mean behind an empty
//     one, divided by k and the depth. It is measured at 10,000 queued
//     messages, then again at the n* that gives at cfg.Rate (within 500
//     and 100,000): c depends on the queue's depth (the caches it
//     fits in), and the model needs c where the backlog is decided. For a profile that makes no calls
//     (k = 0), c is the cost per message of a receive that scans the
//     whole queue: the cost such a profile would pay if it made a call.
//   - k is the profile's Calls.
//
// Means, not medians: the model needs the mean service time, and on a
// shared machine that includes the share of time the router is not
// running, which a live run suffers too. Run Calibrate just before the
// run it predicts.
func Calibrate(ctx context.Context, cfg Config) (model.Costs, error) {
	if err := cfg.Validate(); err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := newWriters(ctx, cfg)
	if err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
	}
	defer w.stop()
	self := mailbox.New()
	defer drop(self)
	picker, stopPicker, err := cfg.Profile.NewPicker(ctx, self, cfg.Workers, cfg.Seed)
	if err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: picker: %w", cfg.Profile.Name, err)
	}
	defer func() { cancel(); stopPicker() }()

	k := cfg.Profile.Calls
	c, err := measureScan(ctx, cfg, self, picker, k, calibDepth)
	if err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
	}
	s0, err := measureBase(ctx, cfg, self, picker, w.boxes)
	if err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
	}
	costs := model.Costs{S0: s0, C: c, K: k}
	if d, ok := scanDepth(costs, cfg.Rate); ok {
		if costs.C, err = measureScan(ctx, cfg, self, picker, k, d); err != nil {
			return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
		}
	}
	return costs, nil
}

// scanDepth returns the depth at which Calibrate measures c a second
// time: the n* that c at calibDepth gives at rate, within calibMinDepth
// and calibMaxDepth, and false where that is within a quarter of
// calibDepth or n* is not finite. The cost of a queued message is not
// constant (it depends on the caches the queue fits in): the model needs
// it near n*, where the backlog decides whether it drains.
func scanDepth(c model.Costs, rate float64) (int, bool) {
	n, finite := c.TippingQueue(rate)
	if c.K == 0 || !finite || n <= 0 {
		return 0, false
	}
	d := int(min(max(n, calibMinDepth), calibMaxDepth))
	if r := float64(d) / calibDepth; r > 0.8 && r < 1.25 {
		return 0, false
	}
	return d, true
}

// measureBase returns s0 in seconds.
func measureBase(ctx context.Context, cfg Config, self *mailbox.Mailbox, picker Picker, writers []*mailbox.Mailbox) (float64, error) {
	events := make([]mailbox.Message, calibBatch)
	var per []float64
	for range calibBatches {
		for i := range events {
			events[i] = newEvent("calibrate", int64(i))
		}
		start := cfg.Now()
		for _, e := range events {
			self.Send(e)
			msg, err := self.Receive(ctx, isEvent)
			if err != nil {
				return 0, err
			}
			i, err := picker.Pick(ctx)
			if err != nil {
				return 0, err
			}
			writers[i].Send(msg)
		}
		per = append(per, cfg.Now().Sub(start).Seconds()/calibBatch)
	}
	return mean(per), nil
}

// measureScan returns c in seconds per queued message.
func measureScan(ctx context.Context, cfg Config, self *mailbox.Mailbox, picker Picker, k, depth int) (float64, error) {
	timePicks := func(into *[]float64) error {
		for range calibPicks {
			start := cfg.Now()
			if _, err := picker.Pick(ctx); err != nil {
				return err
			}
			*into = append(*into, cfg.Now().Sub(start).Seconds())
		}
		return nil
	}
	const probeKind = eventKind + 1
	isProbe := func(m *mailbox.Message) bool { return m.Kind == probeKind }
	var shallow, deep []float64
	if k > 0 {
		for range calibRounds {
			if err := timePicks(&shallow); err != nil {
				return 0, err
			}
		}
	}
	for i := range depth {
		self.Send(mailbox.Message{Kind: eventKind, Tag: int32(i)})
	}
	for range calibRounds {
		if k > 0 {
			if err := timePicks(&deep); err != nil {
				return 0, err
			}
			continue
		}
		self.Send(mailbox.Message{Kind: probeKind})
		start := cfg.Now()
		if _, err := self.Receive(ctx, isProbe); err != nil {
			return 0, err
		}
		deep = append(deep, cfg.Now().Sub(start).Seconds())
	}
	for self.Len() > 0 {
		if _, err := self.Receive(ctx, isEvent); err != nil {
			return 0, err
		}
	}
	c := mean(deep) / float64(depth)
	if k > 0 {
		c = (mean(deep) - mean(shallow)) / float64(k*depth)
	}
	return max(c, 1e-12), nil
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
