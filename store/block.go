package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A value block is how a SQLite store (schema version 6 on) keeps the
// results of one result_group row: their iteration counts, their line
// offsets and their values, column by column, in a compact binary form
// (result_group.data). Benchmark values are mostly decimal numbers with
// few digits, which repeat (B/op, allocs/op) or vary little (ns/op): a
// column of them is stored as integers scaled by a common power of ten,
// each as the difference from the one before, in variable-length
// integers. A value that this does not give back bit for bit (NaN,
// infinities, negative zero, numbers with many digits) puts its column
// in raw form, 8 bytes a value. Decoding gives back exactly the float64
// values encoded.
//
// Layout (uvarint and varint as encoding/binary writes them; zigzag is
// varint's signed form):
//
//	block   = 0x01 n:uvarint units:uvarint iters lines column{units}
//	iters   = 0x00 x:varint                  all n equal
//	        | 0x01 x0:varint (xi-xi-1):varint{n-1}
//	lines   = 0x00                           consecutive lines
//	        | 0x01 gap:uvarint               offsets 0, gap, 2*gap, ...
//	        | 0x02 (oi-oi-1):uvarint{n-1}    offsets from the first line
//	column  = 0x00 k:byte m:varint           all n equal to m/10^k
//	        | 0x01 k:byte m0:varint (mi-mi-1):varint{n-1}
//	        | 0x02 bits:8 bytes little-endian{n}
//	        | 0x03 bits:8 bytes little-endian  all n equal (bitwise)
//
// Column j holds value j of each result, in the units of the row's
// unit_set. The SQL functions benchdb_iters, benchdb_vals and
// benchdb_lines (sqlfunc.go) give a block's content as the JSON text of
// schema version 5, for the result_line and sample views.
const blockVersion = 1

// Column and line modes of a value block.
const (
	colEqual    = 0
	colDeltas   = 1
	colRaw      = 2
	colRawEqual = 3

	linesConsecutive = 0
	linesEvery       = 1
	linesGaps        = 2
)

// maxScale is the largest power of ten a decimal column is scaled by:
// 10^22 is the largest power of ten a float64 holds exactly.
const maxScale = 22

// maxMantissa bounds the scaled integers, so that their differences fit
// an int64.
const maxMantissa = 1 << 62

var pow10 = func() (p [maxScale + 1]float64) {
	p[0] = 1
	for i := 1; i <= maxScale; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// fromDecimal is the value m/10^k: the only way a block's decimal
// column is decoded, so that encoding can check it bit for bit.
func fromDecimal(m int64, k int) float64 {
	if k == 0 {
		return float64(m)
	}
	return float64(m) / pow10[k]
}

// toDecimal returns m such that fromDecimal(m, k) is f bit for bit, if
// there is one.
func toDecimal(f float64, k int) (int64, bool) {
	s := math.Round(f * pow10[k])
	if !(s > -maxMantissa && s < maxMantissa) {
		return 0, false
	}
	m := int64(s)
	if math.Float64bits(fromDecimal(m, k)) == math.Float64bits(f) {
		return m, true
	}
	return 0, false
}

// decimalScale returns the smallest k at which f is a decimal, or -1.
func decimalScale(f float64) int {
	for k := 0; k <= maxScale; k++ {
		if _, ok := toDecimal(f, k); ok {
			return k
		}
	}
	return -1
}

// A block is the decoded content of a value block. Its slices are
// reused by the next decode.
type block struct {
	n, units int
	iters    []int64
	offsets  []int     // line offsets from the first result's; nil if consecutive
	vals     []float64 // n*units, result by result
}

// appendBlock appends the value block of n results with units values
// each: iters[i] and vals[i*units:(i+1)*units] are result i's, on line
// offsets[i] from the first (offsets nil: consecutive lines). scratch
// holds scaled integers between calls; appendBlock returns it for reuse.
func appendBlock(dst []byte, n, units int, iters []int64, offsets []int, vals []float64, scratch []int64) ([]byte, []int64) {
	dst, _, scratch = appendBlockCols(dst, n, units, iters, offsets, vals, scratch)
	return dst, scratch
}

// appendBlockCols is appendBlock, and also returns the index in dst
// where the block's value columns start.
func appendBlockCols(dst []byte, n, units int, iters []int64, offsets []int, vals []float64, scratch []int64) ([]byte, int, []int64) {
	dst = append(dst, blockVersion)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(units))
	dst = appendIntColumn(dst, iters)
	dst = appendLines(dst, n, offsets)
	cols := len(dst)
	dst, scratch = appendColumns(dst, n, units, vals, scratch)
	return dst, cols, scratch
}

