// Package suites is the registry of benchdb's benchmark suites.
//
// A Suite is one Go package of plain Benchmark functions that `go test
// -bench` runs (benchdb run does exactly that, with the suite's
// ImportPath), whose leaf benchmarks are also listed as (name, func)
// pairs. Suites register themselves from init with Register, the way
// database/sql drivers do; the built-in ones live in the packages below
// this one (suites/receive, suites/protocol, suites/selection) and
// cmd/benchdb blank-imports them. Registry is a type, so tests build
// their own.
//
// The version profiles the suites run under, and the worker Picker, are
// in package profiles. A Benchmark's function takes a *testing.B, so this
// package imports testing: it is the registry of benchmark functions.
// It knows nothing of the store.
package suites
