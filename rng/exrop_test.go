package rng_test

import (
	"testing"

	"github.com/benchdb/benchdb/rng"
)

const mask58 = 1<<58 - 1

// TestExrop_Next checks outputs against values worked out from the
// algorithm's definition: out = (s0 + s1) mod 2^58; s1 ^= s0;
// s0 = rotl58(s0, 24) ^ s1 ^ (s1 << 2 mod 2^58); s1 = rotl58(s1, 35).
func TestExrop_Next(t *testing.T) {
	tests := []struct {
		name   string
		s0, s1 uint64
		want   []uint64
		wantS0 uint64 // state after the outputs, where worked out
		wantS1 uint64
	}{
		{
			// By hand: out0 = 1+0 = 1. Then s1 = 0^1 = 1,
			// s0 = 2^24 ^ 1 ^ 4 = 16777221, s1 = 2^35 = 34359738368,
			// so out1 = 16777221 + 34359738368 = 34376515589. The
			// rest come from an arbitrary-precision transcription of
			// the same definition.
			name: "state 1,0",
			s0:   1, s1: 0,
			want:   []uint64{1, 34376515589, 281818574098451, 1548765525708885, 850541316030759, 291959126131971},
			wantS0: 72388306536665371, wantS1: 1169983485956608,
		},
		{
			// The sum wraps: 2^57 + 2^57 = 2^58 = 0 mod 2^58. Then
			// s1 = 0, s0 = rotl58(2^57, 24) = 2^(57+24-58) = 2^23,
			// s1 = 0; out1 = 2^23.
			name: "wrapping sum and rotation",
			s0:   1 << 57, s1: 1 << 57,
			want:   []uint64{0, 1 << 23},
			wantS0: 0, wantS1: 0, // not checked: see below
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g rng.Exrop
			if !g.SetState(tt.s0, tt.s1) {
				t.Fatal("SetState refused a non-zero state")
			}
			for i, want := range tt.want {
				if got := g.Next(); got != want {
					t.Fatalf("output %d = %d, want %d", i, got, want)
				}
			}
			if tt.wantS0 != 0 || tt.wantS1 != 0 {
				if s0, s1 := g.State(); s0 != tt.wantS0 || s1 != tt.wantS1 {
					t.Errorf("state = %d, %d; want %d, %d", s0, s1, tt.wantS0, tt.wantS1)
				}
			}
		})
	}
}

func TestNewExrop(t *testing.T) {
	// Seeding is splitmix64 cut to 58 bits: for seed 42 the state words
	// are the first two splitmix64 outputs from 42, masked.
	g := rng.NewExrop(42)
	if s0, s1 := g.State(); s0 != 132629853624823445 || s1 != 67522330609774851 {
		t.Errorf("state from seed 42 = %d, %d", s0, s1)
	}
	want := []uint64{200152184234598296, 27438174971123842, 280483997399006757, 225867571751037526, 284657858776283059}
	for i, w := range want {
		if got := g.Next(); got != w {
			t.Fatalf("seed 42 output %d = %d, want %d", i, got, w)
		}
	}

	a, b, c := rng.NewExrop(7), rng.NewExrop(7), rng.NewExrop(8)
	same, differ := true, false
	for range 100 {
		x, y, z := a.Next(), b.Next(), c.Next()
		same = same && x == y
		differ = differ || x != z
	}
	if !same {
		t.Error("the same seed gave different sequences")
	}
	if !differ {
		t.Error("seeds 7 and 8 gave the same sequence")
	}
}

func TestExrop_SetState(t *testing.T) {
	var g rng.Exrop
	if g.SetState(0, 0) {
		t.Error("SetState accepted the all-zero state")
	}
	if g.SetState(1<<58, 1<<59) {
		t.Error("SetState accepted a state that is zero in its low 58 bits")
	}
	h := rng.NewExrop(3)
	h.Next()
	s0, s1 := h.State()
	var r rng.Exrop
	r.SetState(s0, s1)
	for i := range 10 {
		if x, y := h.Next(), r.Next(); x != y {
			t.Fatalf("resumed generator differs at %d: %d != %d", i, y, x)
		}
	}
}

// TestExrop_bits checks that outputs use all 58 bits and no more.
func TestExrop_bits(t *testing.T) {
	g := rng.NewExrop(1)
	var or uint64
	and := uint64(mask58)
	for range 10000 {
		v := g.Next()
		if v > mask58 {
			t.Fatalf("output %d has more than 58 bits", v)
		}
		or |= v
		and &= v
	}
	if or != mask58 || and != 0 {
		t.Errorf("bits ever set %x, bits always set %x; want %x and 0", or, and, uint64(mask58))
	}
}

func TestExrop_Uniform(t *testing.T) {
	t.Run("n=1 draws once", func(t *testing.T) {
		g, ref := rng.NewExrop(5), rng.NewExrop(5)
		if got := g.Uniform(1); got != 1 {
			t.Errorf("Uniform(1) = %d", got)
		}
		ref.Next()
		if g.Next() != ref.Next() {
			t.Error("Uniform(1) did not consume exactly one output")
		}
	})
	t.Run("small", func(t *testing.T) {
		// With state (1, 0) the first output is 1 < 10: taken as is.
		var g rng.Exrop
		g.SetState(1, 0)
		if got := g.Uniform(10); got != 2 {
			t.Errorf("Uniform(10) = %d, want 1+1", got)
		}
	})
	t.Run("remainder", func(t *testing.T) {
		// The second output from (1, 0), 34376515589, is 34376515589 mod
		// 1000 = 589; far below 2^58 - 1000, so accepted.
		var g rng.Exrop
		g.SetState(1, 0)
		g.Next()
		if got := g.Uniform(1000); got != 590 {
			t.Errorf("Uniform(1000) = %d, want 589+1", got)
		}
	})
	t.Run("rejection", func(t *testing.T) {
		// n = 2^57+1: every output >= n is rejected (v - v%n = n >
		// 2^58 - n). From (2^57, 2^57-1) the first output is 2^58-1,
		// rejected; the second is 8388610 < n, returned plus one.
		var g rng.Exrop
		g.SetState(1<<57, 1<<57-1)
		if got := g.Uniform(1<<57 + 1); got != 8388611 {
			t.Errorf("Uniform(2^57+1) = %d, want 8388610+1", got)
		}
	})
	t.Run("bounds", func(t *testing.T) {
		g := rng.NewExrop(9)
		for _, n := range []uint64{1, 2, 3, 10, 1 << 40, 1 << 58} {
			for range 100 {
				if v := g.Uniform(n); v < 1 || v > n {
					t.Fatalf("Uniform(%d) = %d", n, v)
				}
			}
		}
		for _, n := range []uint64{0, 1<<58 + 1} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Uniform(%d) did not panic", n)
					}
				}()
				g.Uniform(n)
			}()
		}
	})
}

func TestExrop_Float64(t *testing.T) {
	g := rng.NewExrop(11)
	var sum float64
	const n = 100000
	for range n {
		f := g.Float64()
		if f < 0 || f >= 1 {
			t.Fatalf("Float64 = %v", f)
		}
		sum += f
	}
	// The mean of n uniforms has standard deviation sqrt(1/12/n) ~ 0.0009;
	// 0.005 is over five of them (and the seed is fixed).
	if mean := sum / n; mean < 0.495 || mean > 0.505 {
		t.Errorf("mean = %v, want about 0.5", mean)
	}
}
