package store

import (
	"math"
	"testing"
)

// FuzzBlock_decode feeds arbitrary bytes to the value block decoder, as a
// damaged or hostile database file would: it must return an error or a
// block, never panic, and a block it accepts must encode and decode again
// to the same iterations, line offsets and values, bit for bit.
func FuzzBlock_decode(f *testing.F) {
	for _, c := range blockCases() {
		data, _ := appendBlock(nil, len(c.iters), c.units, c.iters, c.offsets, c.vals, nil)
		f.Add(data)
	}
	f.Add([]byte{blockVersion, 0xff, 0xff, 0xff, 0xff, 0x0f, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var b block
		if b.decode(data) != nil {
			return
		}
		again, _ := appendBlock(nil, b.n, b.units, b.iters, b.offsets, b.vals, nil)
		var c block
		if err := c.decode(again); err != nil {
			t.Fatalf("a decoded block encodes to one that does not decode: %v", err)
		}
		if c.n != b.n || c.units != b.units || len(c.iters) != len(b.iters) {
			t.Fatalf("decoded %d results of %d units; again %d of %d", b.n, b.units, c.n, c.units)
		}
		for i := range b.iters {
			if c.iters[i] != b.iters[i] {
				t.Fatalf("iters[%d] = %d, again %d", i, b.iters[i], c.iters[i])
			}
		}
		// nil offsets are consecutive lines: 0, 1, 2, ...
		offset := func(offs []int, i int) int {
			if offs == nil {
				return i
			}
			return offs[i]
		}
		for i := range b.n {
			if offset(c.offsets, i) != offset(b.offsets, i) {
				t.Fatalf("line offset %d = %d, again %d", i, offset(b.offsets, i), offset(c.offsets, i))
			}
		}
		for i := range b.vals {
			if math.Float64bits(c.vals[i]) != math.Float64bits(b.vals[i]) {
				t.Fatalf("vals[%d] = %#x, again %#x", i, math.Float64bits(b.vals[i]), math.Float64bits(c.vals[i]))
			}
		}
	})
}

// FuzzDigest_decode feeds arbitrary bytes to the run digest decoder, as
// a damaged or hostile database file would: it must return an error or
// entries, never panic, and entries it accepts must encode and decode
// again to the same entries and values, bit for bit.
func FuzzDigest_decode(f *testing.F) {
	for _, c := range blockCases() {
		var chunks [][]byte
		dw := digestWriter{emit: func(b []byte) error { chunks = append(chunks, append([]byte(nil), b...)); return nil }}
		dw.add("example.com/p", 3, 1, len(c.iters), c.units, c.vals, nil)
		dw.add("", 1, 2, len(c.iters), c.units, c.vals, nil)
		dw.flush()
		f.Add(chunks[0])
	}
	f.Add([]byte{digestVersion})
	f.Fuzz(func(t *testing.T, data []byte) {
		var dd digestDecoder
		pkgs := map[string]string{}
		es, vals, err := dd.decode(data, nil, nil, pkgs)
		if err != nil {
			return
		}
		var again []byte
		dw := digestWriter{emit: func(b []byte) error { again = append([]byte(nil), b...); return nil }}
		for _, e := range es {
			if err := dw.add(e.pkg, e.nameID, e.unitSet, e.n, e.units, vals[e.off:e.off+e.n*e.units], nil); err != nil {
				t.Fatal(err)
			}
		}
		dw.flush()
		if len(es) == 0 {
			return
		}
		es2, vals2, err := dd.decode(again, nil, nil, pkgs)
		if err != nil {
			t.Fatalf("decoded entries encode to a chunk that does not decode: %v", err)
		}
		if len(es2) != len(es) || len(vals2) != len(vals) {
			t.Fatalf("%d entries of %d values; again %d of %d", len(es), len(vals), len(es2), len(vals2))
		}
		for i := range es {
			if es[i] != es2[i] {
				t.Fatalf("entry %d: %+v, again %+v", i, es[i], es2[i])
			}
		}
		for i := range vals {
			if math.Float64bits(vals[i]) != math.Float64bits(vals2[i]) {
				t.Fatalf("vals[%d] = %#x, again %#x", i, math.Float64bits(vals[i]), math.Float64bits(vals2[i]))
			}
		}
	})
}
