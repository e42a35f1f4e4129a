package model

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Costs are the per-event costs that drive the model. Times are in seconds,
// as float64, because a scan step costs about a nanosecond and would lose
// its precision as a time.Duration.
type Costs struct {
	// S0 is the base service time of one event with an empty queue, in
	// seconds, including the round trips of its code-server calls.
	S0 float64
	// C is the cost of scanning one queued message, in seconds.
	C float64
	// K is the number of code-server calls (full-mailbox scans) per event.
	K int
	// Scan, when not empty, is c measured at several queue depths, in
	// ascending order of N: the cost of a queued message grows with the
	// queue where the queue leaves the caches, or where the garbage
	// collector copies an on-heap queue. c(n) then interpolates between
	// the points (linearly in log n) and is constant beyond the ends, and
	// C is not used by Service. Empty means c(n) = C.
	Scan []ScanPoint

	// Q0, when positive, is the router's queue at the moment a pause
	// begins, measured (the median of its queue read at moments that do
	// not know the producers' ticks); CriticalPauseTick then uses it in
	// place of the u·λ·D/2 it derives for strictly periodic bursts.
	Q0 float64
	// Stall, when positive, is how much longer than its share the whole
	// runtime stops (producers and router together: the producers then
	// send the ticks they missed at once) within a stretch as long as
	// the critical pause, in seconds, measured: the median over such
	// stretches of the longest stop less the stopped time the mean
	// service time S(n) already pays for. A stall soon after the pause
	// adds λ·Stall to the backlog, which S(n), a mean, does not
	// describe; CriticalPauseTick subtracts it. Zero for a system that
	// does not stop.
	Stall float64
}

// ScanPoint is the cost of scanning one queued message, C in seconds,
// measured with N messages queued.
type ScanPoint struct {
	N float64
	C float64
}

// Validate reports whether the costs can drive the model.
func (c Costs) Validate() error {
	switch {
	case math.IsNaN(c.S0) || math.IsInf(c.S0, 0) || c.S0 <= 0:
		return fmt.Errorf("s0 %v: want a positive time", c.S0)
	case math.IsNaN(c.C) || math.IsInf(c.C, 0) || c.C < 0:
		return fmt.Errorf("c %v: want a time of zero or more", c.C)
	case c.K < 0:
		return fmt.Errorf("k %d: want zero or more calls", c.K)
	case math.IsNaN(c.Q0) || math.IsInf(c.Q0, 0) || c.Q0 < 0:
		return fmt.Errorf("q0 %v: want a queue length of zero or more", c.Q0)
	case math.IsNaN(c.Stall) || math.IsInf(c.Stall, 0) || c.Stall < 0:
		return fmt.Errorf("stall %v: want a time of zero or more", c.Stall)
	}
	for i, p := range c.Scan {
		switch {
		case !(p.N >= 1) || math.IsInf(p.N, 0):
			return fmt.Errorf("c(n) point %d: depth %v: want 1 or more", i+1, p.N)
		case math.IsNaN(p.C) || math.IsInf(p.C, 0) || p.C < 0:
			return fmt.Errorf("c(n) point %d: c %v: want a time of zero or more", i+1, p.C)
		case i > 0 && p.N <= c.Scan[i-1].N:
			return fmt.Errorf("c(n) point %d: depth %v: want depths in ascending order", i+1, p.N)
		}
	}
	return nil
}

// ScanCost returns c(n), the cost of scanning one message with n queued:
// C, or the Scan points interpolated linearly in log n.
func (c Costs) ScanCost(n float64) float64 {
	pts := c.Scan
	switch {
	case len(pts) == 0:
		return c.C
	case n <= pts[0].N:
		return pts[0].C
	case n >= pts[len(pts)-1].N:
		return pts[len(pts)-1].C
	}
	i := 1
	for pts[i].N < n {
		i++
	}
	a, b := pts[i-1], pts[i]
	f := math.Log(n/a.N) / math.Log(b.N/a.N)
	return a.C + f*(b.C-a.C)
}

// Service returns S(n) = s0 + k·c(n)·n, the time one event takes, in
// seconds, with n messages queued behind it.
func (c Costs) Service(n float64) float64 {
	return c.S0 + float64(c.K)*c.ScanCost(n)*n
}

// Utilisation returns λ·s0, the share of time the server is busy with an
// empty queue at the given rate (events per second). At 1 or more the
// queue grows even without a burst.
func (c Costs) Utilisation(rate float64) float64 {
	return rate * c.S0
}

