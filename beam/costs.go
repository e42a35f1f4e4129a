package beam

import (
	"cmp"
	"math"
	"slices"
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
	Events  int           // events timed at each isolated depth (default 2,000)
	// Backlogs are the backlogs of the live S(n) runs (default
	// DefaultBacklogs): one below n* drains through the lower depths, one
	// above it covers the higher ones as the queue runs away.
	Backlogs []int
}

// DefaultBacklogs are the backlogs Costs builds to measure S(n) live.
func DefaultBacklogs() []int { return []int{1_000, 3_000, 10_000, 30_000} }

// DefaultCostDepths are the queue depths at which Costs measures S(n).
func DefaultCostDepths() []int { return []int{0, 1_000, 10_000} }

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
	// Service is S(n) measured with n events queued and no producers:
	// the isolated cost of a scan, for comparison.
	Service []DepthCost
	// Live is S(n) measured in live runs (the router stopped until a
	// backlog built up, then served it while the producers went on), in
	// bins of queue length: what the model uses.
	Live []LiveCost
	// Warnings are the passes that failed and were left out (Costs'
	// second pass, on a machine that starved the router).
	Warnings []error
	// Rate is the rate the costs were measured at (CostOptions.Rate).
	Rate float64
	// QueueMedian is the median of the router's queue read every 10ms
	// or so, at a random point of a millisecond (a moment that does not
	// know the producers' ticks, as the moment a pause begins), while s0
	// was measured: the model's Q0.
	QueueMedian float64
	// Stalls are the stops of the whole runtime seen while s0 was
	// measured, one log per measurement (MergeCosts keeps them apart).
	Stalls []StallLog
}

// StallLog is what one measurement saw of the runtime's stalls: in a
// live run of length Live, the producers' ticks that ran at least 0.3ms
// after their timer was due (a tick runs 10 to 100µs late on a quiet
// machine), each with its time from the start and its lateness. Both
// producers log a stall of the whole runtime.
//
// Stopped is the share of the run the producers stood still in those
// stalls (their lateness within the run summed, over both producers'
// time): at most one.
type StallLog struct {
	Live    time.Duration
	Ticks   []Stall
	Stopped float64
}

// Stall is one late tick: At from the start of the live run, Late after
// its timer was due.
type Stall struct {
	At, Late time.Duration
}

// TypicalStall returns the median, over all stretches of length w that
// the logs hold (each log cut into Live/w stretches, at least one), of
// the longest stall in the stretch (0 where there was none) less the
// stopped time w·Stopped that the stretch's mean service time already
// pays for (the live S(n) is timed by the clock, stops included), and
// never below zero; 0 without logs or for w <= 0. With rare stops the
// longest is all of it; where the runtime stops often, S(n) holds them
// and a median stretch's longest stop is less than its share.
func (c Costs) TypicalStall(w time.Duration) time.Duration {
	if w <= 0 {
		return 0
	}
	var longest []time.Duration
	for _, l := range c.Stalls {
		n := max(int(l.Live/w), 1)
		most := make([]time.Duration, n)
		for _, s := range l.Ticks {
			i := min(int(s.At/w), n-1)
			if s.At >= 0 {
				most[i] = max(most[i], s.Late)
			}
		}
		share := time.Duration(l.Stopped * float64(min(w, l.Live)))
		for _, m := range most {
			longest = append(longest, m-share)
		}
	}
	if len(longest) == 0 {
		return 0
	}
	slices.Sort(longest)
	return max((longest[(len(longest)-1)/2]+longest[len(longest)/2])/2, 0)
}

// DepthCost is the mean service time, in seconds, at one queue depth.
type DepthCost struct {
	Depth   int
	Seconds float64
}

// LiveCost is the mean service time, in seconds, of Events events served
// with a mean of Depth events queued behind them, and their mean cycle
// time: from taking one event to taking the next, with the queue never
// empty in between (0 where not measured). The harness times windows of
// events, not each event, and reports the cycle time as both.
type LiveCost struct {
	Depth   float64
	Seconds float64
	Cycle   float64
	Events  int
}

