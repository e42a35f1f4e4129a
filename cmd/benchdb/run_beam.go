package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/beam"
	"github.com/benchdb/benchdb/runner"
)

// beamSuite is the --suite name of the BEAM harness: it is not a Go
// package, so it is not in the suites registry (runner.NewPlan gives it
// in Plan.Others); benchdb run runs it with package beam and stores its
// results with the Go suites' in one run.
const beamSuite = "beam"

// runBeamSuite runs BenchmarkReceive/runtime=beam/... count times at
// benchtime (a duration; a count such as 100x runs 100ms) and returns the
// output in the Go benchmark format, or nil with a message on stderr where
// erl is absent.
func runBeamSuite(ctx context.Context, count int, benchtime string, stderr io.Writer) ([]byte, int, error) {
	h, err := beam.Find()
	if errors.Is(err, beam.ErrNoErl) {
		fmt.Fprintf(stderr, "benchdb: suite beam skipped: %v\n", err)
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer h.Close()
	bt, err := time.ParseDuration(benchtime)
	if err != nil {
		bt = 100 * time.Millisecond
	}
	fmt.Fprintf(stderr, "benchdb: running the beam suite with %s (BenchmarkReceive/runtime=beam, depths 0 to 10^6)\n", h.Erl)
	out, err := h.Receive(ctx, beam.ReceiveOptions{Count: count, Benchtime: bt})
	if err != nil {
		return nil, 0, fmt.Errorf("suite beam: %w", err)
	}
	n := 0
	r := benchfmt.NewReader(bytes.NewReader(out), "beam")
	for r.Scan() {
		if _, ok := r.Result().(*benchfmt.Result); ok {
			n++
		}
	}
	return out, n, nil
}

// runBeamOnly is benchdb run for --suite beam alone: no go test.
func runBeamOnly(ctx context.Context, plan *runPlan, stderr io.Writer) (*runner.Result, error) {
	start := time.Now()
	out, n, err := runBeamSuite(ctx, plan.Config.Count, plan.Config.Benchtime, stderr)
	if err != nil {
		return nil, err
	}
	return &runner.Result{Output: out, Results: n, Complete: true, Elapsed: time.Since(start),
		Packages: []runner.Package{{Path: beam.ReceivePackage}}}, nil
}
