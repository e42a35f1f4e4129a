package beam

// This file measures a router's costs on the BEAM: the harness's costs
// command, run and parsed.

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Costs measures s0 at the rate and S(n) at each depth on the BEAM. Where
// o.Backlogs is empty and k is not zero it measures in two passes: the
// default backlogs, a factor of three apart, give a first n*; then
// FocusBacklogs(n*, FocusRungs()) measure S(n) densely around it, and the
// two passes are pooled (MergeCosts; the isolated service times are the
// first pass's). A second pass that fails is a warning (Costs.Warnings),
// and the first pass is returned alone. Between backlogs a factor of three apart the live bins
// have a gap exactly where n* lies (a backlog below n* drains, one above
// it runs away upwards), and the model interpolated c(n) across it: at
// 25,000/s with two calls that put n* at 3,300 where the router tipped
// over at 2,200.
func (h *Harness) Costs(ctx context.Context, o CostOptions) (Costs, error) {
	if len(o.Backlogs) > 0 || o.Calls == 0 {
		return h.costs(ctx, o)
	}
	first, err := h.costs(ctx, o)
	if err != nil {
		return Costs{}, err
	}
	n, ok := first.Model().TippingQueue(orFloat(o.Rate, 50000))
	backlogs := FocusBacklogs(n, orFloat(o.Rate, 50000), FocusRungs())
	if !ok || backlogs == nil {
		return first, nil
	}
	f := o
	f.Backlogs = backlogs
	f.Depths = []int{0}
	f.Live = 300 * time.Millisecond
	focus, err := h.costs(ctx, f)
	if ctx.Err() != nil {
		return Costs{}, fmt.Errorf("beam costs: %w", context.Cause(ctx))
	}
	if err != nil {
		first.Warnings = append(first.Warnings, fmt.Errorf("around n* %.0f: %w", n, err))
		return first, nil
	}
	m := MergeCosts(first, focus)
	m.Service = first.Service
	return m, nil
}

// costs is one pass of Costs: one run of the harness's costs command.
func (h *Harness) costs(ctx context.Context, o CostOptions) (Costs, error) {
	o.Rate = orFloat(o.Rate, 50000)
	if o.Tick == 0 {
		o.Tick = time.Millisecond
	}
	o.Workers = max(o.Workers, 0)
	if o.Workers == 0 {
		o.Workers = 8
	}
	if o.Queue == "" {
		o.Queue = OnHeap
	}
	if o.Live <= 0 {
		o.Live = time.Second
	}
	if len(o.Depths) == 0 {
		o.Depths = DefaultCostDepths()
	}
	if o.Events <= 0 {
		o.Events = 2000
	}
	if len(o.Backlogs) == 0 {
		o.Backlogs = DefaultBacklogs()
	}
	backlogs := make([]string, len(o.Backlogs))
	for i, b := range o.Backlogs {
		if b < 1 || b > 1_000_000 {
			return Costs{}, fmt.Errorf("beam costs: backlog %d: want 1 to 10^6", b)
		}
		backlogs[i] = strconv.Itoa(b)
	}
	if err := checkCommon(o.Rate, o.Calls, o.Tick, o.Queue); err != nil {
		return Costs{}, fmt.Errorf("beam costs: %w", err)
	}
	depths := make([]string, len(o.Depths))
	for i, d := range o.Depths {
		if d < 0 || d > 1_000_000 {
			return Costs{}, fmt.Errorf("beam costs: depth %d: want 0 to 10^6", d)
		}
		depths[i] = strconv.Itoa(d)
	}
	out, err := h.run(ctx, "costs",
		"rate="+floatArg(o.Rate), "calls="+strconv.Itoa(o.Calls), "tick_ms="+tickMs(o.Tick),
		"workers="+strconv.Itoa(o.Workers), "queue="+o.Queue,
		"live_ms="+strconv.FormatInt(o.Live.Milliseconds(), 10),
		"depths="+strings.Join(depths, ","), "events="+strconv.Itoa(o.Events),
		"backlogs="+strings.Join(backlogs, ","))
	if err != nil {
		return Costs{}, err
	}
	c, err := parseCosts(out, o.Calls)
	c.Rate = o.Rate
	return c, err
}