// Live bins are pooled into groups of queue length an eighth of a power
// of two wide (9%, the harness's own bins, so that the bins of several
// measurements at the same depth pool); a group with fewer than
// minGroupEvents events is dropped, and bins below minLiveDepth (where the
// scan is lost in the noise of s0) are not used. Groups this narrow keep
// the step that S(n) takes where the scan's working set leaves a cache
// level where it is; groups a power of two wide averaged it over a
// factor of two of n.
const (
	minGroupEvents  = 50
	minLiveDepth    = 100
	groupsPerOctave = 8
)

// liveGroup is the group of a live bin with mean queue length n.
func liveGroup(n float64) int { return int(math.Round(groupsPerOctave * math.Log2(n))) }

// Model returns the costs for package model: s0, k, and c(n). With live
// measurements, the bins (in ascending order of depth) are pooled into
// groups an eighth of a power of two of queue length wide (liveGroup),
// weighted by their events, and each group gives c = (S − s0)/(k·n) at
// its mean n, S being the cycle time where the harness measured it (the
// router's time per event, what it loses between events included) and
// the service time otherwise, after the groups' S(n) has been made
// non-decreasing in n (monotone). So S(n) = s0 + k·c(n)·n is the
// measured cycle time at every group, and the model's n* is where the
// measured cycle time crosses 1/λ.
// Otherwise c(n) comes from the isolated service times,
// c(n) = (S(n) − S(0))/(k·n). c is never below a picosecond; C is c(n) at
// the deepest point of 10,000 or less, for display. With k = 0, c is 0.
// Q0 is QueueMedian, and Stall the TypicalStall of a stretch as long as
// the critical pause (n* − Q0)/λ at Rate (at least 1ms): see
// model.Costs.CriticalPauseTick.
func (c Costs) Model() model.Costs {
	m := c.scanModel()
	m.Q0 = c.QueueMedian
	if c.Rate > 0 && len(c.Stalls) > 0 {
		if n, ok := m.TippingQueue(c.Rate); ok {
			w := time.Duration(max(n-m.Q0, 0) / c.Rate * float64(time.Second))
			m.Stall = c.TypicalStall(max(w, time.Millisecond)).Seconds()
		}
	}
	return m
}

