package reports

import (
	"encoding/binary"
	"math"
	"slices"
	"sync"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"
)

// uMemo remembers Mann-Whitney U test results by the rank structure of
// the two samples. The test's p-value (and so benchmath's Comparison,
// warnings included) depends only on the sample sizes, the sizes of the
// groups of tied values in rank order, and the rank sum of the first
// sample; benchmarks with -count 10 repeat those structures constantly,
// so most comparisons are looked up rather than recomputed. Every value
// in the memo was computed by benchmath itself. It is safe for
// concurrent use.
type uMemo struct {
	mu sync.Mutex
	m  map[string]benchmath.Comparison
}

func (u *uMemo) compare(a benchmath.Assumption, s1, s2 *benchmath.Sample) benchmath.Comparison {
	if a != benchmath.AssumeNothing {
		return a.Compare(s1, s2)
	}
	key, ok := rankKey(s1.Values, s2.Values)
	if !ok {
		return a.Compare(s1, s2)
	}
	u.mu.Lock()
	c, hit := u.m[key]
	u.mu.Unlock()
	if hit {
		return c
	}
	c = a.Compare(s1, s2)
	u.mu.Lock()
	u.m[key] = c
	u.mu.Unlock()
	return c
}

// rankKey encodes the rank structure of two sorted samples: their
// sizes, the size of each group of equal values in the merged order,
// and twice the first sample's rank sum (midranks for ties). It reports
// false for samples holding NaN, whose order is undefined.
//
// Where the test is exact (samples no larger than go-moremath's
// MannWhitneyExactLimit, or its MannWhitneyTiesExactLimit when values
// tie), its p-value is the U distribution's, for the sizes and ties,
// at the smaller of U1 and U2: the key holds that (twice) instead of
// the rank sum, so that a sample compared with a mirror image of its
// ranks shares the result. (The normal approximation is not symmetric
// bit for bit, so its key keeps the rank sum.)
func rankKey(x1, x2 []float64) (string, bool) {
	buf := make([]byte, 0, 2*(len(x1)+len(x2))+8)
	buf = binary.AppendUvarint(buf, uint64(len(x1)))
	buf = binary.AppendUvarint(buf, uint64(len(x2)))
	i, j, pos, r2 := 0, 0, 0, 0
	ties := false
	for i < len(x1) || j < len(x2) {
		var v float64
		switch {
		case i == len(x1):
			v = x2[j]
		case j == len(x2):
			v = x1[i]
		default:
			v = min(x1[i], x2[j])
		}
		if math.IsNaN(v) {
			return "", false
		}
		c1, c2 := 0, 0
		for ; i < len(x1) && x1[i] == v; i++ {
			c1++
		}
		for ; j < len(x2) && x2[j] == v; j++ {
			c2++
		}
		if c1+c2 == 0 {
			return "", false // unsorted input
		}
		g := c1 + c2
		ties = ties || g > 1
		r2 += c1 * (2*pos + g + 1)
		pos += g
		buf = binary.AppendUvarint(buf, uint64(g))
	}
	n1, n2 := len(x1), len(x2)
	if !ties && n1 <= stats.MannWhitneyExactLimit && n2 <= stats.MannWhitneyExactLimit ||
		ties && n1 <= stats.MannWhitneyTiesExactLimit && n2 <= stats.MannWhitneyTiesExactLimit {
		// The group sizes end where they sum to n1+n2: the tag
		// cannot be mistaken for one.
		twoU1 := r2 - n1*(n1+1)
		buf = append(buf, 'e')
		buf = binary.AppendUvarint(buf, uint64(min(twoU1, 2*n1*n2-twoU1)))
		return string(buf), true
	}
	buf = append(buf, 'r')
	buf = binary.AppendUvarint(buf, uint64(r2))
	return string(buf), true
}

// summaryMemo computes benchmath's summaries at one confidence level,
// remembering for AssumeNothing (the median and its interval, read at
// order statistics that depend only on the sample size) the order
// statistics of each sample size, and the warning of an unbounded
// interval, whose text depends only on the confidence level: most cells
// of a comparison have one of a few sizes, and building that warning
// with fmt for every small cell was most of the summaries' time. It is
// safe for concurrent use.
type summaryMemo struct {
	conf float64

	mu  sync.Mutex
	cis map[int]stats.QuantileCIResult
	// unbounded is the warning of an interval with an infinite bound,
	// as benchmath wrote it for the first such sample.
	unbounded []error
}

func newSummaryMemo(conf float64) *summaryMemo {
	return &summaryMemo{conf: conf, cis: map[int]stats.QuantileCIResult{}}
}

// summary returns a.Summary(s, m.conf). s must be sorted and hold no
// NaN, as benchmath.NewSample leaves it.
func (m *summaryMemo) summary(a benchmath.Assumption, s *benchmath.Sample) benchmath.Summary {
	if a != benchmath.AssumeNothing || len(s.Values) == 0 {
		return a.Summary(s, m.conf)
	}
	n := len(s.Values)
	m.mu.Lock()
	ci, ok := m.cis[n]
	m.mu.Unlock()
	if !ok {
		// benchmath's own call for the median's interval.
		ci = stats.QuantileCI(n, 0.5, m.conf)
		m.mu.Lock()
		m.cis[n] = ci
		m.mu.Unlock()
	}
	center, lo, hi := ci.SampleCI(stats.Sample{Xs: s.Values, Sorted: true})
	sum := benchmath.Summary{Center: center, Lo: lo, Hi: hi, Confidence: ci.Confidence}
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		m.mu.Lock()
		w := m.unbounded
		m.mu.Unlock()
		if w == nil {
			w = slices.Clip(a.Summary(s, m.conf).Warnings)
			m.mu.Lock()
			m.unbounded = w
			m.mu.Unlock()
		}
		sum.Warnings = w
	}
	return sum
}
