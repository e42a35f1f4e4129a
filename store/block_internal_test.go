package store

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// blockCase is one set of results to encode.
type blockCase struct {
	name    string
	iters   []int64
	offsets []int
	units   int
	vals    []float64
}

func blockCases() []blockCase {
	r := rand.New(rand.NewPCG(1, 2))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e-300, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 1e22, 1e23, 123456789012345678, 0.1, 0.3, 1.0 / 3, -2.5, 9007199254740993}
	var cases []blockCase
	add := func(name string, n, units int, iter func(i int) int64, off func(i int) int, val func(i, j int) float64) {
		c := blockCase{name: name, units: units}
		for i := range n {
			c.iters = append(c.iters, iter(i))
			for j := range units {
				c.vals = append(c.vals, val(i, j))
			}
		}
		if off != nil {
			for i := range n {
				c.offsets = append(c.offsets, off(i))
			}
		}
		cases = append(cases, c)
	}
	same := func(int) int64 { return 1000 }
	add("one", 1, 3, same, nil, func(i, j int) float64 { return float64(j) })
	add("no units", 5, 0, same, nil, nil)
	add("grouped", 10, 3, same, nil, func(i, j int) float64 {
		if j == 0 {
			return math.Round((5000+r.NormFloat64()*250)*10) / 10
		}
		return float64(64 * j)
	})
	add("every 200", 50, 1, func(i int) int64 { return int64(1e6 + r.IntN(1000)) }, func(i int) int { return 200 * i },
		func(i, j int) float64 { return float64(r.IntN(100000)) / 100 })
	add("gaps", 7, 2, same, func(i int) int { return i*i + i }, func(i, j int) float64 { return -float64(i) * 1.25 })
	add("raw", 100, 2, func(i int) int64 { return int64(r.Uint32()) }, nil, func(i, j int) float64 { return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20)) })
	add("special", len(special), 1, same, nil, func(i, j int) float64 { return special[i] })
	for _, f := range special {
		add("all "+strconv.FormatFloat(f, 'g', -1, 64), 4, 1, same, nil, func(i, j int) float64 { return f })
	}
	add("negative iters", 3, 1, func(i int) int64 { return int64(-i) * math.MaxInt32 }, nil, func(i, j int) float64 { return 1 })
	return cases
}

// TestBlock_roundTrip checks that a value block gives back every value
// bit for bit, the iterations and line offsets, and the JSON text of
// schema version 5.
func TestBlock_roundTrip(t *testing.T) {
	var scratch []int64
	for _, c := range blockCases() {
		t.Run(c.name, func(t *testing.T) {
			n := len(c.iters)
			data, s := appendBlock(nil, n, c.units, c.iters, c.offsets, c.vals, scratch)
			scratch = s
			var b block
			if err := b.decode(data); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if b.n != n || b.units != c.units {
				t.Fatalf("decoded %d results of %d units, want %d of %d", b.n, b.units, n, c.units)
			}
			for i := range n {
				if b.iters[i] != c.iters[i] {
					t.Errorf("iters[%d] = %d, want %d", i, b.iters[i], c.iters[i])
				}
			}
			for i, f := range c.vals {
				if math.Float64bits(b.vals[i]) != math.Float64bits(f) {
					t.Errorf("vals[%d] = %v (%#x), want %v (%#x)", i, b.vals[i], math.Float64bits(b.vals[i]), f, math.Float64bits(f))
				}
			}
			if b.offsets == nil {
				for i, o := range c.offsets {
					if o != i {
						t.Fatalf("offsets nil, want %v", c.offsets)
					}
				}
			} else if string(appendLinesJSON(nil, b.offsets)) != string(appendLinesJSON(nil, c.offsets)) {
				t.Errorf("offsets %v, want %v", b.offsets, c.offsets)
			}
			// The JSON text parses back to the same block.
			var j block
			var lines []byte
			if b.offsets != nil {
				lines = appendLinesJSON(nil, b.offsets)
			}
			if err := j.parseJSON(n, appendItersJSON(nil, b.iters), appendValsJSON(nil, n, c.units, b.vals), lines); err != nil {
				t.Fatalf("parseJSON: %v", err)
			}
			for i, f := range c.vals {
				if math.Float64bits(j.vals[i]) != math.Float64bits(f) && !(math.IsNaN(f) && math.IsNaN(j.vals[i])) {
					t.Errorf("JSON vals[%d] = %v, want %v", i, j.vals[i], f)
				}
			}
		})
	}
}

// TestBlock_size checks the sizes the store's space goal rests on:
// a -count 10 group of ns/op with one decimal and constant B/op and
// allocs/op takes about 3 bytes a result.
func TestBlock_size(t *testing.T) {
	for _, c := range blockCases() {
		if c.name != "grouped" {
			continue
		}
		data, _ := appendBlock(nil, len(c.iters), c.units, c.iters, c.offsets, c.vals, nil)
		// header 3, iters 3, lines 1, ns/op 2+3+9*2..3, B/op and allocs/op 3 each.
		if len(data) > 45 {
			t.Errorf("grouped block of 10 results: %d bytes, want at most 45", len(data))
		}
	}
}

// TestBlock_decodeDamaged checks that every truncation and many single
// byte changes of valid blocks fail with an error or decode, never
// panic.
func TestBlock_decodeDamaged(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var b block
	for _, c := range blockCases() {
		data, _ := appendBlock(nil, len(c.iters), c.units, c.iters, c.offsets, c.vals, nil)
		for k := range data {
			if err := b.decode(data[:k]); err == nil {
				t.Errorf("%s: truncated to %d of %d bytes: no error", c.name, k, len(data))
			}
		}
		for range 200 {
			d := append([]byte(nil), data...)
			d[r.IntN(len(d))] = byte(r.Uint32())
			b.decode(d)
		}
	}
	if err := b.decode([]byte{blockVersion, 0xff, 0xff, 0xff, 0xff, 0x0f, 1}); err == nil {
		t.Error("block of 2^32 results: no error")
	}
}
