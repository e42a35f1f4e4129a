package plot_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario/plot"
)

// mustParseSVG checks that doc is well-formed XML with an <svg> root and
// returns the text of every <text> element and the number of polylines.
func mustParseSVG(tb testing.TB, doc []byte) (texts []string, polylines int) {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	inText, root := false, ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v\n%s", err, doc)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
			}
			inText = t.Name.Local == "text"
			if t.Name.Local == "polyline" {
				polylines++
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(t))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		tb.Fatalf("root element %q, want svg", root)
	}
	return texts, polylines
}

func simSeries(tb testing.TB, c model.Costs, pause time.Duration) []plot.Point {
	tb.Helper()
	s := model.Sim{Costs: c, Rate: 50000, At: 500 * time.Millisecond, Pause: pause, Duration: 4 * time.Second,
		CapQueue: 150000, SampleEvery: 10 * time.Millisecond, Settle: 100 * time.Millisecond}
	res, err := s.Run()
	if err != nil {
		tb.Fatal(err)
	}
	var pts []plot.Point
	for _, p := range res.Series {
		pts = append(pts, plot.Point{X: p.T.Seconds(), Y: float64(p.Queue)})
	}
	return pts
}

func TestLines_WriteSVG(t *testing.T) {
	slow := model.Costs{S0: 3e-6, C: 1e-9, K: 1}
	fast := model.Costs{S0: 1e-6, C: 1e-9, K: 0}
	n, _ := slow.TippingQueue(50000)
	chart := plot.Lines{
		Title: "queue length over time", XLabel: "time since start", YLabel: "messages queued",
		XUnit: "s",
		Series: []plot.Series{
			{Name: "elixir-1.5.1", Points: simSeries(t, slow, time.Second)},
			{Name: "roundrobin & co", Points: simSeries(t, fast, time.Second), Dash: true},
		},
		HLines: []plot.HLine{{Label: "n* = 17k", Y: n, Index: 0}},
		Bands:  []plot.Band{{Label: "pause 1s", X0: 0.5, X1: 1.5}},
	}
	var buf bytes.Buffer
	if err := chart.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	texts, polylines := mustParseSVG(t, buf.Bytes())
	all := strings.Join(texts, "|")
	for _, want := range []string{"queue length over time", "time since start", "messages queued",
		"elixir-1.5.1", "roundrobin &amp; co", "n* = 17k", "pause 1s", "model n* (tipping queue)", "router paused", "150k", "1s"} {
		if !strings.Contains(all, strings.ReplaceAll(want, "&amp;", "&")) {
			t.Errorf("SVG lacks the text %q; has %q", want, texts)
		}
	}
	if polylines != 2 {
		t.Errorf("%d polylines, want one per series", polylines)
	}
	if os.Getenv("PLOT_OUT") != "" {
		os.WriteFile(os.Getenv("PLOT_OUT")+"/lines.svg", buf.Bytes(), 0o644)
	}
}

func TestWritePhases(t *testing.T) {
	var phases []plot.Phase
	for _, c := range []model.Costs{{S0: 3e-6, C: 1e-9, K: 1}, {S0: 1e-6, C: 1e-9, K: 0}} {
		phases = append(phases, plot.Phase{Name: c.String(), Phase: modelPhase(c, 50000)})
	}
	var buf bytes.Buffer
	if err := plot.WritePhases(&buf, "phase diagram", phases); err != nil {
		t.Fatal(err)
	}
	texts, polylines := mustParseSVG(t, buf.Bytes())
	if polylines != 1 {
		t.Errorf("%d T* curves, want 1 (only k=1 has a tipping point)", polylines)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"phase diagram", "model T* (critical pause)", "runaway (simulated)", "k=0", "k=1", "12.5k/s", "100k/s"} {
		if !strings.Contains(all, want) {
			t.Errorf("SVG lacks the text %q", want)
		}
	}
	if got, want := strings.Count(buf.String(), "</rect>"), 2*8*12; got != want {
		t.Errorf("%d cells, want %d", got, want)
	}
	if os.Getenv("PLOT_OUT") != "" {
		os.WriteFile(os.Getenv("PLOT_OUT")+"/phase.svg", buf.Bytes(), 0o644)
	}
}

// modelPhase is the phase diagram of model.DefaultGrid around rate with
// the model's outcomes (a runaway for a pause longer than T*): what the
// chart draws, without simulating each cell (model.Sweep does that, and
// model's tests check that it agrees with T*).
func modelPhase(c model.Costs, rate float64) model.Phase {
	rates, pauses := model.DefaultGrid(c, rate)
	p := model.Phase{Costs: c, Rates: rates, Pauses: pauses}
	for _, r := range rates {
		t, ok := c.CriticalPause(r)
		p.Critical = append(p.Critical, t)
		p.CriticalOK = append(p.CriticalOK, ok)
	}
	for _, pause := range pauses {
		row := make([]model.Outcome, len(rates))
		for j := range rates {
			row[j] = model.Drained
			if p.CriticalOK[j] && pause > p.Critical[j] {
				row[j] = model.Runaway
			}
		}
		p.Outcomes = append(p.Outcomes, row)
	}
	return p
}

func TestTick(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{0, "s", "0"}, {0.5, "s", "500ms"}, {2, "s", "2s"}, {0.0002, "s", "200µs"},
		{150000, "", "150k"}, {2.5e6, "", "2.5M"}, {40, "", "40"}, {25000, "/s", "25k/s"},
	}
	for _, tt := range tests {
		if got := plot.Tick(tt.v, tt.unit); got != tt.want {
			t.Errorf("Tick(%g, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}
