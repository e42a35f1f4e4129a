package beam

import (
	"math"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

// trace builds a router's trace that serves windows of 16 events from
// queue q0, each window taking cycle(n)·16 while arrivals at rate add
// to the queue, until the queue is below a window or steps windows.
func trace(q0 int, rate float64, cycle func(n float64) float64, steps int) []model.Sample {
	var tr []model.Sample
	t, q := 0.0, float64(q0)
	for range steps {
		tr = append(tr, model.Sample{T: time.Duration(t * 1e9), Queue: int(math.Round(q))})
		if q < traceWindow {
			break
		}
		dt := cycle(q) * traceWindow
		t += dt
		q += rate*dt - traceWindow
	}
	return tr
}

func TestTraceCosts(t *testing.T) {
	// S(n) = 4µs + 8ns·n: the bins give back that cycle time at their
	// mean depth, and the model built on them has n* where S(n*) = 1/λ.
	s := func(n float64) float64 { return 4e-6 + 8e-9*n }
	drain := trace(1500, 50000, s, 10000) // S(1500) = 16µs < 20µs: drains
	runaway := trace(2300, 50000, s, 300) // S(2300) = 22.4µs: grows
	live := TraceCosts(drain, runaway)
	if len(live) < 10 {
		t.Fatalf("%d bins, want the depths from 16 to about 2,500: %+v", len(live), live)
	}
	events := 0
	for i, b := range live {
		if i > 0 && b.Depth <= live[i-1].Depth {
			t.Fatalf("bins not ascending: %+v", live)
		}
		// A window's cycle time is the mean of S over its queue's
		// range, which is linear: S at the mean depth, within rounding
		// of the queue to whole events.
		if want := s(b.Depth); math.Abs(b.Cycle-want) > 0.02*want || b.Seconds != b.Cycle {
			t.Errorf("bin at %.0f: cycle %v, want %v", b.Depth, b.Cycle, want)
		}
		if b.Events%traceWindow != 0 {
			t.Errorf("bin at %.0f: %d events, want whole windows", b.Depth, b.Events)
		}
		events += b.Events
	}
	if want := traceWindow * (len(drain) - 1 + len(runaway) - 1); events > want || events < want-2*traceWindow {
		t.Errorf("%d events in the bins, want about %d (one window per pair of points)", events, want)
	}
	c := RunCosts(Costs{S0: 4e-6, K: 1, Rate: 50000, QueueMedian: 3, Service: []DepthCost{{0, 4e-6}}}, drain, runaway)
	if c.Service != nil || c.QueueMedian != 3 || c.S0 != 4e-6 {
		t.Errorf("RunCosts = %+v, want base's s0 and Q0, no isolated depths", c)
	}
	n, ok := c.Model().TippingQueue(50000)
	if !ok || math.Abs(n-2000) > 100 {
		t.Errorf("n* from the traces = %v, %v, want about 2,000 (4µs + 8ns·n = 20µs)", n, ok)
	}
}

func TestTraceCosts_edges(t *testing.T) {
	if got := TraceCosts(); got != nil {
		t.Errorf("no traces: %+v", got)
	}
	// One point, a window cut short (queue below 16), a clock that did
	// not move: no window counts.
	short := []model.Sample{{T: 0, Queue: 10}, {T: time.Millisecond, Queue: 40}}
	still := []model.Sample{{T: time.Millisecond, Queue: 400}, {T: time.Millisecond, Queue: 390}}
	if got := TraceCosts([]model.Sample{{Queue: 500}}, short, still); got != nil {
		t.Errorf("unusable traces: %+v", got)
	}
	base := Costs{S0: 1e-6, K: 1, Live: []LiveCost{{Depth: 300, Cycle: 2e-6, Seconds: 2e-6, Events: 64}}}
	if got := RunCosts(base, short); len(got.Live) != 1 || got.Live[0].Depth != 300 {
		t.Errorf("RunCosts without usable traces = %+v, want base", got)
	}
}

func TestModelCheck_setModel(t *testing.T) {
	// Beside: S(n) = 4µs + 4ns·n, n* 4,000 at 50,000/s; the runs' traces:
	// 4µs + 8ns·n, n* 2,000. The model is the runs'.
	beside := Costs{S0: 4e-6, K: 1, Rate: 50000}
	for n := 128.0; n < 10000; n *= 1.09 {
		beside.Live = append(beside.Live, LiveCost{Depth: n, Seconds: 4e-6 + 4e-9*n, Cycle: 4e-6 + 4e-9*n, Events: 64})
	}
	s := func(n float64) float64 { return 4e-6 + 8e-9*n }
	traces := [][]model.Sample{trace(1500, 50000, s, 10000), trace(2300, 50000, s, 300)}
	m := ModelCheck{Beside: beside}
	m.setModel(traces, 50000, time.Millisecond)
	if !m.BesideOK || math.Abs(m.BesidePredicted.Seconds()-0.080)/0.080 > 0.05 {
		t.Errorf("beside T* = %v, %v, want about 80ms", m.BesidePredicted, m.BesideOK)
	}
	if !m.FromRuns || m.Traced != 2 || !m.PredictedOK || math.Abs(m.Predicted.Seconds()-0.040)/0.040 > 0.05 {
		t.Errorf("model from the runs: %v (%v, %d traces, ok %v), want about 40ms", m.Predicted, m.FromRuns, m.Traced, m.PredictedOK)
	}
	if m.Costs.S0 != beside.S0 || len(m.Costs.Live) == len(beside.Live) {
		t.Errorf("Costs = %+v, want beside's s0 and the traces' bins", m.Costs)
	}
	// Traces that never reach 1/λ (every backlog drained fast): no
	// finite T* from them, the model is Beside's.
	fast := func(n float64) float64 { return 2e-6 + 1e-9*n }
	m.setModel([][]model.Sample{trace(3000, 50000, fast, 10000)}, 50000, time.Millisecond)
	if m.FromRuns || m.Predicted != m.BesidePredicted || m.Traced != 0 {
		t.Errorf("without a crossing in the traces: %v from runs %v, want beside's %v", m.Predicted, m.FromRuns, m.BesidePredicted)
	}
	m.setModel(nil, 50000, time.Millisecond)
	if m.FromRuns || m.Predicted != m.BesidePredicted {
		t.Errorf("without traces: %v, want beside's %v", m.Predicted, m.BesidePredicted)
	}
}
