package scenario

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/model"
)

// Calibration sizes. They keep Calibrate to a few tens of milliseconds per
// profile.
const (
	calibBatch   = 256    // events per s0 batch
	calibBatches = 41     // s0 batches; the median is kept
	calibDepth   = 50_000 // queue depth at which c is measured
	calibPicks   = 16     // picks per c measurement
	calibRounds  = 5      // c measurements; the median is kept
)

// Calibrate measures the costs that drive the model for cfg's profile, on
// the same router, writers and picker that Run uses (with no producers):
//
//   - s0 is the router's time per event with an empty queue: receive an
//     event, pick a writer (with the profile's code-server round trips),
//     forward it. It is measured on batches of events queued in advance
//     and corrected for the scans those queued events cause.
//   - c is the time one pick spends per queued message: picks made behind
//     a deep queue, less picks made behind an empty one, divided by k and
//     the depth. For a profile that makes no calls (k = 0) it is the cost
//     per message of a receive that scans the whole queue, the cost such
//     a profile would pay if it did make a call.
//   - k is the profile's Calls.
//
// The medians of several rounds are kept, so that one descheduling does
// not skew them.
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
	c, err := measureScan(ctx, cfg, self, picker, k)
	if err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
	}
	s0, err := measureBase(ctx, cfg, self, picker, w.boxes, k, c)
	if err != nil {
		return model.Costs{}, fmt.Errorf("calibrate %s: %w", cfg.Profile.Name, err)
	}
	return model.Costs{S0: s0, C: c, K: k}, nil
}

func newEvent(i int) mailbox.Message {
	bin := make([]byte, PayloadBytes)
	bin[0], bin[PayloadBytes-1] = byte(i), '\n'
	return mailbox.Message{Kind: eventKind, Size: EventBytes, Body: &Event{Name: "calibrate", Bin: bin}}
}

// measureBase returns s0 in seconds.
func measureBase(ctx context.Context, cfg Config, self *mailbox.Mailbox, picker Picker, writers []*mailbox.Mailbox, k int, c float64) (float64, error) {
	events := make([]mailbox.Message, calibBatch)
	var per []float64
	for range calibBatches {
		for i := range events {
			events[i] = newEvent(i)
		}
		for _, e := range events {
			self.Send(e)
		}
		start := cfg.Now()
		for range calibBatch {
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
		elapsed := cfg.Now().Sub(start).Seconds()
		// Event j of the batch scanned the calibBatch-1-j events behind it.
		scans := float64(k) * c * float64(calibBatch*(calibBatch-1)/2)
		per = append(per, max(elapsed-scans, 0)/calibBatch)
	}
	return median(per), nil
}

// measureScan returns c in seconds per queued message.
func measureScan(ctx context.Context, cfg Config, self *mailbox.Mailbox, picker Picker, k int) (float64, error) {
	timePicks := func() (time.Duration, error) {
		start := cfg.Now()
		for range calibPicks {
			if _, err := picker.Pick(ctx); err != nil {
				return 0, err
			}
		}
		return cfg.Now().Sub(start), nil
	}
	const probeKind = eventKind + 1
	isProbe := func(m *mailbox.Message) bool { return m.Kind == probeKind }
	var per []float64
	for range calibRounds {
		var shallow time.Duration
		if k > 0 {
			var err error
			if shallow, err = timePicks(); err != nil {
				return 0, err
			}
		}
		for i := range calibDepth {
			self.Send(mailbox.Message{Kind: eventKind, Tag: int32(i)})
		}
		var deep time.Duration
		if k > 0 {
			var err error
			if deep, err = timePicks(); err != nil {
				return 0, err
			}
			per = append(per, (deep-shallow).Seconds()/float64(k*calibPicks*calibDepth))
		} else {
			self.Send(mailbox.Message{Kind: probeKind})
			start := cfg.Now()
			if _, err := self.Receive(ctx, isProbe); err != nil {
				return 0, err
			}
			per = append(per, cfg.Now().Sub(start).Seconds()/calibDepth)
		}
		for self.Len() > 0 {
			if _, err := self.Receive(ctx, isEvent); err != nil {
				return 0, err
			}
		}
	}
	return max(median(per), 1e-12), nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
