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
