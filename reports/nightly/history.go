package nightly

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"golang.org/x/perf/benchfmt"
)

// A History is one benchmark's history in one series, with the change
// points found in it: what the team server's history page draws.
type History struct {
	Benchmark
	Series *Series
	// Points are the benchmark's runs in the series, oldest first.
	Points []Point
	// ChangePoints are the indices of Points where a new level starts,
	// found as Build finds them (binary segmentation of the run levels
	// with a permutation test at Options.ChangeAlpha).
	ChangePoints []int
}

// Histories reads src and returns the history of every benchmark whose
// package and full name match accepts, in every series where it ran, one
// History per series and unit, sorted by series key and then unit.
// Series are formed as Build forms them (Options.Series). Only the
// matching results are kept in memory.
func Histories(ctx context.Context, src Source, opt Options, match func(pkg, name string) bool) ([]*History, error) {
	opt = opt.withDefaults()
	runs, err := src.Runs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	sorted := slices.Clone(runs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	seriesOf := make(map[int64]*Series, len(sorted))
	runIndex := make(map[int64]int, len(sorted))
	byKey := map[string]*Series{}
	ids := make([]int64, len(sorted))
	for i, r := range sorted {
		ids[i] = r.ID
		labels := map[string]string{}
		for _, k := range opt.Series {
			if v, ok := r.Labels[k]; ok {
				labels[k] = v
			} else if v, ok := r.Config[k]; ok {
				labels[k] = v
			}
		}
		s := &Series{Labels: labels}
		s.key = s.Key()
		if old, ok := byKey[s.key]; ok {
			s = old
		} else {
			byKey[s.key] = s
		}
		runIndex[r.ID] = len(s.Runs)
		s.Runs = append(s.Runs, r)
		seriesOf[r.ID] = s
	}

	type hkey struct {
		s    *Series
		unit string
	}
	hist := map[hkey]*history{}
	var order []*history
	err = src.Results(ctx, ids, func(id int64, r *benchfmt.Result) error {
		s := seriesOf[id]
		if s == nil {
			return nil
		}
		pkg, name := r.GetConfig("pkg"), string(r.Name.Full())
		if !match(pkg, name) {
			return nil
		}
		ri := runIndex[id]
		for _, v := range r.Values {
			if !(v.Value >= 0) || math.IsInf(v.Value, 0) {
				continue
			}
			k := hkey{s, v.Unit}
			h := hist[k]
			if h == nil {
				h = &history{bench: Benchmark{pkg, name, v.Unit}, series: s}
				hist[k] = h
				order = append(order, h)
			}
			if n := len(h.runs); n == 0 || h.runs[n-1] != ri {
				h.runs = append(h.runs, ri)
				h.samples = append(h.samples, nil)
			}
			h.samples[len(h.samples)-1] = append(h.samples[len(h.samples)-1], v.Value)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.series.Key() != b.series.Key() {
			return a.series.Key() < b.series.Key()
		}
		if a.bench.Package != b.bench.Package {
			return a.bench.Package < b.bench.Package
		}
		if a.bench.Name != b.bench.Name {
			return a.bench.Name < b.bench.Name
		}
		return a.bench.Unit < b.bench.Unit
	})
	out := make([]*History, 0, len(order))
	for _, h := range order {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		h.normalize()
		h.setOffset()
		for _, s := range h.samples {
			slices.Sort(s)
		}
		cps := changePoints(runLevels(h), opt.ChangeAlpha, opt.Permutations, 2, seeded(opt.Seed, h))
		out = append(out, &History{Benchmark: h.bench, Series: h.series, Points: points(h, opt.Confidence), ChangePoints: cps})
	}
	return out, nil
}

// WriteHistoryChart writes h as one inline SVG element, drawn as the HTML
// report draws a change: each run's median with its confidence band, the
// newest change point as a dashed line, earlier ones dotted. Every string
// in it is escaped. h must have at least one point.
func WriteHistoryChart(w io.Writer, h *History) error {
	if len(h.Points) == 0 {
		return fmt.Errorf("history of %s: no points", h.Benchmark)
	}
	c := &Change{Benchmark: h.Benchmark, Series: h.Series, History: h.Points, ChangePoints: h.ChangePoints, ChangeIndex: len(h.Points) - 1}
	if n := len(h.ChangePoints); n > 0 {
		c.ChangeIndex = h.ChangePoints[n-1]
	}
	c.Change = h.Points[c.ChangeIndex].Run
	ch := historyChart(c)
	if len(h.ChangePoints) == 0 {
		ch.Change, ch.ChangeLabel = -1, ""
	}
	return writeChart(w, ch)
}

// WriteChangeChart writes the chart the HTML report draws for c, as one
// inline SVG element.
func WriteChangeChart(w io.Writer, c *Change) error {
	return writeChart(w, historyChart(c))
}

// WriteTrendChart writes the geomean trend chart the HTML report draws
// for s, as one inline SVG element.
func WriteTrendChart(w io.Writer, s *Series) error {
	if len(s.Runs) == 0 || len(s.Geomean) == 0 {
		return fmt.Errorf("trend of %s: no runs", s.Key())
	}
	return writeChart(w, trendChart(s))
}

func writeChart(w io.Writer, ch chart) error {
	if err := htmlTemplate.ExecuteTemplate(w, "chart", ch); err != nil {
		return fmt.Errorf("render chart: %w", err)
	}
	return nil
}
