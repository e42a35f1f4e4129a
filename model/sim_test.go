package model_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

var goCosts = model.Costs{S0: 3e-6, C: 1e-9, K: 1}

func TestSim_RunDeterministic(t *testing.T) {
	for _, poisson := range []bool{false, true} {
		s := model.Sim{
			Costs: goCosts, Rate: 50000, At: 100 * time.Millisecond, Pause: 300 * time.Millisecond,
			Duration: 5 * time.Second, CapQueue: 100000, SampleEvery: 10 * time.Millisecond,
			Poisson: poisson, Seed: 42,
		}
		a, err := s.Run()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.Run()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("poisson=%v: two runs of the same Sim differ:\n%+v\n%+v", poisson, a.Series[:5], b.Series[:5])
		}
		if len(a.Series) < 10 {
			t.Errorf("poisson=%v: %d samples, want one every 10ms", poisson, len(a.Series))
		}
		if poisson {
			s.Seed = 43
			c, _ := s.Run()
			if reflect.DeepEqual(a.Series, c.Series) {
				t.Errorf("seeds 42 and 43 gave the same Poisson arrivals")
			}
		}
	}
}

// TestSim_RunAgreesWithModel checks the simulation against T* on both
// sides of the tipping point, for several costs and rates.
func TestSim_RunAgreesWithModel(t *testing.T) {
	costs := []model.Costs{goCosts, {S0: 5e-6, C: 10e-9, K: 1}, {S0: 1e-6, C: 2e-9, K: 2}}
	for _, c := range costs {
		for _, rate := range []float64{10000, 40000} {
			tstar, ok := c.CriticalPause(rate)
			if !ok {
				t.Fatalf("%v: no T*", c)
			}
			for _, tt := range []struct {
				factor float64
				want   model.Outcome
			}{{0.8, model.Drained}, {1.25, model.Runaway}} {
				pause := time.Duration(float64(tstar) * tt.factor)
				n, _ := c.TippingQueue(rate)
				s := model.Sim{
					Costs: c, Rate: rate, Pause: pause, At: 10 * time.Millisecond,
					Duration: 10*time.Second + 20*pause, CapQueue: int(4 * n),
				}
				res, err := s.Run()
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != tt.want {
					t.Errorf("%v at %g/s, pause %.2f·T* = %v: %v, want %v (peak %d, final %d, n* %.0f)",
						c, rate, tt.factor, pause, res.Outcome, tt.want, res.PeakQueue, res.FinalQueue, n)
				}
			}
		}
	}
}

// TestSim_RunDrainTime checks, for k = 0, the drain time against the
// closed form: a backlog B shrinks at 1/s0 − λ.
func TestSim_RunDrainTime(t *testing.T) {
	c := model.Costs{S0: 5e-6, C: 1e-9, K: 0}
	rate, pause := 50000.0, 2*time.Second
	s := model.Sim{Costs: c, Rate: rate, At: time.Second, Pause: pause, Duration: 20 * time.Second, DrainQueue: 10}
	res, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != model.Drained {
		t.Fatalf("k=0: %v, want drained", res.Outcome)
	}
	backlog := rate * pause.Seconds()
	want := (backlog - 10) / (1/c.S0 - rate)
	if got := res.DrainTime.Seconds(); got < want*0.99 || got > want*1.01 {
		t.Errorf("drain time %v, want %.4fs (backlog %.0f / net rate %.0f)", res.DrainTime, want, backlog, 1/c.S0-rate)
	}
	if res.PeakQueue < int(backlog) || res.PeakQueue > int(backlog)+2 {
		t.Errorf("peak queue %d, want the backlog λ·T = %.0f", res.PeakQueue, backlog)
	}
	if res.PeakBytes != int64(res.PeakQueue)*model.DefaultMessageBytes {
		t.Errorf("peak bytes %d for %d messages", res.PeakBytes, res.PeakQueue)
	}
}

// TestSim_RunSettle checks that a queue must stay low for Settle: with no
// pause, an overloaded server's empty queue does not count as drained.
func TestSim_RunSettle(t *testing.T) {
	c := model.Costs{S0: 25e-6, K: 0} // λ·s0 = 1.25
	for _, tt := range []struct {
		settle time.Duration
		want   model.Outcome
	}{{0, model.Drained}, {20 * time.Millisecond, model.Runaway}} {
		s := model.Sim{Costs: c, Rate: 50000, Duration: time.Second, CapQueue: 10000, Settle: tt.settle}
		res, err := s.Run()
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != tt.want {
			t.Errorf("settle %v: %v, want %v", tt.settle, res.Outcome, tt.want)
		}
	}
}

func TestSim_RunCaps(t *testing.T) {
	tests := []struct {
		name      string
		capQueue  int
		capBytes  int64
		wantQueue int
	}{
		{"queue cap", 5000, 0, 5000},
		{"bytes cap", 0, 200 * 1000, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.Sim{
				Costs: goCosts, Rate: 50000, Pause: time.Hour, Duration: 2 * time.Hour,
				CapQueue: tt.capQueue, CapBytes: tt.capBytes, MessageBytes: 100,
				SampleEvery: time.Millisecond,
			}
			res, err := s.Run()
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != model.Runaway || res.PeakQueue != tt.wantQueue || res.FinalQueue != tt.wantQueue {
				t.Errorf("%+v, want a runaway stopped at %d messages", res, tt.wantQueue)
			}
			// Arrivals 20µs apart: the cap is reached at the wantQueue-th.
			if want := time.Duration(tt.wantQueue) * 20 * time.Microsecond; res.End != want {
				t.Errorf("stopped at %v, want %v", res.End, want)
			}
			last := res.Series[len(res.Series)-1]
			if last.T != res.End || last.Queue != tt.wantQueue || last.Bytes != int64(tt.wantQueue)*100 {
				t.Errorf("last sample %+v, want the cap at %v", last, res.End)
			}
		})
	}
}

func TestSim_RunOverloaded(t *testing.T) {
	s := model.Sim{Costs: model.Costs{S0: 30e-6, K: 0}, Rate: 50000, Duration: time.Minute, CapQueue: 1000, Settle: 50 * time.Millisecond}
	res, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != model.Runaway || res.End > time.Second {
		t.Errorf("λ·s0 = 1.5 without a pause: %v at %v, want a runaway within a second", res.Outcome, res.End)
	}
}

func TestSim_Validate(t *testing.T) {
	ok := model.Sim{Costs: goCosts, Rate: 1000, Duration: time.Second}
	tests := []struct {
		name string
		edit func(*model.Sim)
	}{
		{"zero rate", func(s *model.Sim) { s.Rate = 0 }},
		{"no duration", func(s *model.Sim) { s.Duration = 0 }},
		{"negative pause", func(s *model.Sim) { s.Pause = -time.Second }},
		{"negative cap", func(s *model.Sim) { s.CapQueue = -1 }},
		{"bad costs", func(s *model.Sim) { s.Costs.S0 = 0 }},
	}
	if _, err := ok.Run(); err != nil {
		t.Fatalf("valid sim: %v", err)
	}
	for _, tt := range tests {
		s := ok
		tt.edit(&s)
		if _, err := s.Run(); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
