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

func appendFloat(b []byte, v benchfmt.Value) []byte {
	f, _ := origValue(v)
	return appendNumber(b, f)
}

// appendNumber appends f as a JSON number (JSON5 for NaN and the
// infinities), in the shortest form that reads back as f.
func appendNumber(b []byte, f float64) []byte {
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
