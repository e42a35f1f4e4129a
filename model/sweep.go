package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Phase is a phase diagram: the simulated outcome for each pair of arrival
// rate and pause, beside the model's critical pause for each rate.
type Phase struct {
	Costs  Costs
	Rates  []float64       // columns, events per second, ascending
	Pauses []time.Duration // rows, ascending
	// Outcomes[i][j] is the outcome for Pauses[i] at Rates[j].
	Outcomes [][]Outcome
	// Critical[j] is the model's T* at Rates[j]; 0 when CriticalOK[j]
	// is false (no finite tipping point).
	Critical   []time.Duration
	CriticalOK []bool
}

// Sweep simulates base at every rate and pause; it is SweepContext
// without a context.
func Sweep(base Sim, rates []float64, pauses []time.Duration, after time.Duration) (Phase, error) {
	return SweepContext(context.Background(), base, rates, pauses, after)
}

// SweepContext simulates base at every rate and pause. Each cell runs for
// its pause plus after, and its queue cap is raised to four times the
// backlog its pause builds, so that a backlog is decided by how it
// evolves, not by the cap (a queue that grows to four times the backlog
// after the pause would not come back). CapBytes is ignored: simulated
// events hold no memory.
//
// base.MaxEvents (DefaultMaxEvents when zero) bounds the events of all
// the cells together. The events that arrive before each cell's pause
// ends are known in advance (SweepEvents): if they alone exceed it,
// SweepContext returns ErrTooLong at once, without simulating. It stops
// with ctx's error when ctx is done.
func SweepContext(ctx context.Context, base Sim, rates []float64, pauses []time.Duration, after time.Duration) (Phase, error) {
	budget := base.MaxEvents
	if budget == 0 {
		budget = DefaultMaxEvents
	}
	if n := SweepEvents(base.At, rates, pauses); budget > 0 && n > float64(budget) {
		return Phase{}, fmt.Errorf("sweep: %w: at least %.3g events, more than %d", ErrTooLong, n, budget)
	}
	p := Phase{Costs: base.Costs, Rates: rates, Pauses: pauses}
	for _, rate := range rates {
		t, ok := base.Costs.CriticalPause(rate)
		p.Critical = append(p.Critical, t)
		p.CriticalOK = append(p.CriticalOK, ok)
	}
	base.SampleEvery = 0
	base.CapBytes = 0
	var used int64 // events simulated so far
	for _, pause := range pauses {
		row := make([]Outcome, len(rates))
		for j, rate := range rates {
			cell := base
			cell.Rate = rate
			cell.Pause = pause
			cell.Duration = base.At + pause + after
			backlog := 4 * rate * (base.At + pause).Seconds()
			cell.CapQueue = max(base.CapQueue, int(math.Min(backlog, math.MaxInt32)))
			cell.MaxEvents = -1 // no limit
			if budget > 0 {
				cell.MaxEvents = budget - used
			}
			res, err := cell.RunContext(ctx)
			if errors.Is(err, ErrTooLong) {
				return Phase{}, fmt.Errorf("sweep: %w: more than %d in all", ErrTooLong, budget)
			}
			if err != nil {
				return Phase{}, fmt.Errorf("sweep rate %g pause %v: %w", rate, pause, err)
			}
			used += res.Events
			row[j] = res.Outcome
		}
		p.Outcomes = append(p.Outcomes, row)
	}
	return p, nil
}

// SweepEvents returns the number of events that arrive, in a sweep over
// rates and pauses with the pause at at, before each cell's pause ends:
// a lower bound of the events the sweep simulates.
func SweepEvents(at time.Duration, rates []float64, pauses []time.Duration) float64 {
	var n float64
	for _, pause := range pauses {
		for _, rate := range rates {
			n += rate * (at + pause).Seconds()
		}
	}
	return n
}

// DefaultGrid returns the rates and pauses for a phase diagram around rate:
// eight rates from rate/4 to 2·rate, and twelve pauses spaced evenly on a
// log scale from a quarter of the shortest T* to four times the longest
// (from 1ms to 10s when there is no finite T*).
func DefaultGrid(c Costs, rate float64) ([]float64, []time.Duration) {
	rates := logSpace(rate/4, rate*2, 8)
	lo, hi := math.Inf(1), 0.0
	for _, r := range rates {
		if t, ok := c.CriticalPause(r); ok && t > 0 {
			lo = math.Min(lo, t.Seconds())
			hi = math.Max(hi, t.Seconds())
		}
	}
	if hi == 0 {
		lo, hi = 0.004, 2.5
	}
	var pauses []time.Duration
	for _, s := range logSpace(lo/4, hi*4, 12) {
		pauses = append(pauses, roundDuration(seconds(s)))
	}
	return rates, pauses
}

// logSpace returns n values from lo to hi, evenly spaced on a log scale.
func logSpace(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return out
}

// roundDuration keeps three significant digits of d.
func roundDuration(d time.Duration) time.Duration {
	m := time.Duration(1)
	for d/m >= 1000 {
		m *= 10
	}
	return d.Round(m)
}

// WriteText draws the phase diagram as text: one row per pause (longest
// first), one column per rate, "R" for a runaway and "." for a backlog
// that drained, and the model's T* under each column. A cell whose
// outcome disagrees with the model (pause ≥ T* but drained, or shorter
// but runaway) is lower-case ("r") or marked "o", so the boundary between
// simulation and formula can be read off.
func (p Phase) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"pause \\ rate"}
	for _, r := range p.Rates {
		head = append(head, FormatRate(r))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i := len(p.Pauses) - 1; i >= 0; i-- {
		cells := []string{p.Pauses[i].String()}
		for j, o := range p.Outcomes[i] {
			predicted := p.CriticalOK[j] && p.Pauses[i] >= p.Critical[j]
			switch {
			case o == Runaway && predicted:
				cells = append(cells, "R")
			case o == Runaway:
				cells = append(cells, "r")
			case predicted:
				cells = append(cells, "o")
			default:
				cells = append(cells, ".")
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	foot := []string{"model T*"}
	for j := range p.Rates {
		if p.CriticalOK[j] {
			foot = append(foot, roundDuration(p.Critical[j]).String())
		} else {
			foot = append(foot, "none")
		}
	}
	fmt.Fprintln(tw, strings.Join(foot, "\t")+"\t")
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "R runaway, . drained (as the model predicts); r runaway, o drained (against the model's T*)")
	return err
}

// FormatRate writes an arrival rate compactly: "500/s", "25k/s", "1.5M/s".
func FormatRate(r float64) string {
	switch {
	case r >= 1e6:
		return sig3(r/1e6) + "M/s"
	case r >= 1e3:
		return sig3(r/1e3) + "k/s"
	}
	return sig3(r) + "/s"
}
