package beam

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

func TestCalibrationPauses(t *testing.T) {
	got := calibrationPauses(40 * time.Millisecond)
	want := []time.Duration{24 * time.Millisecond, 40 * time.Millisecond, 64 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Errorf("calibrationPauses(40ms) = %v, want %v", got, want)
	}
}

// linearScan is the model of S(n) = s0 + c·n (k = 1) at the depths ns,
// with Q0 q0.
func linearScan(s0, c, q0 float64, ns ...float64) model.Costs {
	m := model.Costs{S0: s0, K: 1, C: c, Q0: q0}
	for _, n := range ns {
		m.Scan = append(m.Scan, model.ScanPoint{N: n, C: c})
	}
	return m
}

func TestNextCalibrationPause(t *testing.T) {
	// At 50,000/s, S(n) = 4µs + 8ns·n crosses 1/λ = 20µs at n* = 2,000
	// (a 40ms pause); the pauses tried are the rungs around 40ms.
	const rate = 50000
	tried := calibrationPauses(40 * time.Millisecond) // 24, 40, 64ms
	enough := minCalibrationTraces
	tests := []struct {
		name   string
		m      model.Costs
		traced int
		want   time.Duration // 0: covered, no more runs
	}{
		{"covered within 1.2 on both sides", linearScan(4e-6, 8e-9, 0, 500, 1800, 2200, 3000), enough, 0},
		// Covered, but by too few runs: more, aimed alternately above
		// n* (2,200 queued) and below it (1,818).
		{"covered, few traces, even", linearScan(4e-6, 8e-9, 0, 500, 1800, 2200, 3000), enough - 2, 44 * time.Millisecond},
		{"covered, few traces, odd", linearScan(4e-6, 8e-9, 0, 500, 1800, 2200, 3000), enough - 1, 36_364 * time.Microsecond},
		// The traces stop at 1,800 (every run drained): n* is
		// extrapolated, and the next backlog is aimed above it, at 2,200.
		{"deeper side missing", linearScan(4e-6, 8e-9, 0, 500, 1000, 1800), enough, 44 * time.Millisecond},
		{"deeper side too far", linearScan(4e-6, 8e-9, 0, 1800, 2500), enough, 44 * time.Millisecond},
		// Q0 is on the queue before the pause: the pause is shorter by
		// Q0/λ (100 events, 2ms).
		{"deeper side missing, Q0", linearScan(4e-6, 8e-9, 100, 1800), enough, 42 * time.Millisecond},
		// Below: aimed at 2,000/1.1 = 1,818 queued.
		{"shallower side too far", linearScan(4e-6, 8e-9, 0, 1000, 2100), enough, 36_364 * time.Microsecond},
		// n* 16 million: the next pause is twice the longest, not 320 s.
		{"far beyond the traces", linearScan(4e-6, 1e-12, 0, 500, 1000), enough, 128 * time.Millisecond},
		// n* 200 below every group (all runs ran away): half the
		// shortest, not 3.6ms.
		{"far below the traces", linearScan(4e-6, 80e-9, 0, 1000, 2000), enough, 12 * time.Millisecond},
		// k = 0: S(n) never reaches 1/λ, 1.6 times the longest.
		{"no crossing", model.Costs{S0: 4e-6}, enough, 102_400 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more := nextCalibrationPause(tt.m, rate, tried, tt.traced)
			if more != (tt.want != 0) || got != tt.want {
				t.Errorf("next pause = %v, %v; want %v", got, more, tt.want)
			}
		})
	}
	if _, more := nextCalibrationPause(linearScan(4e-6, 8e-9, 0, 1000), rate, nil, 0); more {
		t.Error("next pause with nothing tried: want none")
	}
}

// simRouter runs a synthetic scenario for calibrate: the backlog λ·pause
// served in windows of 16 events at cycle time s(n) while events arrive
// at the rate, traced until it is below a window (drained) or reaches
// the run's cap (runaway).
func simRouter(s func(n float64) float64) func(context.Context, ScenarioConfig) (ScenarioResult, error) {
	return func(ctx context.Context, c ScenarioConfig) (ScenarioResult, error) {
		backlog := c.Rate * c.Pause.Seconds()
		var r ScenarioResult
		r.Paused, r.ResumeQueue = c.Pause, int(backlog)
		r.Trace = trace(int(backlog), c.Rate, s, 20000)
		r.Outcome = model.Drained
		for _, p := range r.Trace {
			if p.Queue >= c.CapQueue {
				r.Outcome = model.Runaway
				break
			}
		}
		if last := r.Trace[len(r.Trace)-1]; last.Queue >= traceWindow {
			r.Outcome = model.Runaway
		}
		return r, ctx.Err()
	}
}