// scanModel is Model without Q0 and Stall.
func (c Costs) scanModel() model.Costs {
	m := model.Costs{S0: c.S0, K: c.K}
	if c.K == 0 {
		return m
	}
	if len(c.Live) > 0 {
		var groups []liveMean
		var n, s float64
		var events int
		group := -1
		flush := func() {
			if events >= minGroupEvents {
				groups = append(groups, liveMean{N: n / float64(events), S: s / float64(events), W: float64(events)})
			}
			n, s, events = 0, 0, 0
		}
		for _, b := range c.Live {
			if b.Depth < minLiveDepth {
				continue
			}
			if g := liveGroup(b.Depth); g != group {
				flush()
				group = g
			}
			t := b.Seconds
			if b.Cycle > 0 {
				t = b.Cycle
			}
			n += b.Depth * float64(b.Events)
			s += t * float64(b.Events)
			events += b.Events
		}
		flush()
		for _, g := range monotone(groups) {
			n := math.Round(g.N)
			cn := max((g.S-c.S0)/(float64(c.K)*n), 1e-12)
			m.Scan = append(m.Scan, model.ScanPoint{N: n, C: cn})
			if n <= 10_000 {
				m.C = cn
			}
		}
		if m.C == 0 && len(m.Scan) > 0 {
			m.C = m.Scan[0].C
		}
		if len(m.Scan) > 0 {
			return m
		}
	}
	base := -1.0
	for _, d := range c.Service {
		if d.Depth == 0 {
			base = d.Seconds
		}
	}
	if base < 0 {
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

// FocusRungs are the backlogs, as multiples of a first n*, that Costs
// measures S(n) live with after its first pass: a backlog below the real
// n* drains through every depth below it, one above runs away through
// the depths up to twice it, so a ladder whose rungs are at most 20%
// apart leaves no gap wider than that around the real n* as long as it
// lies between 0.6 and 1.65 times the first estimate.
func FocusRungs() []float64 { return []float64{0.6, 0.72, 0.85, 0.95, 1.05, 1.2, 1.4, 1.65} }

// RecheckRungs are the backlogs, as multiples of the n* the costs so far
// give, of the shorter measurements CheckModel makes after each of its
// runs.
func RecheckRungs() []float64 { return []float64{0.85, 1.0, 1.2} }

// maxBuild is the longest a focused backlog may take to build at the
// rate: the router stands still while it builds, so a ladder around an n*
// of 100,000 at 2,000 events/s would take ten minutes for its rungs alone.
const maxBuild = 5 * time.Second

// FocusBacklogs returns the backlogs rungs·n, each at least 100 and at
// most what rate events/s build in maxBuild (and 10^6), without repeats;
// nil where n is not a usable queue length or no rung is below that
// bound (an n* that far out is left to the first pass).
func FocusBacklogs(n, rate float64, rungs []float64) []int {
	if !(n > 0) || math.IsInf(n, 0) {
		return nil
	}
	limit := min(1_000_000, int(rate*maxBuild.Seconds()))
	var bs []int
	for _, r := range rungs {
		b := max(int(math.Round(r*n)), 100)
		if b > limit {
			break
		}
		if len(bs) == 0 || b != bs[len(bs)-1] {
			bs = append(bs, b)
		}
	}
	return bs
}

// liveMean is one group of live bins: mean queue length N, mean cycle
// time S in seconds, weight W (its events).
type liveMean struct{ N, S, W float64 }

// monotone returns the groups (in ascending order of N) with their S
// made non-decreasing in N by weighted isotonic regression (pool adjacent
// violators): a group slower than a deeper one is pooled with it, N and S
// both averaged by weight. The router scans more with a longer queue, so
// its S(n) does not fall as n grows; a group that is slower than the
// groups above it is a stretch in which the machine took the core (a
// garbage collection, another program's time slice), and where it lay
// below n* the model took it for the tipping point: one group of 60
// events at 62 µs among groups at 10 µs put n* at 500 where the router
// tipped over at 2,500.
func monotone(gs []liveMean) []liveMean {
	var out []liveMean
	for _, g := range gs {
		out = append(out, g)
		for len(out) > 1 && out[len(out)-2].S > out[len(out)-1].S {
			a, b := out[len(out)-2], out[len(out)-1]
			w := a.W + b.W
			out = out[:len(out)-2]
			out = append(out, liveMean{N: (a.N*a.W + b.N*b.W) / w, S: (a.S*a.W + b.S*b.W) / w, W: w})
		}
	}
	return out
}

// MergeCosts pools cost measurements made at the same rate and k at
// different times, so that the model describes the same stretch of time
// as a measurement that ran between them (a bisection, whose runs a busy
// machine slows down unevenly): s0 is their median (one measurement made
// while the machine starved the router, when almost no event finds a
// short queue, would otherwise decide it), the arrival rate their mean,
// the live bins of all of them are merged in ascending order of depth
// (Model pools neighbours), the queue medians' median is QueueMedian,
// the stall logs are kept side by side, and the isolated service times are the means
// at each depth that every measurement has. K is the first's. Merging
// one measurement returns it unchanged; merging none returns zero Costs.
func MergeCosts(cs ...Costs) Costs {
	if len(cs) <= 1 {
		if len(cs) == 1 {
			return cs[0]
		}
		return Costs{}
	}
	m := Costs{K: cs[0].K, Rate: cs[0].Rate}
	n := float64(len(cs))
	s0 := make([]float64, len(cs))
	q0 := make([]float64, len(cs))
	for i, c := range cs {
		s0[i] = c.S0
		q0[i] = c.QueueMedian
		m.Stalls = append(m.Stalls, c.Stalls...)
		m.ArrivalRate += c.ArrivalRate / n
		m.Live = append(m.Live, c.Live...)
		m.Warnings = append(m.Warnings, c.Warnings...)
	}
	slices.Sort(s0)
	m.S0 = (s0[(len(s0)-1)/2] + s0[len(s0)/2]) / 2
	slices.Sort(q0)
	m.QueueMedian = (q0[(len(q0)-1)/2] + q0[len(q0)/2]) / 2
	slices.SortStableFunc(m.Live, func(a, b LiveCost) int { return cmp.Compare(a.Depth, b.Depth) })
	for _, d := range cs[0].Service {
		sum, seen := 0.0, 0
		for _, c := range cs {
			for _, e := range c.Service {
				if e.Depth == d.Depth {
					sum += e.Seconds
					seen++
				}
			}
		}
		if seen == len(cs) {
			m.Service = append(m.Service, DepthCost{Depth: d.Depth, Seconds: sum / n})
		}
	}
	return m
}
