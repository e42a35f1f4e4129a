// Package benchgen writes synthetic `go test -bench` output of a given
// size, for the store's benchmarks and for measuring ingest by hand.
package benchgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Options shape the generated output.
type Options struct {
	// Lines is the number of result lines.
	Lines int
	// Count is the number of consecutive repetitions of each benchmark,
	// as `go test -count` gives them.
	Count int
	// Seed seeds the random values.
	Seed uint64
	// Shape is how results are laid out (Shape* constants); "" is
	// ShapeGrouped.
	Shape string
	// Benchmarks is the number of distinct benchmarks ShapeInterleaved
	// cycles through (default 200).
	Benchmarks int
}

// Shapes of generated output.
const (
	// ShapeGrouped: each benchmark's Count repetitions in a row.
	ShapeGrouped = "grouped"
	// ShapeInterleaved: Benchmarks benchmarks one after the other, the
	// whole list repeated (a loop of go test -count 1 runs).
	ShapeInterleaved = "interleaved"
	// ShapeConfigChurn: a new configuration key before every result.
	ShapeConfigChurn = "config-churn"
	// ShapeConfigChange: one configuration key takes a new value before
	// every result.
	ShapeConfigChange = "config-change"
	// ShapeDistinct: every result line a benchmark of its own.
	ShapeDistinct = "distinct"
)

// Write writes opts.Lines result lines, each with ns/op, B/op and
// allocs/op, under goos, goarch, pkg and cpu configuration lines, in
// packages of 10000 lines.
func Write(w io.Writer, opts Options) error {
	if opts.Count <= 0 {
		opts.Count = 10
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rng := rand.New(rand.NewPCG(opts.Seed, 0))
	fmt.Fprintf(bw, "goos: linux\ngoarch: amd64\ncpu: Generated CPU @ 3.00GHz\n")
	if opts.Benchmarks <= 0 {
		opts.Benchmarks = 200
	}
	for i := range opts.Lines {
		if i%10000 == 0 {
			fmt.Fprintf(bw, "pkg: example.com/gen/p%d\n", i/10000)
		}
		bench := i / opts.Count
		switch opts.Shape {
		case "", ShapeGrouped:
		case ShapeInterleaved:
			bench = i % opts.Benchmarks
		case ShapeConfigChurn:
			bench = i % opts.Benchmarks
			fmt.Fprintf(bw, "key%d: v%d\n", i, i)
		case ShapeConfigChange:
			bench = i % opts.Benchmarks
			fmt.Fprintf(bw, "iteration: %d\n", i)
		case ShapeDistinct:
			bench = i
		default:
			return fmt.Errorf("benchgen: unknown shape %q", opts.Shape)
		}
		base := float64(100 + (bench*7919)%100000)
		ns := base * (1 + 0.05*rng.NormFloat64())
		fmt.Fprintf(bw, "BenchmarkGen/case=%d/size=%d-8 \t%8d\t%12.1f ns/op\t%8d B/op\t%6d allocs/op\n",
			bench, 1<<(bench%16), 1000000000/int(base+1), ns, (bench%64)*16, bench%8)
	}
	if _, err := fmt.Fprintf(bw, "PASS\nok  \texample.com/gen\t1.000s\n"); err != nil {
		return err
	}
	return bw.Flush()
}
