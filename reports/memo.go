package reports

import (
	"encoding/binary"
	"math"
	"sync"

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
func rankKey(x1, x2 []float64) (string, bool) {
	buf := make([]byte, 0, 2*(len(x1)+len(x2))+8)
	buf = binary.AppendUvarint(buf, uint64(len(x1)))
	buf = binary.AppendUvarint(buf, uint64(len(x2)))
	i, j, pos, r2 := 0, 0, 0, 0
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
		r2 += c1 * (2*pos + g + 1)
		pos += g
		buf = binary.AppendUvarint(buf, uint64(g))
	}
	buf = binary.AppendUvarint(buf, uint64(r2))
	return string(buf), true
}
