// Package plot draws the scenario's charts as hand-written SVG: queue
// length over time for each profile (with the pause marked and each
// profile's tipping queue n* as a horizontal line), and the simulated phase
// diagram (rate x pause -> drained or runaway) with the model's T* curve.
//
// It uses no chart library: the charts are few and fixed, and plain SVG
// written with fmt keeps them small, dependency-free and easy to diff. The
// package knows nothing about mailboxes; it draws numbers it is given.
package plot

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// Color returns the colour of the i-th series, from a colour-blind-safe
// set (Okabe and Ito).
func Color(i int) string {
	palette := [...]string{"#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"}
	return palette[i%len(palette)]
}

// Point is one point of a series.
type Point struct{ X, Y float64 }

// Series is one line of a chart.
type Series struct {
	Name   string
	Points []Point
	// Dash draws the line dashed; useful when lines overlap.
	Dash bool
}

// HLine is a horizontal reference line, drawn dashed in the colour of
// the series with the same Index.
type HLine struct {
	Label string
	Y     float64
	Index int // the series whose colour it takes
}

// Band is a shaded span of the x axis, such as a pause.
type Band struct {
	Label  string
	X0, X1 float64
}

// Lines is a line chart. The zero value draws an empty frame.
type Lines struct {
	Title          string
	XLabel, YLabel string
	// XUnit and YUnit format tick labels: "s" for seconds, "" for plain
	// counts (written compactly, as 50k).
	XUnit, YUnit string
	Series       []Series
	HLines       []HLine
	Bands        []Band
}

// Chart geometry, in SVG user units.
const (
	width, height             = 900, 500
	left, right, top, bottom  = 80, 220, 50, 60
	plotWidth, plotHeight     = width - left - right, height - top - bottom
	fontFamily                = "DejaVu Sans, Helvetica, Arial, sans-serif"
	maxPointsPerSeriesDrawing = 4000
)

// WriteSVG writes the chart as a standalone SVG document.
func (c Lines) WriteSVG(w io.Writer) error {
	xmax, ymax := 0.0, 0.0
	for _, s := range c.Series {
		for _, p := range s.Points {
			xmax = math.Max(xmax, p.X)
			ymax = math.Max(ymax, p.Y)
		}
	}
	for _, h := range c.HLines {
		ymax = math.Max(ymax, h.Y)
	}
	for _, b := range c.Bands {
		xmax = math.Max(xmax, b.X1)
	}
	xticks := ticks(xmax)
	yticks := ticks(ymax)
	xmax, ymax = xticks[len(xticks)-1], yticks[len(yticks)-1]
	px := func(x float64) float64 { return left + x/xmax*plotWidth }
	py := func(y float64) float64 { return top + plotHeight - y/ymax*plotHeight }

	var b strings.Builder
	header(&b, width, height, c.Title)
	for _, band := range c.Bands {
		x0, x1 := px(band.X0), px(band.X1)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#999" fill-opacity="0.18"/>`+"\n",
			x0, top, math.Max(x1-x0, 1), plotHeight)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="#555">%s</text>`+"\n",
			(x0+x1)/2, top+14, esc(band.Label))
	}
	axes(&b, xticks, yticks, px, py, c.XUnit, c.YUnit, c.XLabel, c.YLabel)
	for _, h := range c.HLines {
		y := py(h.Y)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`+"\n",
			left, y, left+plotWidth, y, Color(h.Index))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="%s">%s</text>`+"\n",
			left+plotWidth-4, y-4, Color(h.Index), esc(h.Label))
	}
	for i, s := range c.Series {
		var pts strings.Builder
		step := max(1, len(s.Points)/maxPointsPerSeriesDrawing)
		for k := 0; k < len(s.Points); k += step {
			p := s.Points[k]
			fmt.Fprintf(&pts, "%.1f,%.1f ", px(p.X), py(p.Y))
		}
		if n := len(s.Points); n > 0 && (n-1)%step != 0 {
			p := s.Points[n-1]
			fmt.Fprintf(&pts, "%.1f,%.1f", px(p.X), py(p.Y))
		}
		dash := ""
		if s.Dash {
			dash = ` stroke-dasharray="2 3"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"><title>%s</title></polyline>`+"\n",
			Color(i), dash, strings.TrimSpace(pts.String()), esc(s.Name))
	}
	// Legend, right of the plot.
	lx := left + plotWidth + 20
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">profile</text>`+"\n", lx, top+10)
	for i, s := range c.Series {
		y := top + 32 + 22*i
		dash := ""
		if s.Dash {
			dash = ` stroke-dasharray="2 3"`
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"%s/>`+"\n", lx, y-4, lx+24, y-4, Color(i), dash)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`+"\n", lx+30, y, esc(s.Name))
	}
	if len(c.HLines) > 0 {
		y := top + 32 + 22*len(c.Series) + 10
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="1.5" stroke-dasharray="6 4"/>`+"\n", lx, y-4, lx+24, y-4)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">model n* (tipping queue)</text>`+"\n", lx+30, y)
	}
	if len(c.Bands) > 0 {
		y := top + 32 + 22*len(c.Series) + 32
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="24" height="12" fill="#999" fill-opacity="0.3"/>`+"\n", lx, y-12)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">router paused</text>`+"\n", lx+30, y)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func header(b *strings.Builder, w, h int, title string) {
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s">`+"\n",
		w, h, w, h, fontFamily)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(b, `<text x="%d" y="28" font-size="17" font-weight="bold">%s</text>`+"\n", left, esc(title))
}

// axes draws the frame, grid lines, tick labels and axis titles.
func axes(b *strings.Builder, xticks, yticks []float64, px, py func(float64) float64, xunit, yunit, xlabel, ylabel string) {
	for _, t := range yticks {
		y := py(t)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e5e5e5"/>`+"\n", left, y, left+plotWidth, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end">%s</text>`+"\n", left-6, y+4, Tick(t, yunit))
	}
	for _, t := range xticks {
		x := px(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e5e5e5"/>`+"\n", x, top, x, top+plotHeight)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle">%s</text>`+"\n", x, top+plotHeight+18, Tick(t, xunit))
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", left, top, plotWidth, plotHeight)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13" text-anchor="middle">%s</text>`+"\n", left+plotWidth/2, top+plotHeight+44, esc(xlabel))
	fmt.Fprintf(b, `<text transform="translate(%d %d) rotate(-90)" font-size="13" text-anchor="middle">%s</text>`+"\n",
		22, top+plotHeight/2, esc(ylabel))
}

// ticks returns evenly spaced round tick values from 0 covering max, with
// a step of 1, 2 or 5 times a power of ten, about five of them.
func ticks(maxv float64) []float64 {
	if !(maxv > 0) {
		maxv = 1
	}
	raw := maxv / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for i := 0; ; i++ {
		t := float64(i) * step
		out = append(out, t)
		if t >= maxv*(1-1e-9) {
			return out
		}
	}
}

// Tick formats a tick value: seconds with a unit when unit is "s",
// per-second rates when unit is "/s", and plain counts compactly
// ("50k", "1.2M").
func Tick(v float64, unit string) string {
	switch unit {
	case "s":
		switch {
		case v == 0:
			return "0"
		case v < 1e-3:
			return trim(v*1e6) + "µs"
		case v < 1:
			return trim(v*1e3) + "ms"
		}
		return trim(v) + "s"
	case "/s":
		return Tick(v, "") + "/s"
	}
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trim(v/1e6) + "M"
	case a >= 1e3:
		return trim(v/1e3) + "k"
	}
	return trim(v)
}

func trim(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func esc(s string) string { return html.EscapeString(s) }
