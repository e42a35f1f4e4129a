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
// The package imports only the standard library. It does not parse results
// beyond recognising result lines (golang.org/x/perf/benchfmt does that in
// the store), and it knows nothing of benchdb's suites or store: Matches and
// SkipValues work on plain benchmark names and `key=value` levels.
package runner
