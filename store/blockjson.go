package store

// The JSON forms of a block's content: those of schema version 5's
// result_group columns iters, vals and lines, which PostgreSQL stores
// and the SQL functions give SQLite's views.

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// appendItersJSON appends the iteration counts as a JSON array.
func appendItersJSON(dst []byte, iters []int64) []byte {
	dst = append(dst, '[')
	for i, x := range iters {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, x, 10)
	}
	return append(dst, ']')
}

// appendValsJSON appends the values as a JSON array of n arrays of
// units numbers (appendFloat's form).
func appendValsJSON(dst []byte, n, units int, vals []float64) []byte {
	dst = append(dst, '[')
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		for j := range units {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendNumber(dst, vals[i*units+j])
		}
		dst = append(dst, ']')
	}
	return append(dst, ']')
}

// appendLinesJSON appends the line offsets as a JSON array; nil
// offsets (consecutive lines) append nothing: SQL NULL.
func appendLinesJSON(dst []byte, offsets []int) []byte {
	dst = append(dst, '[')
	for i, x := range offsets {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(x), 10)
	}
	return append(dst, ']')
}

// parseJSON reads a row of n results in the JSON form (iters, vals,
// lines; lines nil if consecutive) into b.
func (b *block) parseJSON(n int, iters, vals, lines []byte) error {
	if n < 1 || n > maxBlockResults {
		return fmt.Errorf("bad result group of %d results", n)
	}
	b.n, b.units = n, -1
	var err error
	if b.iters, err = appendJSONInts(b.iters[:0], iters); err != nil || len(b.iters) != n {
		return fmt.Errorf("bad iterations %q", iters)
	}
	b.offsets = b.offsets[:0]
	if lines == nil {
		b.offsets = nil
	} else {
		var offs []int64
		if offs, err = appendJSONInts(nil, lines); err != nil || len(offs) != n || offs[0] != 0 {
			return fmt.Errorf("bad line offsets %q for %d results", lines, n)
		}
		for i, o := range offs {
			if i > 0 && o <= offs[i-1] || o > math.MaxInt32 {
				return fmt.Errorf("bad line offsets %q", lines)
			}
			b.offsets = append(b.offsets, int(o))
		}
	}
	// vals: "[[1,2],[3,4]]".
	if len(vals) < 2 || vals[0] != '[' || vals[len(vals)-1] != ']' {
		return fmt.Errorf("bad values %q", vals)
	}
	rest := vals[1 : len(vals)-1]
	b.vals = b.vals[:0]
	for i := range n {
		if i > 0 {
			if len(rest) == 0 || rest[0] != ',' {
				return fmt.Errorf("bad values %q", vals)
			}
			rest = rest[1:]
		}
		j := 0
		for j < len(rest) && rest[j] != ']' {
			j++
		}
		if len(rest) == 0 || rest[0] != '[' || j == len(rest) {
			return fmt.Errorf("bad values %q", vals)
		}
		before := len(b.vals)
		if j > 1 {
			for _, f := range bytesSplitComma(rest[1:j]) {
				x, err := parseFloat(f)
				if err != nil {
					return fmt.Errorf("bad values %q", vals)
				}
				b.vals = append(b.vals, x)
			}
		}
		if u := len(b.vals) - before; b.units < 0 {
			b.units = u
		} else if u != b.units {
			return fmt.Errorf("bad values %q: results of %d and %d values", vals, b.units, u)
		}
		rest = rest[j+1:]
	}
	if len(rest) != 0 {
		return fmt.Errorf("bad values %q: more than %d results", vals, n)
	}
	return nil
}

// appendJSONInts appends the integers of a JSON array of integers.
func appendJSONInts(dst []int64, b []byte) ([]int64, error) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return dst, errBlock
	}
	if len(b) == 2 {
		return dst, nil
	}
	for _, f := range bytesSplitComma(b[1 : len(b)-1]) {
		x, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return dst, err
		}
		dst = append(dst, x)
	}
	return dst, nil
}

// bytesSplitComma splits b at commas.
func bytesSplitComma(b []byte) [][]byte {
	return bytes.Split(b, []byte{','})
}
