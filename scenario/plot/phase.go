package plot

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/benchdb/benchdb/model"
)

// Phase is one panel of a phase-diagram chart: a profile's simulated
// outcomes over rate x pause.
type Phase struct {
	Name  string
	Phase model.Phase
}

// Panel geometry for phase diagrams.
const (
	panelHeight = 330
	panelPlotH  = 240
)

// WritePhases writes one phase-diagram panel per profile, stacked, as one
// standalone SVG document. Both axes are logarithmic: rate across, pause
// up. A red cell ran away, a green one drained; the black line is the
// model's T* at each rate (absent when the profile has no tipping point).
func WritePhases(w io.Writer, title string, phases []Phase) error {
	h := top + len(phases)*panelHeight + 20
	var b strings.Builder
	header(&b, width, h, title)
	for i, ph := range phases {
		panel(&b, top+i*panelHeight, ph)
	}
	// Legend, right of the first panel.
	lx, ly := left+plotWidth+20, top+10
	items := []struct{ fill, label string }{{"#e8766d", "runaway (simulated)"}, {"#8fd19e", "drained (simulated)"}}
	for k, it := range items {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="18" height="14" fill="%s"/>`+"\n", lx, ly+22*k, it.fill)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`+"\n", lx+26, ly+22*k+12, it.label)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black" stroke-width="2.5"/>`+"\n", lx, ly+51, lx+18, ly+51)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">model T* (critical pause)</text>`+"\n", lx+26, ly+56)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func panel(b *strings.Builder, y0 int, ph Phase) {
	p := ph.Phase
	nr, np := len(p.Rates), len(p.Pauses)
	if nr == 0 || np == 0 {
		return
	}
	// Cells are centred on their grid values, with edges half way (in log
	// space) between neighbours.
	edges := func(vals []float64) []float64 {
		out := make([]float64, len(vals)+1)
		for i := range vals {
			if i == 0 {
				if len(vals) > 1 {
					out[0] = math.Log10(vals[0]) - (math.Log10(vals[1])-math.Log10(vals[0]))/2
				} else {
					out[0] = math.Log10(vals[0]) - 0.5
				}
			}
			if i+1 < len(vals) {
				out[i+1] = (math.Log10(vals[i]) + math.Log10(vals[i+1])) / 2
			} else {
				out[i+1] = 2*math.Log10(vals[i]) - out[i]
			}
		}
		return out
	}
	pauses := make([]float64, np)
	for i, d := range p.Pauses {
		pauses[i] = d.Seconds()
	}
	xe, ye := edges(p.Rates), edges(pauses)
	px := func(lx float64) float64 { return left + (lx-xe[0])/(xe[nr]-xe[0])*plotWidth }
	py := func(ly float64) float64 { return float64(y0+30) + panelPlotH - (ly-ye[0])/(ye[np]-ye[0])*panelPlotH }

	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", left, y0+20, esc(ph.Name+"  ("+p.Costs.String()+")"))
	for i := range np {
		for j := range nr {
			fill := "#8fd19e"
			if p.Outcomes[i][j] == model.Runaway {
				fill = "#e8766d"
			}
			x0, x1 := px(xe[j]), px(xe[j+1])
			ya, yb := py(ye[i+1]), py(ye[i])
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="white" stroke-width="0.5"><title>%s, pause %v: %v</title></rect>`+"\n",
				x0, ya, x1-x0, yb-ya, fill, model.FormatRate(p.Rates[j]), p.Pauses[i], p.Outcomes[i][j])
		}
	}
	// T* curve, clipped to the panel.
	var pts []string
	for j, r := range p.Rates {
		if !p.CriticalOK[j] || p.Critical[j] <= 0 {
			continue
		}
		ly := math.Log10(p.Critical[j].Seconds())
		if ly < ye[0] || ly > ye[np] {
			continue
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(math.Log10(r)), py(ly)))
	}
	if len(pts) > 1 {
		fmt.Fprintf(b, `<polyline fill="none" stroke="black" stroke-width="2.5" points="%s"/>`+"\n", strings.Join(pts, " "))
	}
	ptop, pbot := y0+30, y0+30+panelPlotH
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", left, ptop, plotWidth, panelPlotH)
	for j, r := range p.Rates {
		if nr > 8 && j%2 == 1 {
			continue
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`+"\n", px(math.Log10(r)), pbot+15, model.FormatRate(r))
	}
	for i, s := range pauses {
		if np > 8 && i%2 == 1 {
			continue
		}
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end">%s</text>`+"\n", left-6, py(math.Log10(s))+4, Tick(s, "s"))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" text-anchor="middle">arrival rate λ (events/s, log scale)</text>`+"\n", left+plotWidth/2, pbot+34)
	fmt.Fprintf(b, `<text transform="translate(%d %d) rotate(-90)" font-size="12" text-anchor="middle">pause T (log scale)</text>`+"\n", 16, ptop+panelPlotH/2)
}