// parseCosts reads the Cost lines of the harness's costs command.
func parseCosts(out []byte, calls int) (Costs, error) {
	c := Costs{K: calls}
	seenS0 := false
	var live *StallLog
	for _, rec := range parseRecords(out) {
		if rec.kind == "Stall" {
			at, err := rec.float("t_ms")
			if err != nil {
				return Costs{}, fmt.Errorf("beam costs: %w", err)
			}
			late, err := rec.float("late_us")
			if err != nil {
				return Costs{}, fmt.Errorf("beam costs: %w", err)
			}
			if live == nil {
				return Costs{}, fmt.Errorf("beam costs: line %d: a Stall before the s0 line with live_ms", rec.line)
			}
			live.Ticks = append(live.Ticks, Stall{At: time.Duration(at * 1e6), Late: time.Duration(late * 1e3)})
			continue
		}
		if rec.kind != "Cost" {
			continue
		}
		if _, ok := rec.fields["events"]; ok {
			var b LiveCost
			var err error
			if b.Depth, err = rec.float("depth"); err == nil {
				if b.Seconds, err = rec.float("service"); err == nil {
					b.Events, err = rec.int("events")
				}
			}
			if _, ok := rec.fields["cycle"]; ok && err == nil {
				b.Cycle, err = rec.float("cycle")
			}
			if err != nil {
				return Costs{}, fmt.Errorf("beam costs: %w", err)
			}
			c.Live = append(c.Live, b)
			continue
		}
		if _, ok := rec.fields["s0"]; ok {
			var err error
			if c.S0, err = rec.float("s0"); err != nil {
				return Costs{}, fmt.Errorf("beam costs: %w", err)
			}
			if c.ArrivalRate, err = rec.float("rate"); err != nil {
				return Costs{}, fmt.Errorf("beam costs: %w", err)
			}
			if _, ok := rec.fields["queue_median"]; ok {
				if c.QueueMedian, err = rec.float("queue_median"); err != nil {
					return Costs{}, fmt.Errorf("beam costs: %w", err)
				}
			}
			if _, ok := rec.fields["live_ms"]; ok {
				ms, err := rec.float("live_ms")
				if err != nil || !(ms > 0) {
					return Costs{}, fmt.Errorf("beam costs: line %d: live_ms %q: want a positive number", rec.line, rec.fields["live_ms"])
				}
				live = &StallLog{Live: time.Duration(ms * 1e6)}
				if _, ok := rec.fields["stopped"]; ok {
					if live.Stopped, err = rec.float("stopped"); err != nil || live.Stopped < 0 || live.Stopped > 1 {
						return Costs{}, fmt.Errorf("beam costs: line %d: stopped %q: want a share from 0 to 1", rec.line, rec.fields["stopped"])
					}
				}
			}
			seenS0 = true
			continue
		}
		d, err := rec.int("isolated_depth")
		if err != nil {
			return Costs{}, fmt.Errorf("beam costs: %w", err)
		}
		s, err := rec.float("service")
		if err != nil {
			return Costs{}, fmt.Errorf("beam costs: %w", err)
		}
		if len(c.Service) > 0 && d <= c.Service[len(c.Service)-1].Depth {
			return Costs{}, fmt.Errorf("beam costs: line %d: depth %d not ascending", rec.line, d)
		}
		c.Service = append(c.Service, DepthCost{Depth: d, Seconds: s})
	}
	if !seenS0 || !(c.S0 > 0) {
		return Costs{}, fmt.Errorf("beam costs: no positive s0 in the output")
	}
	if live != nil {
		c.Stalls = []StallLog{*live}
	}
	return c, nil
}

func checkCommon(rate float64, calls int, tick time.Duration, queue string) error {
	switch {
	case !(rate > 0) || rate > 1e7 || math.IsInf(rate, 0):
		return fmt.Errorf("rate %v: want 1 to 1e7 events per second", rate)
	case calls < 0 || calls > 100:
		return fmt.Errorf("calls %d: want 0 to 100", calls)
	case tick < 0 || tick%time.Millisecond != 0:
		return fmt.Errorf("tick %v: the BEAM's timers tick in whole milliseconds (0 is 1ms there)", tick)
	case queue != OnHeap && queue != OffHeap:
		return fmt.Errorf("queue %q: want %s or %s", queue, OnHeap, OffHeap)
	}
	return nil
}

func orFloat(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func floatArg(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// tickMs is the producers' tick in milliseconds; smooth (0) is the
// BEAM's finest timer step, 1ms.
func tickMs(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}