// appendColumns appends the units value columns of n results (vals,
// result by result), as a value block holds them after its iteration
// counts and line offsets; scratch as for appendBlock.
func appendColumns(dst []byte, n, units int, vals []float64, scratch []int64) ([]byte, []int64) {
	if cap(scratch) < n {
		scratch = make([]int64, n)
	}
	ms := scratch[:n]
	for j := range units {
		dst = appendFloatColumn(dst, n, units, j, vals, ms)
	}
	return dst, scratch
}

func appendIntColumn(dst []byte, xs []int64) []byte {
	equal := true
	for _, x := range xs[1:] {
		if x != xs[0] {
			equal = false
			break
		}
	}
	if equal {
		return binary.AppendVarint(append(dst, colEqual), xs[0])
	}
	dst = binary.AppendVarint(append(dst, colDeltas), xs[0])
	for i := 1; i < len(xs); i++ {
		dst = binary.AppendVarint(dst, xs[i]-xs[i-1])
	}
	return dst
}

func appendLines(dst []byte, n int, offsets []int) []byte {
	if offsets == nil || n == 1 {
		return append(dst, linesConsecutive)
	}
	gap := offsets[1]
	every := true
	for i := 2; i < n; i++ {
		if offsets[i]-offsets[i-1] != gap {
			every = false
			break
		}
	}
	switch {
	case every && gap == 1:
		return append(dst, linesConsecutive)
	case every:
		return binary.AppendUvarint(append(dst, linesEvery), uint64(gap))
	}
	dst = append(dst, linesGaps)
	for i := 1; i < n; i++ {
		dst = binary.AppendUvarint(dst, uint64(offsets[i]-offsets[i-1]))
	}
	return dst
}

// appendFloatColumn appends column j of vals (n results of units
// values each); ms is scratch space for n integers.
func appendFloatColumn(dst []byte, n, units, j int, vals []float64, ms []int64) []byte {
	first := vals[j]
	equal := true
	k := 0
	for i := range n {
		f := vals[i*units+j]
		if math.Float64bits(f) != math.Float64bits(first) {
			equal = false
		}
		if k >= 0 {
			if _, ok := toDecimal(f, k); !ok {
				if kf := decimalScale(f); kf > k {
					k = kf
				} else {
					k = -1 // not a decimal at any scale (kf < 0)
				}
			}
		}
	}
	if k >= 0 {
		for i := range n {
			m, ok := toDecimal(vals[i*units+j], k)
			if !ok {
				k = -1
				break
			}
			ms[i] = m
		}
	}
	switch {
	case k >= 0 && equal:
		return binary.AppendVarint(append(dst, colEqual, byte(k)), ms[0])
	case k >= 0:
		dst = binary.AppendVarint(append(dst, colDeltas, byte(k)), ms[0])
		for i := 1; i < n; i++ {
			dst = binary.AppendVarint(dst, ms[i]-ms[i-1])
		}
		return dst
	case equal:
		return binary.LittleEndian.AppendUint64(append(dst, colRawEqual), math.Float64bits(first))
	}
	dst = append(dst, colRaw)
	for i := range n {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(vals[i*units+j]))
	}
	return dst
}

var errBlock = errors.New("bad value block")

// maxBlockResults bounds n and units as decode reads them, so that a
// damaged block cannot ask for a huge allocation.
const maxBlockResults = 1 << 20

