// Package runner runs `go test -bench` on Go packages and collects what a
// benchmark database needs to keep with the output: which benchmarks
// finished, whether the run was complete, and the context it ran in (commit,
// toolchain, machine) as labels.
//
// Run starts one `go test -json` process in its own process group, follows
// its events to report progress (the benchmark running, how many finished of
// how many expected, elapsed time and an estimate), and returns the output in
// the Go benchmark format, as plain `go test -bench` would have printed it.
// A build failure, a failing or panicking benchmark, a timeout or a cancelled
// context comes back as an *Error, together with a Result that holds only the
// benchmarks that finished, so that a caller can decide whether to keep them.
//
// Before a run, KeepValues, KeyLevels and CountMatches plan it over known
// benchmark names: the -skip pattern that keeps some values of a level
// (benchdb run --profile) and the number of leaves it will report. After
// it, Outcomes summarises a benchmark that reports whether it ran away
// (BenchmarkScenario), per value of a level.
//
// The package imports the standard library and, for Outcomes, x/perf's
// benchfmt. It does not parse the output beyond recognising result lines
// (the store does that), and it knows nothing of benchdb's suites or store:
// Matches, SkipValues and the planning functions work on plain benchmark
// names and `key=value` levels.
package runner
