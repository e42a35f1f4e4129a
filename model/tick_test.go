package model_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

func TestCosts_ScanCost(t *testing.T) {
	c := model.Costs{S0: 1e-6, C: 5e-9, K: 1, Scan: []model.ScanPoint{{1000, 8e-9}, {10000, 10e-9}, {100000, 20e-9}}}
	tests := []struct {
		n, want float64
	}{
		{10, 8e-9}, {1000, 8e-9}, {math.Sqrt(1000 * 10000), 9e-9}, {10000, 10e-9}, {math.Sqrt(1e9), 15e-9}, {1e6, 20e-9},
	}
	for _, tt := range tests {
		if got := c.ScanCost(tt.n); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("ScanCost(%g) = %g, want %g", tt.n, got, tt.want)
		}
	}
	if got := (model.Costs{C: 5e-9}).ScanCost(1e6); got != 5e-9 {
		t.Errorf("ScanCost without points = %g, want C", got)
	}
}

func TestCosts_TippingQueue_scan(t *testing.T) {
	// A flat c(n) gives the closed form.
	flat := model.Costs{S0: 4e-6, C: 10e-9, K: 2, Scan: []model.ScanPoint{{100, 10e-9}, {1e5, 10e-9}}}
	n, ok := flat.TippingQueue(50000)
	want := (1 - 50000*4e-6) / (50000 * 2 * 10e-9)
	if !ok || math.Abs(n-want) > 1e-3*want {
		t.Fatalf("flat c(n): n* = %g, %v; want %g", n, ok, want)
	}
	// A c(n) that grows puts n* lower, where λ·S(n*) = 1.
	grow := flat
	grow.Scan = []model.ScanPoint{{100, 10e-9}, {300, 30e-9}}
	n2, ok := grow.TippingQueue(50000)
	if !ok || n2 >= n {
		t.Fatalf("growing c(n): n* = %g, want below %g", n2, n)
	}
	if got := 50000 * grow.Service(n2); math.Abs(got-1) > 1e-5 {
		t.Errorf("λ·S(n*) = %g, want 1", got)
	}
	zero := model.Costs{S0: 1e-6, K: 1, Scan: []model.ScanPoint{{10, 0}}}
	if _, ok := zero.TippingQueue(1000); ok {
		t.Error("c(n) = 0 everywhere: finite tipping point")
	}
}

func TestCosts_CriticalPauseTick(t *testing.T) {
	c := model.Costs{S0: 5e-6, C: 10e-9, K: 1}
	rate := 50000.0
	smooth, _ := c.CriticalPause(rate)
	if got, _ := c.CriticalPauseTick(rate, 0); got != smooth {
		t.Errorf("tick 0: %v, want the smooth T* %v", got, smooth)
	}
	// u = λ·s0 = 0.25; the shift is u·D/2 = 0.125ms at 1ms ticks.
	got, ok := c.CriticalPauseTick(rate, time.Millisecond)
	if want := smooth - 125*time.Microsecond; !ok || got != want {
		t.Errorf("tick 1ms: %v, want %v", got, want)
	}
	if got, _ := c.CriticalPauseTick(rate, time.Hour); got != 0 {
		t.Errorf("huge tick: %v, want 0 (never negative)", got)
	}
	if _, ok := (model.Costs{S0: 1e-6, C: 1e-9}).CriticalPauseTick(rate, time.Millisecond); ok {
		t.Error("k = 0: finite critical pause")
	}
}

