package runner

import (
	"time"
)

// A Result is what a run produced. Output holds only what finished: for a
// package that failed, its output up to its last complete result line.
type Result struct {
	// Output is the benchmark output in the Go benchmark format.
	Output []byte
	// Results is the number of result lines in Output.
	Results int
	// Packages describes each package, in the order go test reported
	// them.
	Packages []Package
	// Complete reports whether every package built and passed, the run
	// was neither cancelled nor timed out, and go test exited cleanly.
	Complete bool
	// Elapsed is the run's wall time.
	Elapsed time.Duration
	// Command is the go test command line that ran.
	Command []string
	// Warnings describe output lines that Output holds changed or not at
	// all (see MaxLineBytes); the results are unaffected.
	Warnings []string
	// Stretch is, for each package whose test binary RunProbed followed,
	// how much waiting for a CPU stretched its threads' running time:
	// (run + wait) / run (see TaskClock), one value per process that
	// ran it (Config.Processes). Nil from Run, and where the scheduler's
	// statistics are not there.
	Stretch map[string][]float64
	// BenchStretch is the same per benchmark, by package and then
	// benchmark (as go test names it when it starts it, Benchmark prefix
	// included): what the package's threads did while it ran.
	BenchStretch map[string]map[string][]float64
}

// MaxLineBytes is the longest output line, without its newline, that
// Result.Output holds: the store's limit (store.MaxLineLength). A longer
// log line is cut to this length, ending in a note of how much was cut;
// a result line that long, which no reader of the benchmark format
// takes, is left out. Either way Result.Warnings says so, and the run's
// other lines and results are kept. Log lines (not results) with NUL
// bytes or bytes that are not UTF-8 have them replaced by U+FFFD, for
// the same reason.
const MaxLineBytes = 64<<10 - 1

// Package is the outcome of one package.
type Package struct {
	// Path is the import path.
	Path string
	// Status is "pass", "fail", "build-failed", "skip" (no test files)
	// or "incomplete" (still running when the run stopped).
	Status string
	// Results is the number of result lines the package printed.
	Results int
}
