package storedata

import "golang.org/x/perf/benchfmt"

// A ResultGroup is results of one benchmark of one run that share their
// configuration and their units, as a store hands them out for a
// comparison: a benchmark's -count repetitions, consecutive or
// interleaved with other benchmarks', read at once rather than one
// result at a time.
//
// A reader of groups sees the same results as one that reads result
// by result, in an order that differs only in this: a group comes at
// the place of its first result, carrying the later ones with it.
// Nothing but values comes with those later results (the same name,
// configuration and units), so every name, configuration value and
// unit is first seen at the same place in both orders.
type ResultGroup struct {
	// Config is the configuration in effect for the results, as
	// benchfmt.Reader gives it. It must not be modified; it is valid
	// until the callback that received the group returns.
	Config []benchfmt.Config
	// ConfigGen numbers the configurations of one read: groups with the
	// same ConfigGen have the same Config. A new ConfigGen may still
	// carry an equal Config.
	ConfigGen int
	// Name is the benchmark's name, without the "Benchmark" prefix.
	Name []byte
	// Units holds the unit of each value of a result, tidied as
	// benchfmt.Reader tidies them (sec/op for ns/op), and OrigUnits the
	// unit as written where tidying changed it ("" where it did not).
	Units, OrigUnits []string
	// N is the number of results.
	N int
	// Values holds the results' values, tidied: len(Units) values for
	// each of the N results, result by result.
	Values []float64
}
