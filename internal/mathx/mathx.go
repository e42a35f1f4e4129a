// Package mathx holds the few numeric helpers that several of benchdb's
// packages need and no package of theirs owns: the median of sorted
// values, finite values as JSON numbers, and percentages as text.
//
// Statistics proper (tests, intervals, estimators) live with the
// packages that use them, or come from golang.org/x/perf/benchmath.
package mathx

import (
	"fmt"
	"math"
)

// Median returns the median of sorted, which must be sorted in
// increasing order: the middle value, or the mean of the two middle
// values. It is NaN when sorted is empty. It does not change sorted.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Finite returns a pointer to a copy of x, or nil when x is NaN or ±Inf:
// a JSON number, or null, since JSON has neither.
func Finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// Pct formats a percentage with its sign and one decimal ("+12.3%"),
// from a million percent on in three significant digits ("+7.63e+301%",
// so that a hostile stored value cannot make a cell hundreds of digits
// wide), and "n/a" where v is not finite.
func Pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if math.Abs(v) >= 1e6 {
		return fmt.Sprintf("%+.3g%%", v)
	}
	return fmt.Sprintf("%+.1f%%", v)
}
