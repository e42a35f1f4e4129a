package beam

import (
	"cmp"
	"math"
	"slices"

	"github.com/benchdb/benchdb/model"
)

// traceWindow is the events the router serves between two points of a
// run's trace (the harness's ?WINDOW).
const traceWindow = 16

// TraceCosts turns the traces of scenario runs (ScenarioResult.Trace:
// the router's queue at the start of each window of 16 events served
// after its pause, and the time) into live S(n) bins, as the cost
// measurement's live runs give them: each pair of successive points is a
// window whose cycle time per event is the time between them over 16,
// with the queue at the mean of its ends (less the event taken); the
// windows are binned an eighth of a power of two of the queue wide, as
// the harness bins its own, and each bin gives its mean queue, mean
// cycle time and events. A point whose queue is below a window ends
// the trace (the router may then have waited), so only successive
// points count. The result is in ascending order of depth.
func TraceCosts(traces ...[]model.Sample) []LiveCost {
	type acc struct{ n, dt, events float64 }
	bins := map[int]*acc{}
	for _, tr := range traces {
		for i := 1; i < len(tr); i++ {
			a, b := tr[i-1], tr[i]
			dt := (b.T - a.T).Seconds()
			if a.Queue < traceWindow || !(dt > 0) {
				continue
			}
			n := (float64(a.Queue) - 1 + float64(b.Queue)) / 2
			if n < 1 {
				continue
			}
			g := int(math.Round(groupsPerOctave * math.Log2(n)))
			x := bins[g]
			if x == nil {
				x = &acc{}
				bins[g] = x
			}
			x.n += n * traceWindow
			x.dt += dt
			x.events += traceWindow
		}
	}
	var out []LiveCost
	for _, x := range bins {
		per := x.dt / x.events
		out = append(out, LiveCost{Depth: x.n / x.events, Seconds: per, Cycle: per, Events: int(x.events)})
	}
	slices.SortFunc(out, func(a, b LiveCost) int { return cmp.Compare(a.Depth, b.Depth) })
	return out
}

// RunCosts are the costs of a bisection's own runs: base's s0, Q0 and
// stall logs (measured beside the runs: a run has no stretch near an
// empty queue long enough to time s0) with base's live S(n) replaced by
// the bins of the runs' traces (TraceCosts). Where the traces hold no
// bin, base is returned unchanged.
func RunCosts(base Costs, traces ...[]model.Sample) Costs {
	live := TraceCosts(traces...)
	if len(live) == 0 {
		return base
	}
	c := base
	c.Live = live
	c.Service = nil
	return c
}
