package nightly

import (
	"fmt"
	"math"
	"strings"

	"github.com/benchdb/benchdb/internal/mathx"
	"golang.org/x/perf/benchunit"
)

// Chart sizes, in SVG user units.
const (
	chartW, chartH = 640, 180
	padL, padR     = 64, 12
	padT, padB     = 12, 28
	// maxChartRuns is how many of the newest runs a chart shows.
	maxChartRuns = 120
)

// A chart is the geometry of one inline SVG history chart, ready for the
// template (which escapes every string in it).
type chart struct {
	W, H int
	// Title describes the chart for screen readers.
	Title string
	// Band is the polygon of the confidence band, Line the polyline of
	// the medians, both as "x,y x,y ...".
	Band, Line string
	Dots       []dot
	// Change is the x of the change point marker (negative: none);
	// ChangeLabel its label.
	Change      float64
	ChangeLabel string
	// Marks are the x of the other change points found.
	Marks         []float64
	YTicks        []tick
	XFirst, XLast string
	// PlotL, PlotR, PlotT, PlotB are the plot area's edges.
	PlotL, PlotR, PlotT, PlotB float64

	n      int
	lo, hi float64
}

type dot struct {
	X, Y  float64
	Title string
}

type tick struct {
	Y     float64
	Label string
}

// historyChart draws the newest runs of a change's history.
func historyChart(c *Change) chart {
	hist := c.History
	first := max(0, len(hist)-maxChartRuns)
	// Keep the baseline in view.
	first = min(first, max(0, c.ChangeIndex-c.Baseline))
	hist = hist[first:]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range hist {
		lo, hi = min(lo, p.Lo, p.Median), max(hi, p.Hi, p.Median)
	}
	cls := benchunit.ClassOf(c.Unit)
	ch := newChart(len(hist), lo, hi, func(v float64) string {
		return benchunit.Scale(v, cls)
	})
	ch.Title = fmt.Sprintf("History of %s (%s) in %s: median per run with its confidence band", c.Name, c.Unit, c.Series.Key())
	var band, line strings.Builder
	for i, p := range hist {
		x, y := ch.x(i), ch.y(p.Median)
		fmt.Fprintf(&line, "%.1f,%.1f ", x, y)
		fmt.Fprintf(&band, "%.1f,%.1f ", x, ch.y(p.Hi))
		ch.Dots = append(ch.Dots, dot{X: x, Y: y, Title: fmt.Sprintf("run %d, %s: %s %s (n=%d)",
			p.Run.ID, p.Run.Time.UTC().Format("2006-01-02 15:04"), benchunit.Scale(p.Median, cls), c.Unit, p.N)})
	}
	for i := len(hist) - 1; i >= 0; i-- {
		fmt.Fprintf(&band, "%.1f,%.1f ", ch.x(i), ch.y(hist[i].Lo))
	}
	ch.Band, ch.Line = strings.TrimSpace(band.String()), strings.TrimSpace(line.String())
	ch.Change = (ch.x(c.ChangeIndex-first) + ch.x(c.ChangeIndex-first-1)) / 2
	ch.ChangeLabel = fmt.Sprintf("run %d", c.Change.ID)
	for _, cp := range c.ChangePoints {
		if cp != c.ChangeIndex && cp > first {
			ch.Marks = append(ch.Marks, (ch.x(cp-first)+ch.x(cp-first-1))/2)
		}
	}
	ch.XFirst = hist[0].Run.Time.UTC().Format("2006-01-02")
	ch.XLast = hist[len(hist)-1].Run.Time.UTC().Format("2006-01-02")
	return ch
}

// trendChart draws a series' geomean trend, in percent of its typical
// level.
func trendChart(s *Series) chart {
	return ratioChart(s, s.Geomean, fmt.Sprintf("Geomean trend of %s: each run against each benchmark's typical level (up is worse)", s.Key()))
}

// machineChart draws the machine's speed per run of a series, from the
// calibration probe, in percent of its typical time.
func machineChart(s *Series) chart {
	return ratioChart(s, s.Machine, fmt.Sprintf("Machine speed of %s: the calibration probe's time against its typical level (up is slower)", s.Key()))
}

// finiteCount returns how many values of v are finite.
func finiteCount(v []float64) int {
	n := 0
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			n++
		}
	}
	return n
}

// ratioChart draws ratios to a typical level, one per run of s, in
// percent; NaN values are left out.
func ratioChart(s *Series, g []float64, title string) chart {
	first := max(0, len(g)-maxChartRuns)
	g = g[first:]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range g {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 1, 1
	}
	ch := newChart(len(g), lo, hi, func(v float64) string { return mathx.Pct(100 * (v - 1)) })
	ch.Title = title
	var line strings.Builder
	for i, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		x, y := ch.x(i), ch.y(v)
		fmt.Fprintf(&line, "%.1f,%.1f ", x, y)
		r := s.Runs[first+i]
		ch.Dots = append(ch.Dots, dot{X: x, Y: y, Title: fmt.Sprintf("run %d, %s: %+.2f%%", r.ID, r.Time.UTC().Format("2006-01-02 15:04"), 100*(v-1))})
	}
	ch.Line = strings.TrimSpace(line.String())
	ch.Change = -1
	ch.XFirst = s.Runs[first].Time.UTC().Format("2006-01-02")
	ch.XLast = s.Runs[len(s.Runs)-1].Time.UTC().Format("2006-01-02")
	return ch
}

// newChart sets up the axes of a chart of n points between lo and hi.
func newChart(n int, lo, hi float64, label func(float64) string) chart {
	if !(hi > lo) {
		lo, hi = lo*0.99, hi*1.01
		if lo == hi {
			lo, hi = lo-1, hi+1
		}
	}
	pad := (hi - lo) * 0.08
	lo, hi = lo-pad, hi+pad
	ch := chart{W: chartW, H: chartH, PlotL: padL, PlotR: chartW - padR, PlotT: padT, PlotB: chartH - padB, Change: -1}
	ch.n, ch.lo, ch.hi = n, lo, hi
	for i := range 4 {
		v := lo + (hi-lo)*float64(i)/3
		ch.YTicks = append(ch.YTicks, tick{Y: ch.y(v), Label: label(v)})
	}
	return ch
}

func (c *chart) x(i int) float64 {
	if c.n <= 1 {
		return (c.PlotL + c.PlotR) / 2
	}
	return c.PlotL + (c.PlotR-c.PlotL)*float64(i)/float64(c.n-1)
}

func (c *chart) y(v float64) float64 {
	v = min(max(v, c.lo), c.hi) // clip infinite bands
	return c.PlotB - (c.PlotB-c.PlotT)*(v-c.lo)/(c.hi-c.lo)
}