func TestCalibrate(t *testing.T) {
	// The router's S(n) is 4µs + 5ns·n up to 2,000 queued and 4µs +
	// 8ns·n from there (a cache step): it crosses 1/λ = 20µs at the
	// step, n* 2,000 at 50,000/s, T* 40ms less the tick's u·D/2 (0.1ms).
	// The first costs, measured beside, say 4µs + 5ns·n (n* 3,200, T*
	// 64ms): the calibration runs 38.4, 64 and 102.4ms, and reads n* off
	// their traces alone. Those leave a gap from 1,920 to 3,200 queued
	// across which c(n) would be interpolated (n* 2,500); the runs aimed
	// at its sides close it.
	const rate = 50000
	s := func(n float64) float64 {
		if n < 2000 {
			return 4e-6 + 5e-9*n
		}
		return 4e-6 + 8e-9*n
	}
	first := Costs{S0: 4e-6, K: 1, Rate: rate}
	for n := 128.0; n < 20000; n *= 1.09 {
		first.Live = append(first.Live, LiveCost{Depth: n, Seconds: 4e-6 + 5e-9*n, Cycle: 4e-6 + 5e-9*n, Events: 64})
	}
	cfg := ScenarioConfig{Rate: rate, Calls: 1, Tick: time.Millisecond}
	runs := 0
	sim := simRouter(s)
	cal, err := calibrate(context.Background(), cfg, first, func(ctx context.Context, c ScenarioConfig) (ScenarioResult, error) {
		runs++
		if c.Trace <= 0 {
			t.Errorf("run %d: trace %v, want every run traced", runs, c.Trace)
		}
		if want := pauseRun(cfg, c.Pause); c.CapQueue != want.CapQueue || c.Duration != want.Duration {
			t.Errorf("run %d: cap %d, duration %v; want FindCritical's %d, %v", runs, c.CapQueue, c.Duration, want.CapQueue, want.Duration)
		}
		r, err := sim(ctx, c)
		if runs == 2 {
			// The machine decided this run (the router had fallen
			// behind before its pause): its trace, from a router ten
			// times slower, must not count.
			r.StartQueue = c.DrainQueue + 1
			r.Trace = trace(int(c.Rate*c.Pause.Seconds()), c.Rate, func(n float64) float64 { return 10 * s(n) }, 300)
		}
		return r, err
	})
	if err != nil {
		t.Fatal(err)
	}
	guess, err := criticalGuess(first, rate, time.Millisecond)
	if err != nil || math.Abs(guess.Seconds()-0.064) > 0.001 {
		t.Fatalf("first T* = %v, %v; want 64ms less the tick's 0.1ms", guess, err)
	}
	wantPauses := calibrationPauses(guess)
	if len(cal.Pauses) < 3 || !slices.Equal(cal.Pauses[:3], wantPauses) || len(cal.Pauses) > maxCalibrationRuns || runs != len(cal.Pauses) {
		t.Errorf("pauses %v (%d runs), want %v first and at most %d", cal.Pauses, runs, wantPauses, maxCalibrationRuns)
	}
	if len(cal.Trials) != len(cal.Pauses)-1 || cal.Traced != len(cal.Trials) || cal.Traced < minCalibrationTraces {
		t.Errorf("%d trials, %d traced of %d runs: want all but the machine's, at least %d", len(cal.Trials), cal.Traced, len(cal.Pauses), minCalibrationTraces)
	}
	if !cal.OK || !cal.Covered {
		t.Errorf("calibration ok %v, covered %v (%v, pauses %v): want n* within the traces, both sides within %v",
			cal.OK, cal.Covered, cal.Model, cal.Pauses, calibrationGap)
	}
	want := 40*time.Millisecond - 100*time.Microsecond
	// Within the gap calibrationGap leaves on either side of n* (the
	// step falls in it): 53ms where the calibration stopped at its three
	// rungs.
	if math.Abs(cal.Predicted.Seconds()-want.Seconds()) > 0.06*want.Seconds() {
		t.Errorf("calibrated T* %v (pauses %v), want %v within 6%% (first costs' T* 64ms)", cal.Predicted, cal.Pauses, want)
	}
	t.Logf("calibrated T* %v from pauses %v", cal.Predicted, cal.Pauses)
	if cal.Costs.S0 != first.S0 || cal.Costs.Service != nil {
		t.Errorf("calibrated costs %+v, want first's s0 and the traces' bins", cal.Costs)
	}
	if r := cal.Ratio(44 * time.Millisecond); math.Abs(r-0.044/cal.Predicted.Seconds()) > 1e-9 {
		t.Errorf("Ratio(44ms) = %v", r)
	}
	if r := (Calibration{}).Ratio(44 * time.Millisecond); r != 0 {
		t.Errorf("Ratio without a calibration = %v, want 0", r)
	}
}

func TestCalibrate_errors(t *testing.T) {
	cfg := ScenarioConfig{Rate: 50000, Calls: 1}
	// No finite T* to start from: an error before any run.
	_, err := calibrate(context.Background(), cfg, Costs{S0: 1e-6}, func(context.Context, ScenarioConfig) (ScenarioResult, error) {
		t.Fatal("ran the scenario")
		return ScenarioResult{}, nil
	})
	if err == nil || !strings.Contains(err.Error(), "no finite critical pause") {
		t.Errorf("k = 0: %v", err)
	}
	// A run that fails ends the calibration with its error.
	boom := errors.New("boom")
	first := Costs{S0: 4e-6, K: 1, Rate: 50000, Live: []LiveCost{{Depth: 1000, Cycle: 12e-6, Seconds: 12e-6, Events: 64}}}
	_, err = calibrate(context.Background(), cfg, first, func(context.Context, ScenarioConfig) (ScenarioResult, error) {
		return ScenarioResult{}, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("failed run: %v, want boom", err)
	}
	// Runs whose traces are all the machine's: no prediction.
	var c Calibration
	c.set(first, nil, 50000, time.Millisecond)
	if c.OK || c.Predicted != 0 || c.Traced != 0 {
		t.Errorf("no traces: %+v", c)
	}
}
