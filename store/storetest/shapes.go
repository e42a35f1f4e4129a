package storetest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store/internal/benchgen"
)

// A Shape is one input shape of the speed benchmarks (the store's and
// reports' Shape benchmarks, issue 17): how generated benchmark output
// lays its results out.
type Shape struct {
	Name string
	// Quadratic is set for the shape whose every result has a new
	// configuration key: benchstat's work on it grows with the square
	// of the lines.
	Quadratic bool
	opts      benchgen.Options
}

// Shapes are the input shapes users produce: each benchmark's -count 10
// results in a row; few benchmarks with many samples (-count 1000); many
// benchmarks with one sample each; 200 benchmarks interleaved (a loop of
// go test -count 1); a new configuration key before every result; one
// key changing before every result; and the grouped shape as `go test
// -json` output.
var Shapes = []Shape{
	{Name: "grouped", opts: benchgen.Options{Shape: benchgen.ShapeGrouped, Count: 10}},
	{Name: "few-benchmarks", opts: benchgen.Options{Shape: benchgen.ShapeGrouped, Count: 1000}},
	{Name: "many-benchmarks", opts: benchgen.Options{Shape: benchgen.ShapeDistinct}},
	{Name: "interleaved", opts: benchgen.Options{Shape: benchgen.ShapeInterleaved, Benchmarks: 200}},
	{Name: "config-churn", Quadratic: true, opts: benchgen.Options{Shape: benchgen.ShapeConfigChurn, Benchmarks: 200}},
	{Name: "config-change", opts: benchgen.Options{Shape: benchgen.ShapeConfigChange, Benchmarks: 200}},
	{Name: "json", opts: benchgen.Options{Shape: benchgen.ShapeGrouped, Count: 10, JSON: true}},
}

// Input returns generated output of shape s with lines result lines,
// its values drawn from seed, and the same results as benchmark text:
// the input itself, but for `go test -json` output, which benchstat
// cannot read.
func (s Shape) Input(tb testing.TB, lines int, seed uint64) (input, text []byte) {
	tb.Helper()
	opts := s.opts
	opts.Lines, opts.Seed = lines, seed
	var buf bytes.Buffer
	if err := benchgen.Write(&buf, opts); err != nil {
		tb.Fatal(err)
	}
	if !opts.JSON {
		return buf.Bytes(), buf.Bytes()
	}
	opts.JSON = false
	var tbuf bytes.Buffer
	if err := benchgen.Write(&tbuf, opts); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), tbuf.Bytes()
}

// ShapeLines returns the input sizes of the Shape benchmarks, in result
// lines: $BENCHDB_SHAPE_LINES, comma-separated (such as 1e5,1e6), or
// 10^5.
func ShapeLines(tb testing.TB) []int {
	tb.Helper()
	env := os.Getenv("BENCHDB_SHAPE_LINES")
	if env == "" {
		return []int{100_000}
	}
	var sizes []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || n < 1 || n != float64(int(n)) {
			tb.Fatalf("BENCHDB_SHAPE_LINES: %q is not a number of lines", f)
		}
		sizes = append(sizes, int(n))
	}
	return sizes
}