// decode reads a value block into b.
func (b *block) decode(data []byte) error {
	d := blockDecoder{data: data}
	if v := d.byte(); v != blockVersion {
		return fmt.Errorf("%w: version %d", errBlock, v)
	}
	n, units := d.uvarint(), d.uvarint()
	if d.err != nil || n < 1 || n > maxBlockResults || units > maxBlockResults || n*units > maxBlockResults {
		return fmt.Errorf("%w: %d results of %d values", errBlock, n, units)
	}
	b.n, b.units = int(n), int(units)
	b.iters = b.iters[:0]
	switch d.byte() {
	case colEqual:
		x := d.varint()
		for range b.n {
			b.iters = append(b.iters, x)
		}
	case colDeltas:
		x := d.varint()
		b.iters = append(b.iters, x)
		for i := 1; i < b.n; i++ {
			x += d.varint()
			b.iters = append(b.iters, x)
		}
	default:
		d.fail()
	}
	b.offsets = b.offsets[:0]
	switch d.byte() {
	case linesConsecutive:
		b.offsets = nil
	case linesEvery:
		gap := d.uvarint()
		if gap < 1 || gap > math.MaxInt32 {
			d.fail()
		}
		for i := range b.n {
			b.offsets = append(b.offsets, i*int(gap))
		}
	case linesGaps:
		off := 0
		b.offsets = append(b.offsets, 0)
		for i := 1; i < b.n; i++ {
			gap := d.uvarint()
			if gap < 1 || gap > math.MaxInt32 {
				d.fail()
			}
			off += int(gap)
			b.offsets = append(b.offsets, off)
		}
	default:
		d.fail()
	}
	if cap(b.vals) < b.n*b.units {
		b.vals = make([]float64, b.n*b.units)
	}
	b.vals = b.vals[:b.n*b.units]
	d.columns(b.n, b.units, b.vals)
	if d.err == nil && len(d.data) != 0 {
		d.fail()
	}
	if d.err != nil {
		return d.err
	}
	if len(b.iters) != b.n {
		return errBlock
	}
	return nil
}

// columns reads units value columns of n results into vals (n*units
// values, result by result), as appendColumns wrote them.
func (d *blockDecoder) columns(n, units int, vals []float64) {
	for j := 0; j < units && d.err == nil; j++ {
		switch d.byte() {
		case colEqual:
			k := int(d.byte())
			if k > maxScale {
				d.fail()
				break
			}
			f := fromDecimal(d.varint(), k)
			for i := range n {
				vals[i*units+j] = f
			}
		case colDeltas:
			k := int(d.byte())
			if k > maxScale {
				d.fail()
				break
			}
			m := d.varint()
			vals[j] = fromDecimal(m, k)
			for i := 1; i < n; i++ {
				m += d.varint()
				vals[i*units+j] = fromDecimal(m, k)
			}
		case colRaw:
			for i := range n {
				vals[i*units+j] = math.Float64frombits(d.uint64())
			}
		case colRawEqual:
			f := math.Float64frombits(d.uint64())
			for i := range n {
				vals[i*units+j] = f
			}
		default:
			d.fail()
		}
	}
}

// A blockDecoder reads a value block; the first error sticks.
type blockDecoder struct {
	data []byte
	err  error
}

func (d *blockDecoder) fail() {
	if d.err == nil {
		d.err = errBlock
	}
	d.data = nil
}

func (d *blockDecoder) byte() byte {
	if len(d.data) == 0 {
		d.fail()
		return 0xff
	}
	c := d.data[0]
	d.data = d.data[1:]
	return c
}

func (d *blockDecoder) uvarint() uint64 {
	x, k := binary.Uvarint(d.data)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[k:]
	return x
}

func (d *blockDecoder) varint() int64 {
	x, k := binary.Varint(d.data)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[k:]
	return x
}

func (d *blockDecoder) uint64() uint64 {
	if len(d.data) < 8 {
		d.fail()
		return 0
	}
	x := binary.LittleEndian.Uint64(d.data)
	d.data = d.data[8:]
	return x
}
