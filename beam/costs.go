package beam

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/benchdb/benchdb/model"
)

// CostOptions set up a cost measurement. Zero fields take defaults.
type CostOptions struct {
	Rate    float64       // events per second (default 50,000)
	Calls   int           // untagged calls per event, k (0 is allowed: then c is not measured)
	Tick    time.Duration // producers' tick, whole milliseconds (default 1ms)
	Workers int           // writer pool (default 8)
	Queue   string        // OnHeap (default) or OffHeap
	Live    time.Duration // how long s0 is measured at the rate (default 1s)
	Depths  []int         // depths of S(n) (default DefaultCostDepths)
	Events  int           // events timed at each depth (default 2,000)
}

// DefaultCostDepths are the queue depths at which Costs measures S(n).
func DefaultCostDepths() []int { return []int{0, 1_000, 3_000, 10_000, 30_000} }

// Costs are the model's costs as measured on the BEAM.
type Costs struct {
	// S0 is the router's mean time per event in a live run at the rate,
	// in seconds: one event taken from a near-empty queue, its calls,
	// the pick and the forward, with the producers, writers and code
	// server running beside it.
	S0 float64
	// ArrivalRate is the rate the router served during that run.
	ArrivalRate float64
	// K is the calls per event.
	K int
	// Service is S(n) measured with n events queued (no producers).
	Service []DepthCost
}

// DepthCost is the mean service time, in seconds, at one queue depth.
type DepthCost struct {
	Depth   int
	Seconds float64
}

// Model returns the costs for package model: s0, k, and c(n) from the
// service times, c(n) = (S(n) − S(0))/(k·n) at each measured depth (never
// below a picosecond); C is c(n) at the deepest depth of 10,000 or less,
// for display. Without a depth 0 or with k = 0, c is 0.
func (c Costs) Model() model.Costs {
	m := model.Costs{S0: c.S0, K: c.K}
	base := -1.0
	for _, d := range c.Service {
		if d.Depth == 0 {
			base = d.Seconds
		}
	}
	if base < 0 || c.K == 0 {
		return m
	}
	for _, d := range c.Service {
		if d.Depth == 0 {
			continue
		}
		cn := max((d.Seconds-base)/float64(c.K*d.Depth), 1e-12)
		m.Scan = append(m.Scan, model.ScanPoint{N: float64(d.Depth), C: cn})
		if d.Depth <= 10_000 {
			m.C = cn
		}
	}
	if m.C == 0 && len(m.Scan) > 0 {
		m.C = m.Scan[0].C
	}
	return m
}

// Costs measures s0 at the rate and S(n) at each depth on the BEAM.
func (h *Harness) Costs(ctx context.Context, o CostOptions) (Costs, error) {
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
		"depths="+strings.Join(depths, ","), "events="+strconv.Itoa(o.Events))
	if err != nil {
		return Costs{}, err
	}
	return parseCosts(out, o.Calls)
}

// parseCosts reads the Cost lines of the harness's costs command.
func parseCosts(out []byte, calls int) (Costs, error) {
	c := Costs{K: calls}
	seenS0 := false
	for _, rec := range parseRecords(out) {
		if rec.kind != "Cost" {
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
			seenS0 = true
			continue
		}
		d, err := rec.int("depth")
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