// TippingQueue returns n* = (1 − λ·s0)/(λ·k·c), the queue length above
// which the queue grows without bound at rate λ (events per second). finite
// is false when k or c is zero: then every backlog drains as long as λ·s0 < 1.
// When λ·s0 ≥ 1 the server is overloaded and n* is 0 (with finite true):
// even an empty queue grows.
func (c Costs) TippingQueue(rate float64) (n float64, finite bool) {
	if rate <= 0 {
		return math.Inf(1), false
	}
	u := c.Utilisation(rate)
	if u >= 1 {
		return 0, true
	}
	if c.K == 0 || (len(c.Scan) == 0 && c.C == 0) {
		return math.Inf(1), false
	}
	if len(c.Scan) == 0 {
		return (1 - u) / (rate * float64(c.K) * c.C), true
	}
	// λ·S(n) = 1, solved by bisection: S grows with n as long as n·c(n)
	// does, which holds for any c(n) that does not fall faster than 1/n.
	target := 1 / rate
	lo, hi := 0.0, 1.0
	for c.Service(hi) < target {
		if hi > 1e15 {
			return math.Inf(1), false // c(n) is zero at the far end
		}
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if c.Service(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-6*hi {
			break
		}
	}
	return (lo + hi) / 2, true
}

// CriticalPause returns T* = n*/λ, the shortest pause whose backlog runs
// away at rate λ (events per second), and whether it is finite (see
// TippingQueue).
func (c Costs) CriticalPause(rate float64) (t time.Duration, finite bool) {
	n, finite := c.TippingQueue(rate)
	if !finite {
		return 0, false
	}
	return seconds(n / rate), true
}

// CriticalPauseTick is CriticalPause for producers that send in bursts,
// every tick, instead of smoothly (tick 0 is CriticalPause).
//
// Between bursts the router works through its queue; a burst of λ·D
// events lands at once. In steady state each burst is served in
// λ·D·s0 = u·D (u = λ·s0) and the queue is empty for the rest of the
// tick, so at a random moment the router holds u·λ·D/2 events on
// average: a pause that starts then ends with that many on top of its own
// λ·T arrivals. After the pause the queue drains if its level, averaged
// over a tick (peak minus half a burst), stays below n*: with the resume
// at a random phase of the tick, the half burst the first peak adds and
// the half tick the router works before it cancel out. So
//
//	T*(D) = (n* − u·λ·D/2)/λ = T* − u·D/2
//
// (never below zero): bursts shorten the critical pause by at most half
// a tick. At 1 ms ticks this is below 0.5 ms, small beside a T* of tens
// of milliseconds.
//
// Two measured terms replace or extend that where they are set. Q0, the
// queue when a pause begins, replaces u·λ·D/2: a real router's queue is
// not a clean sawtooth (on the BEAM at 50,000/s with two calls a pause
// began on 0 to 181 events, median 85, where u·λ·D/2 is 8 to 16).
// Stall, the longest stop of the whole runtime in a stretch as long as
// the critical pause, is taken off the pause: producers paced by the
// clock send what they missed at once when the runtime comes back, so a
// stall of h while the router is near its peak adds λ·h to the backlog,
// and a backlog that needs a stretch about as long as the pause to get
// clear of n* (measured: the drain after a near-critical pause took 0.6
// to 1.9 times the pause, six runs at 50,000/s with two calls) meets the
// median longest stall of such a stretch.
// The mean service time S(n) holds the stalls' mean cost, not their
// size; with few large stalls the mean barely moves while a single stall
// decides the run, so Stall is the longest stop beyond the share of the
// stretch that S(n) already charges (where the runtime stops often, that
// share is the larger, and Stall is zero). So
//
//	T*(D) = (n* − Q0)/λ − Stall
func (c Costs) CriticalPauseTick(rate float64, tick time.Duration) (t time.Duration, finite bool) {
	n, finite := c.TippingQueue(rate)
	if !finite {
		return 0, false
	}
	switch {
	case c.Q0 > 0:
		n -= c.Q0
	case tick > 0:
		n -= c.Utilisation(rate) * rate * tick.Seconds() / 2
	}
	return seconds(max(n/rate-c.Stall, 0)), true
}

// String formats the costs the way ParseCosts reads them.
func (c Costs) String() string {
	s := fmt.Sprintf("s0=%s,c=%s,k=%d", FormatSeconds(c.S0), FormatSeconds(c.C), c.K)
	if len(c.Scan) > 0 {
		pts := make([]string, len(c.Scan))
		for i, p := range c.Scan {
			pts[i] = strconv.FormatFloat(p.N, 'f', -1, 64) + ":" + FormatSeconds(p.C)
		}
		s += ",cn=" + strings.Join(pts, "/")
	}
	if c.Q0 > 0 {
		s += ",q0=" + strconv.FormatFloat(c.Q0, 'f', -1, 64)
	}
	if c.Stall > 0 {
		s += ",stall=" + FormatSeconds(c.Stall)
	}
	return s
}

// parseScan reads c(n) points written as "1000:8ns/30000:12ns".
func parseScan(v string) ([]ScanPoint, error) {
	var pts []ScanPoint
	for f := range strings.SplitSeq(v, "/") {
		n, t, ok := strings.Cut(strings.TrimSpace(f), ":")
		if !ok {
			return nil, fmt.Errorf("point %q: want DEPTH:TIME, such as 1000:8ns", f)
		}
		depth, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil {
			return nil, fmt.Errorf("point %q: depth %q is not a number", f, n)
		}
		c, err := ParseSeconds(strings.TrimSpace(t))
		if err != nil {
			return nil, fmt.Errorf("point %q: %w", f, err)
		}
		pts = append(pts, ScanPoint{N: depth, C: c})
	}
	return pts, nil
}

// ParseCosts reads costs written as "s0=5us,c=10ns,k=1". Times take a unit
// (ns, us or µs, ms, s) and may be fractional ("0.8ns"); all three keys are
// required, in any order. An optional fourth key, cn, gives c(n) measured
// at several depths, "cn=1000:8ns/10000:9ns/30000:17ns" (depths
// ascending); c is then only reported, and the model uses c(n). Two more
// optional keys give the measured queue when a pause begins, "q0=80",
// and the runtime's longest stall in a stretch as long as the critical
// pause, "stall=2ms" (see CriticalPauseTick).
func ParseCosts(s string) (Costs, error) {
	var c Costs
	seen := map[string]bool{}
	for field := range strings.SplitSeq(s, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return Costs{}, fmt.Errorf("costs %q: field %q is not key=value", s, field)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if seen[key] {
			return Costs{}, fmt.Errorf("costs %q: %s given twice", s, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "s0":
			c.S0, err = ParseSeconds(val)
		case "c":
			c.C, err = ParseSeconds(val)
		case "k":
			c.K, err = strconv.Atoi(val)
			if err != nil {
				err = fmt.Errorf("%q is not a whole number", val)
			}
		case "cn":
			c.Scan, err = parseScan(val)
		case "q0":
			c.Q0, err = strconv.ParseFloat(val, 64)
			if err != nil {
				err = fmt.Errorf("%q is not a number", val)
			}
		case "stall":
			c.Stall, err = ParseSeconds(val)
		default:
			return Costs{}, fmt.Errorf("costs %q: unknown key %q (want s0, c, k, cn, q0, stall)", s, key)
		}
		if err != nil {
			return Costs{}, fmt.Errorf("costs %q: %s: %w", s, key, err)
		}
	}
	for _, key := range []string{"s0", "c", "k"} {
		if !seen[key] {
			return Costs{}, fmt.Errorf("costs %q: missing %s", s, key)
		}
	}
	if err := c.Validate(); err != nil {
		return Costs{}, fmt.Errorf("costs %q: %w", s, err)
	}
	return c, nil
}

var errNoUnit = errors.New("want a number with a unit: ns, us, ms or s")

// ParseSeconds reads a time such as "1.5us" or "10ns" and returns it in
// seconds. Unlike time.ParseDuration it keeps fractions of a nanosecond.
func ParseSeconds(s string) (float64, error) {
	// The unit becomes a decimal exponent, so that "5us" parses to the
	// float64 nearest 5e-6, as a literal would.
	units := []struct{ suffix, exp string }{
		{"ns", "e-9"}, {"us", "e-6"}, {"µs", "e-6"}, {"μs", "e-6"}, {"ms", "e-3"}, {"s", ""},
	}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		if strings.ContainsAny(num, "eEpPxX_") {
			return 0, fmt.Errorf("%q: %w", s, errNoUnit)
		}
		v, err := strconv.ParseFloat(num+u.exp, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q: %w", s, errNoUnit)
		}
		return v, nil
	}
	return 0, fmt.Errorf("%q: %w", s, errNoUnit)
}

// FormatSeconds writes a time in seconds with a readable unit and three
// significant digits, for example "1.23µs" or "0.812ns".
func FormatSeconds(s float64) string {
	abs := math.Abs(s)
	switch {
	case abs == 0:
		return "0s"
	case abs < 0.9995e-6:
		return sig3(s*1e9) + "ns"
	case abs < 0.9995e-3:
		return sig3(s*1e6) + "µs"
	case abs < 0.9995:
		return sig3(s*1e3) + "ms"
	}
	return sig3(s) + "s"
}

// sig3 formats v with about three significant digits, no exponent and no
// trailing zeros.
func sig3(v float64) string {
	prec := 3
	switch abs := math.Abs(v); {
	case abs >= 99.95:
		prec = 0
	case abs >= 9.995:
		prec = 1
	case abs >= 0.9995:
		prec = 2
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// seconds converts seconds to a Duration, saturating instead of overflowing.
func seconds(s float64) time.Duration {
	if s >= float64(math.MaxInt64)/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(s * 1e9))
}
