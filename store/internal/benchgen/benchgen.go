// Package benchgen writes synthetic `go test -bench` output of a given
// size, for the store's benchmarks and for measuring ingest by hand.
package benchgen

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	// JSON writes the output as `go test -json` does: each line the
	// Output of an "output" event of package example.com/gen.
	JSON bool
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
	var jw *jsonWriter
	if opts.JSON {
		jw = &jsonWriter{w: w}
		w = jw
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
	if err := bw.Flush(); err != nil {
		return err
	}
	if jw != nil {
		return jw.close()
	}
	return nil
}

// A jsonWriter writes each line written to it as the Output of a `go
// test -json` "output" event.
type jsonWriter struct {
	w       io.Writer
	partial []byte
	out     []byte
}

func (j *jsonWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			j.partial = append(j.partial, p...)
			break
		}
		j.partial = append(j.partial, p[:i+1]...)
		p = p[i+1:]
		if err := j.event("output", j.partial); err != nil {
			return 0, err
		}
		j.partial = j.partial[:0]
	}
	return n, nil
}

// event writes one event; output is its Output if action is "output".
func (j *jsonWriter) event(action string, output []byte) error {
	j.out = append(j.out[:0], `{"Time":"2026-01-01T00:00:00Z","Action":"`...)
	j.out = append(j.out, action...)
	j.out = append(j.out, `","Package":"example.com/gen"`...)
	if action == "output" {
		q, err := json.Marshal(string(output))
		if err != nil {
			return err
		}
		j.out = append(append(append(j.out, `,"Output":`...), q...), '}', '\n')
	} else {
		j.out = append(j.out, `,"Elapsed":1}`+"\n"...)
	}
	_, err := j.w.Write(j.out)
	return err
}

// close writes a partial last line, if any, and the "pass" event.
func (j *jsonWriter) close() error {
	if len(j.partial) > 0 {
		if err := j.event("output", j.partial); err != nil {
			return err
		}
	}
	return j.event("pass", nil)
}
