package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports"
	"golang.org/x/perf/benchfmt"
)

func TestAdjustBH(t *testing.T) {
	tests := []struct {
		in, want []float64
	}{
		{[]float64{0.01, 0.04, 0.03, 0.005}, []float64{0.02, 0.04, 0.04, 0.02}},
		{[]float64{0.5, 0.01, math.NaN()}, []float64{0.5, 0.02, math.NaN()}},
		{[]float64{0.9, 0.8}, []float64{0.9, 0.9}},
		// Worked by hand: sorted p_(i) * m / i, then the running minimum
		// from the largest down.
		{[]float64{0.01, 0.04, 0.03, 0.005, 0.5}, []float64{0.025, 0.05, 0.05, 0.025, 0.5}},
		{nil, []float64{}},
	}
	for _, tt := range tests {
		got := reports.AdjustBH(tt.in)
		if len(got) != len(tt.want) {
			t.Fatalf("AdjustBH(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range got {
			if !(math.Abs(got[i]-tt.want[i]) < 1e-12 || math.IsNaN(got[i]) && math.IsNaN(tt.want[i])) {
				t.Errorf("AdjustBH(%v) = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

func TestDirection(t *testing.T) {
	units := benchfmt.UnitMetadataMap{}
	for _, m := range []struct{ unit, value string }{{"hits/op", "higher"}, {"B/s", "lower"}} {
		units[benchfmt.UnitMetadataKey{Unit: m.unit, Key: "better"}] = &benchfmt.UnitMetadata{
			UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: m.unit, Key: "better"}, Value: m.value,
		}
	}
	tests := []struct {
		unit  string
		units benchfmt.UnitMetadataMap
		want  int
	}{
		{"sec/op", nil, -1},
		{"B/op", nil, -1},
		{"B/s", nil, 1},
		{"ops/s", nil, 1},
		{"hits/op", nil, -1},
		{"allocs/op", nil, -1},
		{"scanned/op", nil, -1},
		{"hits/op", units, 1},
		{"B/s", units, -1},
	}
	for _, tt := range tests {
		if got := reports.Direction(tt.unit, tt.units); got != tt.want {
			t.Errorf("Direction(%q) = %d, want %d", tt.unit, got, tt.want)
		}
	}
}

// series writes n result lines for name whose value in unit runs from
// start in steps of step.
func series(b *strings.Builder, name string, n int, start, step float64, unit string) {
	for i := range n {
		fmt.Fprintf(b, "Benchmark%s 1 %g %s\n", name, start+float64(i)*step, unit)
	}
}

// mustCompare loads old and new as runs 1 and 2 and compares them.
func mustCompare(t *testing.T, old, new string, opts reports.Options) *reports.Comparison {
	t.Helper()
	var m reports.MemSource
	for i, text := range []string{old, new} {
		if _, err := m.AddString(text, fmt.Sprint("run", i+1), nil, time.Unix(int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := reports.Compare(context.Background(), &m, mustSelectors(t, "old=1", "new=2"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verdicts returns "table/row=verdict" for every delta.
func verdicts(c *reports.Comparison) []string {
	var out []string
	for _, t := range c.Tables {
		for _, r := range t.Rows {
			for _, d := range r.Deltas {
				if d != nil {
					out = append(out, fmt.Sprintf("%s %s=%s", t.Unit, r.Name, d.Verdict))
				}
			}
		}
	}
	return out
}

func TestCompare_Verdicts(t *testing.T) {
	var old, new strings.Builder
	old.WriteString("Unit hits/op better=higher\n")
	new.WriteString("Unit hits/op better=higher\n")
	series(&old, "Slower", 10, 100, 0.1, "ns/op")
	series(&new, "Slower", 10, 110, 0.1, "ns/op") // +10%
	series(&old, "Bit", 10, 100, 0.1, "ns/op")
	series(&new, "Bit", 10, 103, 0.1, "ns/op") // +3%, significant
	series(&old, "Faster", 10, 100, 0.1, "ns/op")
	series(&new, "Faster", 10, 90, 0.1, "ns/op") // -10%
	series(&old, "Same", 10, 100, 0.1, "ns/op")
	series(&new, "Same", 10, 100, 0.1, "ns/op")
	series(&old, "Copy", 10, 100, 0.1, "MB/s")
	series(&new, "Copy", 10, 120, 0.1, "MB/s") // faster throughput
	series(&old, "Hits", 10, 50, 0.1, "hits/op")
	series(&new, "Hits", 10, 40, 0.1, "hits/op") // fewer hits, higher is better

	tests := []struct {
		name string
		opts reports.Options
		want []string
		regs int
	}{
		{"no threshold", reports.Options{}, []string{
			"sec/op Slower=regression", "sec/op Bit=regression", "sec/op Faster=improvement", "sec/op Same=unchanged",
			"B/s Copy=improvement", "hits/op Hits=regression",
		}, 3},
		{"threshold 5", reports.Options{Threshold: 5}, []string{
			"sec/op Slower=regression", "sec/op Bit=unchanged", "sec/op Faster=improvement", "sec/op Same=unchanged",
			"B/s Copy=improvement", "hits/op Hits=regression",
		}, 2},
		{"threshold 50", reports.Options{Threshold: 50}, []string{
			"sec/op Slower=unchanged", "sec/op Bit=unchanged", "sec/op Faster=unchanged", "sec/op Same=unchanged",
			"B/s Copy=unchanged", "hits/op Hits=unchanged",
		}, 0},
		{"sort by delta", reports.Options{SortByDelta: true}, []string{
			"sec/op Slower=regression", "sec/op Bit=regression", "sec/op Same=unchanged", "sec/op Faster=improvement",
			"B/s Copy=improvement", "hits/op Hits=regression",
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompare(t, old.String(), new.String(), tt.opts)
			if got := verdicts(c); !slices.Equal(got, tt.want) {
				t.Errorf("verdicts\n got %q\nwant %q", got, tt.want)
			}
			if got := c.Regressions(); got != tt.regs {
				t.Errorf("Regressions() = %d, want %d", got, tt.regs)
			}
		})
	}

	c := mustCompare(t, old.String(), new.String(), reports.Options{Threshold: 5})
	bit := c.Tables[0].Rows[1]
	if d := bit.Deltas[1]; bit.Name != "Bit" || !d.Significant || d.Text() == "~" || math.Abs(d.Pct-3) > 0.05 {
		t.Errorf("Bit: %s significant=%v text=%s pct=%v; want significant, about +3%%", bit.Name, d.Significant, d.Text(), d.Pct)
	}
}

func TestCompare_FDR(t *testing.T) {
	var old, new strings.Builder
	// p = 2/70 = 0.0286 for fully separated samples of 4: significant
	// alone, not after adjusting for 10 comparisons.
	series(&old, "Moved", 4, 10, 1, "ns/op")
	series(&new, "Moved", 4, 14, 1, "ns/op")
	for i := range 9 {
		series(&old, fmt.Sprint("Flat", i), 4, 10, 1, "ns/op")
		series(&new, fmt.Sprint("Flat", i), 4, 10, 1, "ns/op")
	}
	plain := mustCompare(t, old.String(), new.String(), reports.Options{})
	fdr := mustCompare(t, old.String(), new.String(), reports.Options{FDR: true})
	p, q := plain.Tables[0].Rows[0].Deltas[1], fdr.Tables[0].Rows[0].Deltas[1]
	if math.Abs(p.P-2.0/70) > 1e-9 || !p.Significant || p.Verdict != reports.Regression {
		t.Errorf("without FDR: p=%v significant=%v verdict=%v; want p=0.0286, a significant regression", p.P, p.Significant, p.Verdict)
	}
	if math.Abs(q.P-10*2.0/70) > 1e-9 || q.Significant || q.Verdict != reports.Unchanged || q.Text() != "~" {
		t.Errorf("with FDR: p=%v significant=%v verdict=%v text=%s; want p=0.286, unchanged ~", q.P, q.Significant, q.Verdict, q.Text())
	}
	if q.Comparison.P != p.P {
		t.Errorf("FDR changed the raw p-value: %v, want %v", q.Comparison.P, p.P)
	}
}

func TestCompare_LabelsAndSelectors(t *testing.T) {
	var m reports.MemSource
	add := func(text string, labels map[string]string, sec int64) {
		t.Helper()
		if _, err := m.AddString(text, "in", labels, time.Unix(sec, 0)); err != nil {
			t.Fatal(err)
		}
	}
	add("note: file\nBenchmarkX 1 10 ns/op\nBenchmarkX 1 11 ns/op\n", map[string]string{"branch": "main", "note": "label"}, 1)
	add("note: file\nBenchmarkX 1 20 ns/op\nBenchmarkX 1 21 ns/op\n", map[string]string{"branch": "dev", "note": "label"}, 2)
	add("note: file\nBenchmarkX 1 30 ns/op\n", map[string]string{"branch": "dev"}, 3)
	ctx := context.Background()

	tests := []struct {
		name    string
		sels    []string
		opts    reports.Options
		columns []string
		centers []float64
		n       []int
	}{
		{"argument order is column order", []string{"new=latest", "old=1"}, reports.Options{}, []string{"new", "old"}, []float64{30, 10.5}, []int{1, 2}},
		{"runs of one selector pool", []string{"main=branch:main", "dev=branch:dev"}, reports.Options{}, []string{"main", "dev"}, []float64{10.5, 21}, []int{2, 3}},
		{"a label as column", []string{"branch:main OR branch:dev"}, reports.Options{Col: "branch"}, []string{"main", "dev"}, []float64{10.5, 21}, []int{2, 3}},
		{"file configuration wins over a label", []string{"1", "2"}, reports.Options{Col: "note"}, []string{"file"}, []float64{15.5}, []int{4}},
		{"the selector key", []string{"a=1", "b=2"}, reports.Options{Col: ".sel@(b a)"}, []string{"b", "a"}, []float64{20.5, 10.5}, []int{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := reports.Compare(ctx, &m, mustSelectors(t, tt.sels...), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			tab := c.Tables[0]
			if got := tab.ColumnNames(); !slices.Equal(got, tt.columns) {
				t.Fatalf("columns %q, want %q", got, tt.columns)
			}
			for i, cell := range tab.Rows[0].Cells {
				if cell.Summary.Center != tt.centers[i]*1e-9 || len(cell.Sample.Values) != tt.n[i] {
					t.Errorf("column %s: center %v n=%d, want %v n=%d", tt.columns[i], cell.Summary.Center, len(cell.Sample.Values), tt.centers[i]*1e-9, tt.n[i])
				}
			}
		})
	}
}

func TestCompare_Errors(t *testing.T) {
	var m reports.MemSource
	if _, err := m.AddString("BenchmarkX/size=1 1 10 ns/op\n", "in", nil, time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name   string
		sels   []string
		opts   reports.Options
		option string // the OptionError's option, or "" for another error
		msg    string
	}{
		{"unknown column key", []string{"1"}, reports.Options{Col: "/nokey"}, "col", "unknown key /nokey"},
		{"unknown row key", []string{"1"}, reports.Options{Row: "goversion"}, "row", "unknown key goversion"},
		{"bad filter", []string{"1"}, reports.Options{Filter: "a:(b"}, "filter", "syntax error"},
		{"filter matches nothing", []string{"1"}, reports.Options{Filter: ".name:Y"}, "filter", "no results match"},
		{"bad order", []string{"1"}, reports.Options{Col: "/size@sideways"}, "col", `unknown order "sideways" (at column 7)`},
		{"bad alpha", []string{"1"}, reports.Options{Alpha: 2}, "alpha", "[0, 1]"},
		{"bad threshold", []string{"1"}, reports.Options{Threshold: -1}, "threshold", ">= 0"},
		{"selector matches nothing", []string{"1", "7"}, reports.Options{}, "", `selector "7" matches no run`},
		{"same name twice", []string{"x=1", "x=latest"}, reports.Options{}, "", `"x" used twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reports.Compare(ctx, &m, mustSelectors(t, tt.sels...), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q", err, tt.msg)
			}
			var oe *reports.OptionError
			if errors.As(err, &oe) != (tt.option != "") || tt.option != "" && oe.Option != tt.option {
				t.Errorf("error %v: option %v, want %q", err, oe, tt.option)
			}
		})
	}
}

func TestComparison_WriteJSON(t *testing.T) {
	var old, new strings.Builder
	series(&old, "A", 10, 100, 1, "ns/op")
	series(&new, "A", 10, 120, 1, "ns/op")
	series(&old, "OldOnly", 2, 5, 1, "ns/op")
	c := mustCompare(t, old.String(), new.String(), reports.Options{})
	var buf bytes.Buffer
	if err := c.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Tables []struct {
			Unit    string   `json:"unit"`
			Better  string   `json:"better"`
			Columns []string `json:"columns"`
			Rows    []struct {
				Name  string `json:"name"`
				Cells []*struct {
					Center float64  `json:"center"`
					Lo     *float64 `json:"lo"`
					Hi     *float64 `json:"hi"`
					N      int      `json:"n"`
				} `json:"cells"`
				Deltas []*struct {
					Pct         float64 `json:"pct"`
					P           float64 `json:"p"`
					Significant bool    `json:"significant"`
					Verdict     string  `json:"verdict"`
				} `json:"deltas"`
			} `json:"rows"`
			Geomean *struct {
				Centers []*float64 `json:"centers"`
				Pcts    []*float64 `json:"pcts"`
			} `json:"geomean"`
		} `json:"tables"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != 1 || got.Tables[0].Unit != "sec/op" || got.Tables[0].Better != "lower" ||
		!slices.Equal(got.Tables[0].Columns, []string{"old", "new"}) {
		t.Fatalf("tables: %+v", got.Tables)
	}
	rows := got.Tables[0].Rows
	a, only := rows[0], rows[1]
	if a.Name != "A" || a.Cells[0].Center != 104.5e-9 || a.Cells[1].Center != 124.5e-9 || a.Cells[0].N != 10 {
		t.Errorf("row A cells: %+v %+v", a.Cells[0], a.Cells[1])
	}
	if a.Deltas[0] != nil || a.Deltas[1] == nil || math.Abs(a.Deltas[1].Pct-(124.5/104.5-1)*100) > 1e-9 ||
		!a.Deltas[1].Significant || a.Deltas[1].Verdict != "regression" || a.Deltas[1].P >= 0.001 {
		t.Errorf("row A deltas: %v %+v", a.Deltas[0], a.Deltas[1])
	}
	if only.Name != "OldOnly" || only.Cells[1] != nil || only.Deltas[1] != nil || only.Cells[0].Lo != nil {
		t.Errorf("row OldOnly: cells %+v deltas %+v; want a baseline cell with an unbounded interval only", only.Cells, only.Deltas)
	}
	if g := got.Tables[0].Geomean; g == nil || g.Pcts[0] != nil || g.Pcts[1] == nil {
		t.Errorf("geomean %+v", g)
	}
	if !slices.ContainsFunc(got.Warnings, func(w string) bool {
		return strings.Contains(w, "OldOnly [old]: need >= 6 samples")
	}) {
		t.Errorf("warnings %q lack the small-sample warning", got.Warnings)
	}
}
