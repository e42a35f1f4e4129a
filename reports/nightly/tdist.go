package nightly

import "math"

// tSF returns the upper tail probability P(T > t) of Student's t
// distribution with nu degrees of freedom (nu > 0, not necessarily whole).
func tSF(t, nu float64) float64 {
	if math.IsNaN(t) {
		return math.NaN()
	}
	if math.IsInf(t, 1) {
		return 0
	}
	if math.IsInf(t, -1) {
		return 1
	}
	p := 0.5 * betaInc(nu/2, 0.5, nu/(nu+t*t))
	if t < 0 {
		return 1 - p
	}
	return p
}

// tTwoSided returns the two-sided p-value of a t statistic.
func tTwoSided(t, nu float64) float64 { return min(1, 2*tSF(math.Abs(t), nu)) }

// tInv returns the t with P(T > t) = p for Student's t with nu degrees of
// freedom, 0 < p < 1, by bisection on tSF (to a relative precision of
// about 1e-10).
func tInv(p, nu float64) float64 {
	if p == 0.5 {
		return 0
	}
	if p > 0.5 {
		return -tInv(1-p, nu)
	}
	lo, hi := 0.0, 1.0
	for tSF(hi, nu) > p {
		lo, hi = hi, 2*hi
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for range 100 {
		mid := (lo + hi) / 2
		if tSF(mid, nu) > p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-10*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// betaInc returns the regularized incomplete beta function I_x(a, b), by
// its continued fraction (modified Lentz's method), using the symmetry
// I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
func betaInc(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

// betaCF evaluates the continued fraction of the incomplete beta function.
func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		// Even step.
		num := fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm))
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		// Odd step.
		num = -(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1))
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-14 {
			break
		}
	}
	return h
}

// digamma returns the digamma function of x > 0.
func digamma(x float64) float64 {
	r := 0.0
	for x < 6 {
		r -= 1 / x
		x++
	}
	f := 1 / (x * x)
	return r + math.Log(x) - 0.5/x - f*(1.0/12-f*(1.0/120-f*(1.0/252-f*(1.0/240-f/132))))
}

// trigamma returns the trigamma function of x > 0.
func trigamma(x float64) float64 {
	r := 0.0
	for x < 6 {
		r += 1 / (x * x)
		x++
	}
	f := 1 / (x * x)
	return r + 1/x + f/2 + f/x*(1.0/6-f*(1.0/30-f*(1.0/42-f/30)))
}

// trigammaInv returns the x > 0 with trigamma(x) = y > 0, by bisection.
func trigammaInv(y float64) float64 {
	lo, hi := 1e-6, 1e6
	for range 200 {
		mid := math.Sqrt(lo * hi)
		if trigamma(mid) > y {
			lo = mid
		} else {
			hi = mid
		}
		if hi/lo < 1+1e-10 {
			break
		}
	}
	return math.Sqrt(lo * hi)
}

// maxPriorDF and minPriorDF bound the prior's degrees of freedom: the
// benchmarks of a series are never taken to share one noise exactly, and
// always share some of it (the machine's); with few nights the scatter of
// their own estimates says little either way.
const (
	maxPriorDF = 40
	minPriorDF = 4
)

// fitPrior estimates, by the empirical Bayes method of limma (Smyth
// 2004), the typical noise of a series' benchmarks and how much it is
// worth: from the benchmarks' own noise estimates sds with degrees of
// freedom dfs, it returns the prior standard deviation s0 and its degrees
// of freedom d0. When the estimates scatter no more than sampling alone
// explains, the benchmarks share one noise (the machine's) and d0 is
// large (maxPriorDF); when they scatter more, d0 is small (minPriorDF)
// and each benchmark keeps mostly its own estimate.
func fitPrior(sds, dfs []float64) (s0, d0 float64) {
	var z, tg []float64
	for i, sd := range sds {
		if sd <= 0 || dfs[i] <= 0 {
			continue
		}
		z = append(z, math.Log(sd*sd)-digamma(dfs[i]/2)+math.Log(dfs[i]/2))
		tg = append(tg, trigamma(dfs[i]/2))
	}
	if len(z) < 3 {
		return 0, 0
	}
	mean, mtg := 0.0, 0.0
	for i := range z {
		mean += z[i]
		mtg += tg[i]
	}
	mean /= float64(len(z))
	mtg /= float64(len(z))
	v := 0.0
	for _, x := range z {
		v += (x - mean) * (x - mean)
	}
	v /= float64(len(z) - 1)
	if excess := v - mtg; excess > 0 {
		d0 = max(min(2*trigammaInv(excess), maxPriorDF), minPriorDF)
	} else {
		d0 = maxPriorDF
	}
	s0 = math.Sqrt(math.Exp(mean + digamma(d0/2) - math.Log(d0/2)))
	return s0, d0
}

// fitPriorTrend is fitPrior with a trend, as in limma-trend: the prior
// noise of each benchmark is a power of its within-run floor,
// s0_i = exp(a) * floor_i^b with b in [0, 1], fitted by least squares on
// the same log-variance scale fitPrior uses. b = 0 is fitPrior (one
// noise for all); b = 1 says the night multiplies the within-run spread
// by one common ratio. Benchmarks run side by side differ in their noise
// by a factor of five or more, and their within-run spread tells much of
// it, not all: the fit takes as much of the floor as the data show. It
// returns a, b and d0; with fewer than four usable estimates, or floors
// that do not differ, it returns fitPrior's answer with b = 0.
func fitPriorTrend(sds, floors, dfs []float64) (a, b, d0 float64) {
	var z, x, tg []float64
	for i, sd := range sds {
		if sd <= 0 || dfs[i] <= 0 || floors[i] <= 0 {
			continue
		}
		z = append(z, math.Log(sd*sd)-digamma(dfs[i]/2)+math.Log(dfs[i]/2))
		x = append(x, math.Log(floors[i]*floors[i]))
		tg = append(tg, trigamma(dfs[i]/2))
	}
	n := float64(len(z))
	var mx, mz, mtg float64
	for i := range z {
		mx += x[i]
		mz += z[i]
		mtg += tg[i]
	}
	if len(z) < 4 {
		s0, d0 := fitPrior(sds, dfs)
		if s0 <= 0 {
			return 0, 0, 0
		}
		return math.Log(s0), 0, d0
	}
	mx, mz, mtg = mx/n, mz/n, mtg/n
	var sxx, sxz float64
	for i := range z {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxz += (x[i] - mx) * (z[i] - mz)
	}
	if sxx > 1e-12 {
		b = min(max(sxz/sxx, 0), 1) // on the variance scale: the sd's power
	}
	v := 0.0
	for i := range z {
		e := z[i] - mz - b*(x[i]-mx)
		v += e * e
	}
	v /= n - 2
	if excess := v - mtg; excess > 0 {
		d0 = max(min(2*trigammaInv(excess), maxPriorDF), minPriorDF)
	} else {
		d0 = maxPriorDF
	}
	// log s0_i^2 = mz - b*mx + b*x_i + digamma(d0/2) - log(d0/2)
	a = (mz - b*mx + digamma(d0/2) - math.Log(d0/2)) / 2
	return a, b, d0
}

// priorAt returns the prior noise of a benchmark with the given floor
// under a fitPriorTrend fit.
func priorAt(a, b, floor float64) float64 {
	return math.Exp(a + b*math.Log(floor))
}
