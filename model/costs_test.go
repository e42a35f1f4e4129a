package model_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

func TestCosts_TippingQueue(t *testing.T) {
	tests := []struct {
		name       string
		costs      model.Costs
		rate       float64
		wantN      float64
		wantFinite bool
	}{
		// n* = (1 − 0.15) / (50000 · 1 · 1e-9) = 17000.
		{"go defaults", model.Costs{S0: 3e-6, C: 1e-9, K: 1}, 50000, 17000, true},
		// Two scans per event halve n*.
		{"two calls", model.Costs{S0: 3e-6, C: 1e-9, K: 2}, 50000, 8500, true},
		// An Erlang system: (1 − 0.05) / (10000 · 10e-9) = 9500.
		{"erlang", model.Costs{S0: 5e-6, C: 10e-9, K: 1}, 10000, 9500, true},
		{"k=0 has no tipping point", model.Costs{S0: 3e-6, C: 1e-9, K: 0}, 50000, math.Inf(1), false},
		{"c=0 has no tipping point", model.Costs{S0: 3e-6, C: 0, K: 1}, 50000, math.Inf(1), false},
		{"overloaded", model.Costs{S0: 30e-6, C: 1e-9, K: 1}, 50000, 0, true},
		{"overloaded without calls", model.Costs{S0: 30e-6, C: 1e-9, K: 0}, 50000, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, finite := tt.costs.TippingQueue(tt.rate)
			if finite != tt.wantFinite || !close(n, tt.wantN) {
				t.Errorf("TippingQueue(%g) = %g, %v; want %g, %v", tt.rate, n, finite, tt.wantN, tt.wantFinite)
			}
			pause, pfinite := tt.costs.CriticalPause(tt.rate)
			if pfinite != tt.wantFinite {
				t.Fatalf("CriticalPause finite = %v, want %v", pfinite, tt.wantFinite)
			}
			if want := time.Duration(math.Round(tt.wantN / tt.rate * 1e9)); finite && pause != want {
				t.Errorf("CriticalPause(%g) = %v, want n*/λ = %v", tt.rate, pause, want)
			}
			if !finite && pause != 0 {
				t.Errorf("CriticalPause(%g) = %v with no tipping point, want 0", tt.rate, pause)
			}
		})
	}
}

// TestCosts_TippingQueueIsEquilibrium checks n* against its definition:
// at n* the service rate equals the arrival rate.
func TestCosts_TippingQueueIsEquilibrium(t *testing.T) {
	for _, c := range []model.Costs{{S0: 1e-6, C: 1e-9, K: 1}, {S0: 4e-6, C: 2e-9, K: 3}, {S0: 5e-6, C: 1e-8, K: 1}} {
		for _, rate := range []float64{1e3, 2e4, 1e5} {
			n, ok := c.TippingQueue(rate)
			if !ok || n <= 0 {
				t.Fatalf("%v at %g: n* = %g, %v", c, rate, n, ok)
			}
			if got := rate * c.Service(n); !close(got, 1) {
				t.Errorf("%v at %g: λ·S(n*) = %g, want 1", c, rate, got)
			}
		}
	}
}

func TestParseCosts(t *testing.T) {
	tests := []struct {
		in      string
		want    model.Costs
		wantErr string
	}{
		{in: "s0=5us,c=10ns,k=1", want: model.Costs{S0: 5e-6, C: 10e-9, K: 1}},
		{in: " k=0 , c=0.8ns , s0=1.5µs", want: model.Costs{S0: 1.5e-6, C: 0.8e-9, K: 0}},
		{in: "s0=2ms,c=1us,k=3", want: model.Costs{S0: 2e-3, C: 1e-6, K: 3}},
		{in: "s0=5us,c=10ns", wantErr: "missing k"},
		{in: "s0=5us,c=10ns,k=1,k=2", wantErr: "k given twice"},
		{in: "s0=5,c=10ns,k=1", wantErr: "want a number with a unit"},
		{in: "s0=5us,c=10ns,k=x", wantErr: "not a whole number"},
		{in: "s0=5us,c=10ns,k=-1", wantErr: "want zero or more calls"},
		{in: "s0=0s,c=10ns,k=1", wantErr: "want a positive time"},
		{in: "s0=5us,c=10ns,k=1,r=3", wantErr: `unknown key "r"`},
		{in: "s0", wantErr: "not key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := model.ParseCosts(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseCosts(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCosts(%q): %v", tt.in, err)
			}
			if !close(got.S0, tt.want.S0) || !close(got.C, tt.want.C) || got.K != tt.want.K {
				t.Errorf("ParseCosts(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			back, err := model.ParseCosts(got.String())
			if err != nil || !close(back.S0, got.S0) || !close(back.C, got.C) || back.K != got.K {
				t.Errorf("round trip through %q = %+v, %v", got.String(), back, err)
			}
		})
	}
}

func TestFormatSeconds(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0s"}, {0.812e-9, "0.812ns"}, {3.1e-6, "3.1µs"}, {999.9e-9, "1µs"},
		{12.34e-3, "12.3ms"}, {2.5, "2.5s"}, {125, "125s"},
	}
	for _, tt := range tests {
		if got := model.FormatSeconds(tt.in); got != tt.want {
			t.Errorf("FormatSeconds(%g) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func close(a, b float64) bool {
	if math.IsInf(a, 1) || math.IsInf(b, 1) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))+1e-18
}
