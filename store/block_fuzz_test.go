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

// FuzzRunBlock_decode feeds arbitrary bytes to the run block chunk
// decoder, as a damaged or hostile database file would: it must return
// an error or records, never panic, and records it accepts must encode
// and decode again to the same records; the views' functions must not
// panic either.
func FuzzRunBlock_decode(f *testing.F) {
	for _, c := range blockCases() {
		var chunks [][]byte
		bw := runBlockWriter{emit: func(b []byte) error { chunks = append(chunks, append([]byte(nil), b...)); return nil }}
		data, _ := appendBlock(nil, len(c.iters), c.units, c.iters, c.offsets, c.vals, nil)
		bw.config(1, "pkg", "example.com/p")
		bw.group(2, 3, 1, data)
		bw.config(200, "pkg", "")
		bw.config(201, "k", "v")
		bw.group(202, 1, 2, data)
		bw.flush()
		f.Add(chunks[0])
	}
	f.Add([]byte{runBlockVersion})
	f.Add([]byte{runBlockStored, 0, 0, recConfig, 1, 1, 'k', 1, 'v', recGroup, 2, 1, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		groupsJSON(data)
		configJSON(data)
		var cd chunkDecoder
		if cd.reset(data) != nil {
			return
		}
		type rec struct {
			config          bool
			line            int
			seq             uint64
			key, value      string
			nameID, unitSet int64
			block           string
		}
		read := func(cd *chunkDecoder) ([]rec, error) {
			var out []rec
			c := cd.start
			var r runRecord
			for c.next(&r) {
				out = append(out, rec{r.config, r.line, r.seq, string(r.key), string(r.value), r.nameID, r.unitSet, string(r.block)})
			}
			return out, c.d.err
		}
		recs, err := read(&cd)
		if err != nil || cd.raw.Len() >= runBlockChunk {
			return // a chunk this long would encode as two
		}
		var again []byte
		bw := runBlockWriter{emit: func(b []byte) error { again = append(again[:0], b...); return nil }}
		bw.seq, bw.pkg, bw.hasPkg = cd.start.seq, string(cd.pkg), cd.hasPkg
		for _, r := range recs {
			var err error
			if r.config {
				err = bw.config(r.line, r.key, r.value)
			} else {
				err = bw.group(r.line, r.nameID, r.unitSet, []byte(r.block))
			}
			if err != nil {
				t.Fatalf("a decoded record does not encode: %v", err)
			}
		}
		if len(recs) == 0 || bw.flush() != nil || len(again) == 0 {
			return
		}
		var cd2 chunkDecoder
		if err := cd2.reset(again); err != nil {
			t.Fatalf("decoded records encode to a chunk that does not decode: %v", err)
		}
		recs2, err := read(&cd2)
		if err != nil {
			t.Fatalf("decoded records encode to a chunk that does not decode: %v", err)
		}
		if len(recs2) != len(recs) {
			t.Fatalf("%d records, again %d", len(recs), len(recs2))
		}
		for i := range recs {
			if recs[i] != recs2[i] {
				t.Fatalf("record %d: %+v, again %+v", i, recs[i], recs2[i])
			}
		}
	})
}
