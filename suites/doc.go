// Package suites is the registry of benchdb's benchmark suites and the
// version profiles they run under.
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
// A Profile bundles the choices one runtime version made (how a worker
// is selected, how protocols dispatch, how the code server is asked, how
// a call's reply is received). Profiles are data: they are read from the
// embedded profiles.json at init, and adding one needs no new code.
// NewPicker turns a profile into the worker picker the selection suite
// and the end-to-end scenario both use.
//
// The package builds on mailbox, dispatch and rng; it knows nothing of
// the store.
package suites
