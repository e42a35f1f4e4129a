package model_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

// bigSim would simulate 1e10 events: far more than any test can wait
// for.
func bigSim() model.Sim {
	return model.Sim{
		Costs: model.Costs{S0: 1e-9}, Rate: 1e9,
		At: 0, Pause: 10 * time.Second, Duration: 20 * time.Second,
		MaxEvents: -1,
	}
}

func TestSim_RunContext_Cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := bigSim().RunContext(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestSim_RunContext_CancelledWhileRunning(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := bigSim().RunContext(ctx)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestSim_MaxEvents(t *testing.T) {
	s := bigSim()
	s.MaxEvents = 1000
	res, err := s.Run()
	if !errors.Is(err, model.ErrTooLong) {
		t.Fatalf("error %v, want ErrTooLong", err)
	}
	if res.Events != 1000 {
		t.Errorf("%d events, want 1000", res.Events)
	}
}

func TestSim_Events(t *testing.T) {
	s := model.Sim{Costs: model.Costs{S0: 1e-6}, Rate: 1000, Pause: 0, Duration: 2 * time.Second, MaxEvents: -1}
	res, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	// Drained at once after a zero pause: no arrival is needed.
	if res.Outcome != model.Drained || res.Events > 1 {
		t.Errorf("outcome %v after %d events, want drained at once", res.Outcome, res.Events)
	}
}

func TestSweep_Bounds(t *testing.T) {
	base := model.Sim{Costs: model.Costs{S0: 1e-9}, Rate: 1e8, At: 300 * time.Millisecond, Duration: 8 * time.Second}
	rates, pauses := model.DefaultGrid(base.Costs, base.Rate)
	if n := model.SweepEvents(base.At, rates, pauses); n < 1e10 {
		t.Fatalf("SweepEvents %g, want the grid's 1e10 or more", n)
	}
	start := time.Now()
	_, err := model.Sweep(base, rates, pauses, 10*time.Second)
	if !errors.Is(err, model.ErrTooLong) {
		t.Fatalf("error %v, want ErrTooLong up front", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing took %v: it simulated first", d)
	}

	// A sweep within the up-front bound but beyond the budget stops
	// when it has used the budget.
	small := model.Sim{Costs: model.Costs{S0: 1e-6}, Rate: 1000, Duration: time.Second, MaxEvents: 5000}
	rates = []float64{1000, 2000}
	pauses = []time.Duration{time.Second, 2 * time.Second}
	// 1000+2000+2000+4000 = 9000 events arrive by the pauses' ends.
	if n := model.SweepEvents(0, rates, pauses); n != 9000 {
		t.Errorf("SweepEvents %g, want 9000", n)
	}
	if _, err := model.Sweep(small, rates, pauses, time.Second); !errors.Is(err, model.ErrTooLong) {
		t.Errorf("over budget: error %v, want ErrTooLong", err)
	}
	small.MaxEvents = 20000
	if _, err := model.Sweep(small, rates, pauses, time.Second); err != nil {
		t.Errorf("within budget: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	small.MaxEvents = -1
	if _, err := model.SweepContext(ctx, small, rates, pauses, time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}
