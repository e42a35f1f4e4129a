package reports

import (
	"errors"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// dropNaN returns xs without its NaN values (in place) and their count.
func dropNaN(xs []float64) ([]float64, int) {
	out := xs[:0]
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out, len(xs) - len(out)
}

// Direction reports whether higher (+1) or lower (-1) values of unit are
// better. Unit metadata (`Unit X better=higher|lower`) decides first;
// otherwise rates (units ending in "/s", such as B/s) are higher-better
// and everything else lower-better.
func Direction(unit string, units benchfmt.UnitMetadataMap) int {
	if m := units.Get(unit, "better"); m != nil {
		switch m.Value {
		case "higher":
			return 1
		case "lower":
			return -1
		}
	}
	if strings.HasSuffix(unit, "/s") {
		return 1
	}
	return -1
}

// AdjustBH returns Benjamini-Hochberg adjusted p-values (q-values) for
// ps, in the same order. NaN entries are kept and not counted.
func AdjustBH(ps []float64) []float64 {
	out := make([]float64, len(ps))
	idx := make([]int, 0, len(ps))
	for i, p := range ps {
		out[i] = p
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case ps[a] < ps[b]:
			return -1
		case ps[a] > ps[b]:
			return 1
		}
		return 0
	})
	m := float64(len(idx))
	prev := 1.0
	for k := len(idx) - 1; k >= 0; k-- {
		q := math.Min(prev, ps[idx[k]]*m/float64(k+1))
		out[idx[k]] = q
		prev = q
	}
	return out
}

// GeoMean returns the geometric mean of xs, NaN if xs is empty or holds
// a value <= 0. It computes exactly what benchstat does, so that
// geomean rows agree to the last digit.
func GeoMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := 0.0
	for i, x := range xs {
		if x <= 0 {
			return math.NaN()
		}
		m += (math.Log(x) - m) / float64(i+1)
	}
	return math.Exp(m)
}

// geomean computes the summary row the way benchstat does: the geomean
// of the column's centers, and the geomean of the per-row ratios to the
// baseline (not the ratio of geomeans), warning when the benchmark sets
// differ.
func geomean(t *Table) *Geomean {
	var a geomeanAlloc
	return a.geomean(t)
}

// A geomeanAlloc computes geomean rows for many tables, allocating
// their Geomeans in chunks and reusing its scratch space. Its zero
// value is ready to use.
type geomeanAlloc struct {
	gs              []Geomean
	floats          []float64
	errs            [][]error
	centers, ratios []float64
}

// geomean is geomean(t).
func (a *geomeanAlloc) geomean(t *Table) *Geomean {
	n := len(t.Columns)
	if len(a.gs) == 0 {
		a.gs = make([]Geomean, slabSize)
	}
	if len(a.floats) < 2*n {
		a.floats = make([]float64, max(2*n, slabSize*4))
	}
	if len(a.errs) < n {
		a.errs = make([][]error, max(n, slabSize*2))
	}
	g := &a.gs[0]
	*g = Geomean{Centers: a.floats[:n:n], Pcts: a.floats[n : 2*n : 2*n], Warnings: a.errs[:n:n]}
	a.gs, a.floats, a.errs = a.gs[1:], a.floats[2*n:], a.errs[n:]
	// A cell whose values were all NaN has nothing to contribute: it
	// counts as absent.
	has := func(cell *Cell) bool { return cell != nil && len(cell.Sample.Values) > 0 }
	nBase := 0
	for _, r := range t.Rows {
		if has(r.Cells[0]) {
			nBase++
		}
	}
	for c := range n {
		centers, ratios := a.centers[:0], a.ratios[:0]
		bad := false
		for _, r := range t.Rows {
			cell := r.Cells[c]
			if !has(cell) {
				continue
			}
			centers = append(centers, cell.Summary.Center)
			if c > 0 && has(r.Cells[0]) {
				a, b := cell.Summary.Center, r.Cells[0].Summary.Center
				switch {
				case a == b:
					ratios = append(ratios, 1)
				case b == 0:
					bad = true
					ratios = append(ratios, 0)
				default:
					ratios = append(ratios, a/b)
				}
			}
		}
		if c > 0 && nBase != len(ratios) {
			g.Warnings[c] = append(g.Warnings[c], errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
		}
		g.Centers[c] = GeoMean(centers)
		if math.IsNaN(g.Centers[c]) {
			g.Warnings[c] = append(g.Warnings[c], errors.New("summaries must be >0 to compute geomean"))
		}
		g.Pcts[c] = math.NaN()
		if c > 0 && !bad {
			if r := GeoMean(ratios); math.IsNaN(r) {
				g.Warnings[c] = append(g.Warnings[c], errors.New("ratios must be >0 to compute geomean"))
			} else {
				g.Pcts[c] = (r - 1) * 100
			}
		}
		a.centers, a.ratios = centers, ratios
	}
	return g
}

// unitScaler returns benchunit's common scale for a row's centers.
func unitScaler(r *Row, unit string) benchunit.Scaler {
	var vals []float64
	for _, c := range r.Cells {
		// A cell of NaN values alone has a NaN center that would
		// spoil the scale.
		if c != nil && len(c.Sample.Values) > 0 {
			vals = append(vals, c.Summary.Center)
		}
	}
	return benchunit.CommonScale(vals, benchunit.ClassOf(unit))
}
