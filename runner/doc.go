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
// Before a run, NewPlan works out what it will do from a command's
// arguments and flags (benchdb run): the packages, among them the
// built-in suites described to it as Suite values, the -skip pattern that
// keeps some values of a level (KeepValues, over KeyLevels; benchdb run
// --profile), and the number of results it will report (CountMatches, or
// ExpectFromHistory from a stored run with the same arguments). After
// it, Outcomes summarises a benchmark that reports whether it ran away
// (BenchmarkScenario), per value of a level.
//
// The package imports the standard library, x/perf's benchfmt, the store's
// data types (store/storedata, no database driver) for ExpectFromHistory's
// History, and internal helpers (mathx, termsafe). It does not parse the
// output beyond recognising result lines (the store does that), and it
// knows nothing of benchdb's suites registry or store implementation:
// Matches, SkipValues and the planning functions work on plain benchmark
// names, `key=value` levels, Suite descriptions and the History interface.
package runner
