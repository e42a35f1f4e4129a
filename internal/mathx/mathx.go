// Package mathx holds the few numeric helpers that several of benchdb's
// packages need and no package of theirs owns: the median of sorted
// values, and finite values as JSON numbers.
//
// Statistics proper (tests, intervals, estimators) live with the
// packages that use them, or come from golang.org/x/perf/benchmath.
package mathx

import "math"

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
