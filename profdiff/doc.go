// Package profdiff explains a benchmark's change in time or allocations
// from two sets of pprof profiles of it, OLD and NEW: which functions'
// flat and cumulative cost per operation grew most, what share of the
// measured change each accounts for, and which call paths lead to them.
//
// Profiles are parsed and merged with github.com/google/pprof/profile.
// Each side's values are divided by the iteration count (b.N) of the
// benchmark runs that wrote its profiles, so that OLD and NEW compare per
// operation even when they ran for different counts. CPU profiles give
// seconds per operation (their cpu/nanoseconds sample type); allocation
// profiles (go test -memprofile) give bytes allocated per operation
// (alloc_space).
//
// Stacks are cut at the benchmark function: frames above it (the testing
// package's, up to testing.(*B).runN; or above the outermost Benchmark*
// function when there is no runN) are dropped, so that paths
// and the icicle graph start where the benchmark starts. Samples with no
// Benchmark* frame (the garbage collector's workers, say) keep their whole
// stack.
//
// A Result renders as text, Markdown, JSON (snake_case fields, seconds and
// bytes) and a self-contained HTML page with an SVG icicle graph of the
// difference. The package knows nothing of the store: the caller reads the
// profiles and the measured costs, and passes them in.
package profdiff
