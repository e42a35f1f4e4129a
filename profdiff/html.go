package profdiff

import (
	"fmt"
	"html/template"
	"io"
	"math"
)

// Icicle graph geometry, in pixels.
const (
	icicleWidth  = 1200
	icicleRow    = 18
	icicleChar   = 7 // approximate width of one character at font-size 12
	icicleMaxRow = 64
)

// An icicleRect is one frame drawn in the graph.
type icicleRect struct {
	X, Y, W   float64
	Fill      string
	Label     string // the text drawn, cut to fit
	Title     string // the tooltip
	TextX     float64
	TextY     float64
	ShowLabel bool
}

type icicleSVG struct {
	Width, Height float64
	Rects         []icicleRect
}

// icicle lays out r's tree: the root spans the width, each child below
// its parent, its width in proportion to its NEW cost per op, its colour
// by how much it grew (red) or shrank (blue).
func icicle(r *Result) icicleSVG {
	svg := icicleSVG{Width: icicleWidth}
	root := r.Tree
	if root == nil || root.New <= 0 {
		svg.Height = icicleRow
		return svg
	}
	scale := icicleWidth / root.New
	depth := 0
	var walk func(n *Node, x float64, row int)
	walk = func(n *Node, x float64, row int) {
		w := n.New * scale
		if w < 1 || row >= icicleMaxRow {
			return
		}
		depth = max(depth, row+1)
		name := ShortName(n.Name)
		delta := n.New - n.Old
		title := fmt.Sprintf("%s\nold %s, new %s per op (%s)", n.Name, r.value(n.Old), r.value(n.New), r.signed(delta))
		if s, ok := r.Share(delta); ok {
			title += fmt.Sprintf(", %.1f%% of the change", 100*s)
		}
		rect := icicleRect{X: x, Y: float64(row * icicleRow), W: w, Fill: deltaColour(n), Title: title,
			TextX: x + 3, TextY: float64(row*icicleRow) + 13}
		if chars := int((w - 6) / icicleChar); chars >= 3 {
			rect.ShowLabel = true
			rect.Label = cut(name, chars)
		}
		svg.Rects = append(svg.Rects, rect)
		cx := x
		for _, c := range n.Children {
			walk(c, cx, row+1)
			cx += c.New * scale
		}
	}
	walk(root, 0, 0)
	svg.Height = float64(depth * icicleRow)
	return svg
}

// cut shortens s to at most n characters, ending in "…" when cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// deltaColour is red for a frame that grew, blue for one that shrank,
// the stronger the more of its cost changed.
func deltaColour(n *Node) string {
	m := math.Max(n.New, n.Old)
	if m <= 0 {
		return "#dddddd"
	}
	f := (n.New - n.Old) / m
	light := 92 - 42*math.Abs(f)
	if math.Abs(f) < 0.02 {
		return "hsl(40, 10%, 88%)"
	}
	if f > 0 {
		return fmt.Sprintf("hsl(0, 85%%, %.0f%%)", light)
	}
	return fmt.Sprintf("hsl(215, 85%%, %.0f%%)", light)
}

type htmlResult struct {
	*Result
	Summary string
	Rows    []htmlRow
	Paths   []htmlPaths
	SVG     icicleSVG
}

type htmlRow struct {
	Flat, FlatShare, FlatProfileShare, Cum, CumShare, Name, Full string
}

type htmlPaths struct {
	Name  string
	Paths []htmlPath
}

type htmlPath struct{ Delta, Frames string }

type htmlComparison struct {
	Title, Pkg string
	Results    []htmlResult
}

// WriteHTML writes r as one self-contained HTML page: no script, style
// sheet, font or image from elsewhere. Every name is escaped by
// html/template.
func (r *Report) WriteHTML(w io.Writer) error {
	var cs []htmlComparison
	for _, c := range r.Comparisons {
		hc := htmlComparison{Title: c.title(), Pkg: c.Pkg}
		for _, res := range c.Results {
			hr := htmlResult{Result: res, Summary: res.summary(), SVG: icicle(res)}
			for _, f := range res.Functions {
				hr.Rows = append(hr.Rows, htmlRow{Flat: res.signed(f.FlatDelta()), FlatShare: res.share(f.FlatDelta()), FlatProfileShare: res.profileShare(f.FlatDelta()),
					Cum: res.signed(f.CumDelta()), CumShare: res.share(f.CumDelta()), Name: ShortName(f.Name), Full: f.Name})
			}
			for _, f := range res.Functions[:min(3, len(res.Functions))] {
				hp := htmlPaths{Name: ShortName(f.Name)}
				for _, p := range f.Paths {
					hp.Paths = append(hp.Paths, htmlPath{Delta: res.signed(p.Delta()), Frames: pathText(p.Frames)})
				}
				hr.Paths = append(hr.Paths, hp)
			}
			hc.Results = append(hc.Results, hr)
		}
		cs = append(cs, hc)
	}
	if err := pageTemplate.Execute(w, cs); err != nil {
		return fmt.Errorf("write HTML: %w", err)
	}
	return nil
}

var pageTemplate = template.Must(template.New("why").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>benchdb why</title>
<style>
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 2px 8px; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .path { font-family: monospace; font-size: 0.9em; }
svg text { font-family: monospace; font-size: 12px; pointer-events: none; }
svg rect { stroke: #fff; stroke-width: 0.5; }
.legend { color: #555; font-size: 0.9em; }
</style>
</head>
<body>
<h1>Why it changed</h1>
{{range .}}
<section>
<h2><code>{{.Title}}</code></h2>
<p>pkg: <code>{{.Pkg}}</code></p>
{{range .Results}}
<h3>{{.Kind}}</h3>
<p>{{.Summary}}</p>
{{if .Rows}}
<table>
<tr><th>flat Δ/op</th><th>share</th><th>of profile Δ</th><th>cum Δ/op</th><th>share</th><th>function</th></tr>
{{range .Rows}}<tr><td class="num">{{.Flat}}</td><td class="num">{{.FlatShare}}</td><td class="num">{{.FlatProfileShare}}</td><td class="num">{{.Cum}}</td><td class="num">{{.CumShare}}</td><td><code title="{{.Full}}">{{.Name}}</code></td></tr>
{{end}}</table>
<p>Call paths to the top functions (cum Δ/op):</p>
<ul>
{{range .Paths}}<li><code>{{.Name}}</code><ul>{{range .Paths}}<li><span class="path">{{.Delta}} {{.Frames}}</span></li>{{end}}</ul></li>
{{end}}</ul>
{{else}}<p>No function's cost per op grew.</p>{{end}}
<p class="legend">Icicle graph of the difference: the benchmark at the top, callees below; width is the NEW cost per op, red frames grew and blue ones shrank (the deeper the colour, the larger the change relative to the frame's cost). Hover for the numbers.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.SVG.Width}}" height="{{.SVG.Height}}" viewBox="0 0 {{.SVG.Width}} {{.SVG.Height}}" role="img" aria-label="icicle graph of the {{.Kind}} difference">
{{range .SVG.Rects}}<g><title>{{.Title}}</title><rect x="{{printf "%.2f" .X}}" y="{{.Y}}" width="{{printf "%.2f" .W}}" height="17" fill="{{.Fill}}"></rect>{{if .ShowLabel}}<text x="{{printf "%.2f" .TextX}}" y="{{.TextY}}">{{.Label}}</text>{{end}}</g>
{{end}}</svg>
{{end}}
</section>
{{end}}
</body>
</html>
`))