// TestCosts_CriticalPauseTick_measured checks the measured terms: Q0
// replaces the sawtooth's u·λ·D/2 and Stall comes off the pause.
func TestCosts_CriticalPauseTick_measured(t *testing.T) {
	c := model.Costs{S0: 5e-6, C: 10e-9, K: 1}
	rate := 50000.0
	smooth, _ := c.CriticalPause(rate) // n* = 1500, 30ms
	tests := []struct {
		name      string
		q0, stall float64
		want      time.Duration
	}{
		{"sawtooth", 0, 0, smooth - 125*time.Microsecond},
		{"q0", 100, 0, smooth - 2*time.Millisecond},
		{"stall", 0, 3e-3, smooth - 125*time.Microsecond - 3*time.Millisecond},
		{"both", 100, 3e-3, smooth - 5*time.Millisecond},
		{"never negative", 100, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := c
			m.Q0, m.Stall = tt.q0, tt.stall
			if got, ok := m.CriticalPauseTick(rate, time.Millisecond); !ok || got != tt.want {
				t.Errorf("CriticalPauseTick = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
	back, err := model.ParseCosts("s0=5us,c=10ns,k=1,q0=100,stall=3ms")
	if err != nil || back.Q0 != 100 || back.Stall != 3e-3 {
		t.Fatalf("ParseCosts: %+v, %v", back, err)
	}
	if again, err := model.ParseCosts(back.String()); err != nil || again.Q0 != 100 || again.Stall != 3e-3 {
		t.Errorf("round trip of %q: %+v, %v", back.String(), again, err)
	}
	for in, wantErr := range map[string]string{
		"s0=5us,c=10ns,k=1,q0=x":       "not a number",
		"s0=5us,c=10ns,k=1,q0=-1":      "q0 -1",
		"s0=5us,c=10ns,k=1,stall=3":    "want a number with a unit",
		"s0=5us,c=10ns,k=1,stall=-1ms": "stall -0.001",
	} {
		if _, err := model.ParseCosts(in); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseCosts(%q) error = %v, want %q", in, err, wantErr)
		}
	}
}

func TestParseCosts_scan(t *testing.T) {
	c, err := model.ParseCosts("s0=5us,c=10ns,k=2,cn=1000:8ns/30000:17ns")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Scan) != 2 || c.Scan[1].N != 30000 || math.Abs(c.Scan[1].C-17e-9) > 1e-18 {
		t.Fatalf("Scan = %+v", c.Scan)
	}
	back, err := model.ParseCosts(c.String())
	if err != nil || len(back.Scan) != 2 || back.Scan[0].N != 1000 {
		t.Fatalf("round trip of %q: %+v, %v", c.String(), back, err)
	}
	for in, wantErr := range map[string]string{
		"s0=5us,c=10ns,k=1,cn=1000":             "want DEPTH:TIME",
		"s0=5us,c=10ns,k=1,cn=x:8ns":            "not a number",
		"s0=5us,c=10ns,k=1,cn=1000:8":           "want a number with a unit",
		"s0=5us,c=10ns,k=1,cn=1000:8ns/10:9ns":  "ascending",
		"s0=5us,c=10ns,k=1,cn=0:8ns":            "want 1 or more",
		"s0=5us,c=10ns,k=1,cn=1000:8ns,cn=1:1s": "given twice",
	} {
		if _, err := model.ParseCosts(in); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseCosts(%q) error = %v, want %q", in, err, wantErr)
		}
	}
}

func TestSim_tick(t *testing.T) {
	// Without service (a pause that outlasts the run), the queue counts
	// arrivals: in 1ms bursts of 50 at 50,000/s, smoothly otherwise.
	base := model.Sim{Costs: model.Costs{S0: 1e-6, C: 1e-9, K: 1}, Rate: 50000, At: 0,
		Pause: time.Second, Duration: 10*time.Millisecond + 500*time.Microsecond, SampleEvery: 10 * time.Microsecond}
	tests := []struct {
		tick time.Duration
		at   time.Duration // a sample time
		want int
	}{
		{0, 2500 * time.Microsecond, 124}, // the 125th arrives just after the sample
		{0, 2510 * time.Microsecond, 125},
		{time.Millisecond, 2500 * time.Microsecond, 100},
		{time.Millisecond, 3500 * time.Microsecond, 150},
		{2 * time.Millisecond, 3500 * time.Microsecond, 100},
	}
	for _, tt := range tests {
		s := base
		s.Tick = tt.tick
		res, err := s.Run()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sm := range res.Series {
			if sm.T == tt.at {
				found = true
				if sm.Queue != tt.want {
					t.Errorf("tick %v at %v: queue %d, want %d", tt.tick, tt.at, sm.Queue, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("tick %v: no sample at %v in %v", tt.tick, tt.at, res.Series)
		}
	}
	if err := (model.Sim{Costs: base.Costs, Rate: 1, Duration: time.Second, Tick: -1}).Validate(); err == nil {
		t.Error("negative tick accepted")
	}
}

// TestSim_tickCritical checks the simulation against CriticalPauseTick:
// in bursts, a pause a little shorter than the model's T*(D) drains and
// one a little longer runs away.
func TestSim_tickCritical(t *testing.T) {
	c := model.Costs{S0: 8e-6, C: 10e-9, K: 2}
	for _, rate := range []float64{25000, 50000} {
		tstar, ok := c.CriticalPauseTick(rate, time.Millisecond)
		if !ok {
			t.Fatal("no T*")
		}
		for _, tt := range []struct {
			f    float64
			want model.Outcome
		}{{0.9, model.Drained}, {1.1, model.Runaway}} {
			pause := time.Duration(float64(tstar) * tt.f)
			s := model.Sim{Costs: c, Rate: rate, At: 300*time.Millisecond + 300*time.Microsecond, Pause: pause,
				Duration: 10 * time.Second, Tick: time.Millisecond, CapQueue: 1_000_000}
			res, err := s.Run()
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tt.want {
				t.Errorf("rate %g, pause %.1f·T*(1ms) = %v: %v, want %v", rate, tt.f, pause, res.Outcome, tt.want)
			}
		}
	}
}
