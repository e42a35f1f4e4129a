package store

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// origValue returns the value and unit as written in the input.
func origValue(v benchfmt.Value) (float64, string) {
	if v.OrigUnit != "" {
		return v.OrigValue, v.OrigUnit
	}
	return v.Value, v.Unit
}

// appendVals appends the values as a JSON array of numbers, in the
// units of the input. NaN and infinities are written as SQLite's JSON5
// reads them.
func appendVals(b []byte, vals []benchfmt.Value) []byte {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, v)
	}
	return append(b, ']')
}

func appendFloat(b []byte, v benchfmt.Value) []byte {
	f, _ := origValue(v)
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	// Whole numbers below 1e6 (most B/op and allocs/op) are written
	// alike by both; AppendInt is several times cheaper. Negative zero
	// is left to AppendFloat, which keeps its sign.
	if f > -1e6 && f < 1e6 && f == math.Trunc(f) && !(f == 0 && math.Signbit(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

func sameUnits(units []string, vals []benchfmt.Value) bool {
	if len(units) != len(vals) {
		return false
	}
	for i, v := range vals {
		if _, u := origValue(v); u != units[i] {
			return false
		}
	}
	return true
}

// unitsJSON encodes units as a JSON array of strings.
func unitsJSON(units []string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, u := range units {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Quote(u))
	}
	sb.WriteByte(']')
	return sb.String()
}
