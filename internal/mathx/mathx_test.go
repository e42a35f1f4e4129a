package mathx_test

import (
	"math"
	"testing"

	"github.com/benchdb/benchdb/internal/mathx"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{1, 2, 10}, 2},
		{[]float64{1, 2, 4, 10}, 3},
		{[]float64{-2, -1}, -1.5},
	}
	for _, tt := range tests {
		if got := mathx.Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := mathx.Median(nil); !math.IsNaN(got) {
		t.Errorf("Median(nil) = %v, want NaN", got)
	}
}

func TestFinite(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if p := mathx.Finite(x); p != nil {
			t.Errorf("Finite(%v) = %v, want nil", x, *p)
		}
	}
	x := 2.5
	p := mathx.Finite(x)
	if p == nil || *p != 2.5 || p == &x {
		t.Errorf("Finite(2.5) = %v, want a pointer to a copy of 2.5", p)
	}
}

// TestPct: percentages keep one decimal, and from a million percent on
// three significant digits, so a hostile stored value cannot make a
// cell hundreds of digits wide.
func TestPct(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{12.34, "+12.3%"}, {-5, "-5.0%"}, {999999.94, "+999999.9%"},
		{1e6, "+1e+06%"}, {-7.6e301, "-7.6e+301%"}, {math.NaN(), "n/a"}, {math.Inf(1), "n/a"},
	} {
		if got := mathx.Pct(c.v); got != c.want {
			t.Errorf("Pct(%g) = %q, want %q", c.v, got, c.want)
		}
	}
}
