// Package benchcfg compares the configuration of benchmark results
// (benchfmt.Config lists), for the store's export and the reports'
// grouping, which both need to know when a result's configuration is
// that of the one before it.
package benchcfg

import (
	"bytes"
	"slices"

	"golang.org/x/perf/benchfmt"
)

// Equal reports whether a and b hold the same keys with the same values
// and file-level flags, in the same order.
func Equal(a, b []benchfmt.Config) bool {
	return slices.EqualFunc(a, b, func(x, y benchfmt.Config) bool {
		return x.Key == y.Key && x.File == y.File && bytes.Equal(x.Value, y.Value)
	})
}
