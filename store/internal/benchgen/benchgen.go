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
}

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
	for i := range opts.Lines {
		if i%10000 == 0 {
			fmt.Fprintf(bw, "pkg: example.com/gen/p%d\n", i/10000)
		}
		bench := i / opts.Count
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
