package store

import (
	"math"
	"math/rand"
	"strconv"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// TestAppendFloat checks that values are written exactly as
// strconv.AppendFloat(f, 'g', -1, 64) writes them, including around the
// limits of the whole-number fast path.
func TestAppendFloat(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1.5, 42, 999999, -999999,
		1e6, -1e6, 1e6 + 1, 1234567, 999999.5, 1e-5, 123.456, 1e21, 1 << 53, math.MaxFloat64, math.SmallestNonzeroFloat64}
	r := rand.New(rand.NewSource(1))
	for range 10000 {
		vals = append(vals, float64(r.Int63n(2e6)-1e6), r.Float64()*1e7, math.Ldexp(r.Float64(), r.Intn(80)-20))
	}
	for _, f := range vals {
		got := string(appendFloat(nil, benchfmt.Value{Value: f, Unit: "x"}))
		want := strconv.FormatFloat(f, 'g', -1, 64)
		if got != want {
			t.Errorf("appendFloat(%v) = %q, want %q", f, got, want)
		}
	}
	for _, tt := range []struct {
		f    float64
		want string
	}{{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}} {
		if got := string(appendFloat(nil, benchfmt.Value{Value: tt.f})); got != tt.want {
			t.Errorf("appendFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
