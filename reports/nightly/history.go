package nightly

import (
	"context"
	"fmt"
	"io"
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
	// with a t test against their night-to-night noise at
	// Options.ChangeAlpha, wild single nights left out), with the
	// benchmark's own noise alone.
	ChangePoints []int
}

// Histories reads src and returns the history of every benchmark whose
// package and full name match accepts, in every series where it ran, one
// History per series and benchmark (package, full name and unit), sorted
// by series key, package, name and unit.
// Series are formed as Build forms them (Options.Series). Only the
// matching results are kept in memory.
func Histories(ctx context.Context, src Source, opt Options, match func(pkg, name string) bool) ([]*History, error) {
	opt = opt.withDefaults()
	_, order, _, err := readHistories(ctx, src, opt, match)
	if err != nil {
		return nil, err
	}
	out := make([]*History, 0, len(order))
	for _, h := range order {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cps := historyChangePoints(h, opt.ChangeAlpha)
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
