package nightly

import (
	"math"
	"math/rand/v2"
	"slices"
)

// changePoints finds the points where the level of x changes, by binary
// segmentation. A segment is split where the standardised difference of
// the means of its two parts,
//
//	|mean(x[:t]) - mean(x[t:])| / sqrt(1/t + 1/(n-t)),
//
// is largest, when a permutation test with perms shuffles of the segment
// gives that maximum a p-value at most alpha; each part is then searched
// again. Both parts are at least minSeg long. This is E-divisive with
// means (energy distance with exponent 2) for one dimension, whose
// statistic reduces to the difference of means.
//
// The values of each segment are first winsorised to its median plus or
// minus five robust standard deviations, so that one wild value neither
// makes nor hides a change. The result holds the sorted indices i where a new level starts
// at x[i]. rng drives the permutations.
func changePoints(x []float64, alpha float64, perms, minSeg int, rng *rand.Rand) []int {
	var cps []int
	type seg struct{ lo, hi int }
	stack := []seg{{0, len(x)}}
	shuf := make([]float64, len(x))
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := s.hi - s.lo
		if n < 2*minSeg {
			continue
		}
		v := winsorize(x[s.lo:s.hi], 5)
		stat, at := maxSplit(v, minSeg)
		if stat <= 1e-12 {
			continue
		}
		// Permutation test; stop as soon as the p-value cannot reach alpha.
		limit := int(alpha*float64(perms+1)+1e-9) - 1 // exceedances allowed
		exceed := 0
		sh := shuf[:n]
		copy(sh, v)
		for range perms {
			rng.Shuffle(n, func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
			if st, _ := maxSplit(sh, minSeg); st >= stat {
				exceed++
				if exceed > limit {
					break
				}
			}
		}
		if exceed > limit {
			continue
		}
		cp := s.lo + at
		cps = append(cps, cp)
		stack = append(stack, seg{s.lo, cp}, seg{cp, s.hi})
	}
	slices.Sort(cps)
	return cps
}

// maxSplit returns the largest standardised difference of means over the
// splits of v with at least minSeg values on each side, and the split.
func maxSplit(v []float64, minSeg int) (float64, int) {
	n := len(v)
	total := 0.0
	for _, x := range v {
		total += x
	}
	sum := 0.0
	best, at := 0.0, 0
	for t := 1; t <= n-minSeg; t++ {
		sum += v[t-1]
		if t < minSeg {
			continue
		}
		l, r := float64(t), float64(n-t)
		d := math.Abs(sum/l-(total-sum)/r) / math.Sqrt(1/l+1/r)
		if d > best {
			best, at = d, t
		}
	}
	return best, at
}

// winsorize returns a copy of x with values farther than k robust standard
// deviations from the median moved to that limit.
func winsorize(x []float64, k float64) []float64 {
	med := median(sortedCopy(x))
	sd := robustSD(x)
	w := slices.Clone(x)
	if sd == 0 {
		return w
	}
	for i, v := range w {
		w[i] = min(max(v, med-k*sd), med+k*sd)
	}
	return w
}
