package nightly

import (
	"math"
	"slices"
	"sort"

	"golang.org/x/perf/benchmath"

	"github.com/benchdb/benchdb/internal/mathx"
)

// uTest returns the two-sided p-value of the Mann-Whitney U test of a
// against b. It does not modify a or b.
func uTest(a, b []float64) float64 {
	th := benchmath.DefaultThresholds
	s1 := benchmath.NewSample(slices.Clone(a), &th)
	s2 := benchmath.NewSample(slices.Clone(b), &th)
	return benchmath.AssumeNothing.Compare(s1, s2).P
}

// normalQuantile returns the p quantile of the standard normal
// distribution.
func normalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// median returns the median of sorted values (mathx.Median).
func median(sorted []float64) float64 { return mathx.Median(sorted) }

// robustCV returns the median absolute deviation of values, scaled to
// estimate the standard deviation of normal data, divided by their median:
// a coefficient of variation that outliers do not inflate. It does not
// modify values.
func robustCV(values []float64) float64 {
	if len(values) < 2 {
		return 0
	}
	s := slices.Clone(values)
	sort.Float64s(s)
	m := median(s)
	for i, v := range s {
		s[i] = math.Abs(v - m)
	}
	sort.Float64s(s)
	if m == 0 {
		return math.Inf(1)
	}
	return 1.4826 * median(s) / math.Abs(m)
}

// robustSD returns the interquartile range of values scaled to estimate
// the standard deviation of normal data. Unlike the median absolute
// deviation, it sees both modes of a bimodal sample of nearly equal
// weights. It does not modify values.
func robustSD(values []float64) float64 {
	if len(values) < 2 {
		return 0
	}
	q := sortedCopy(values)
	return (quantile(q, 0.75) - quantile(q, 0.25)) / 1.349
}

// quantile returns the p quantile of sorted values, interpolating.
func quantile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

// trimmedSD returns the standard deviation of the values within three
// robust standard deviations (robustSD) of their median, scaled to
// estimate the standard deviation of normal data. It is nearly as
// precise as the standard deviation, where the interquartile range
// wastes almost two thirds of the data, yet outliers do not inflate it;
// like the interquartile range it sees both modes of a bimodal sample.
// It does not modify values.
func trimmedSD(values []float64) float64 {
	s0 := robustSD(values)
	med := median(sortedCopy(values))
	var sum, sum2 float64
	n := 0
	for _, v := range values {
		if math.Abs(v-med) <= 3*s0 {
			sum += v
			sum2 += v * v
			n++
		}
	}
	if n < 2 {
		return s0
	}
	m := sum / float64(n)
	// 0.98658 is the standard deviation of a standard normal truncated
	// to [-3, 3].
	return math.Sqrt(max(0, (sum2-float64(n)*m*m)/float64(n-1))) / 0.98658
}
