package nightly_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// hostileNames are benchmark names that would be markup if not escaped.
var hostileNames = []string{`<script>alert(1)</script>`, `<b>x</b>`}

// mustReport builds the report of a history with regressions, an
// improvement, noise, new and missing benchmarks, two of them named with
// HTML.
func mustReport(tb testing.TB) *nightly.Report {
	tb.Helper()
	cfg := history(1)
	cfg.Benchmarks = append(cfg.Benchmarks,
		nightlytest.Bench{Pkg: "p", Name: hostileNames[0], Unit: "ns/op", Base: 100, CV: 0.01, Step: 0.3, StepNight: 17},
		nightlytest.Bench{Pkg: "p", Name: hostileNames[1], Unit: "ns/op", Base: 100, CV: 0.01, First: 19},
	)
	src := nightlytest.MustMemSource(tb, nightlytest.Generate(cfg))
	rep, err := nightly.Build(context.Background(), src, nightly.Options{Now: func() time.Time { return epoch.Add(20 * 24 * time.Hour) }})
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func TestWriteJSON(t *testing.T) {
	rep := mustReport(t)
	var buf bytes.Buffer
	if err := nightly.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Generated string `json:"generated"`
		Series    []struct {
			Labels map[string]string `json:"labels"`
			Runs   int               `json:"runs"`
		} `json:"series"`
		Regressions []map[string]any `json:"regressions"`
		Improvements,
		Noisy, New, Missing []map[string]any
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v\n%s", err, buf.String())
	}
	if got.Generated != "2026-01-21T02:00:00Z" {
		t.Errorf("generated = %q", got.Generated)
	}
	if len(got.Series) != 1 || got.Series[0].Runs != 20 || got.Series[0].Labels["host"] != "a" {
		t.Errorf("series = %+v", got.Series)
	}
	if len(got.Regressions) != 3 || len(got.Improvements) != 1 || len(got.Noisy) != 1 || len(got.New) != 2 || len(got.Missing) != 1 {
		t.Fatalf("counts: %d regressions, %d improvements, %d noisy, %d new, %d missing\n%s",
			len(got.Regressions), len(got.Improvements), len(got.Noisy), len(got.New), len(got.Missing), buf.String())
	}
	r := got.Regressions[0] // the largest first: the 30% step
	want := map[string]any{
		"benchmark": hostileNames[0], "package": "p", "unit": "sec/op",
		"change_run": 18.0, "change_time": "2026-01-18T02:00:00Z",
	}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("regressions[0].%s = %v, want %v", k, r[k], v)
		}
	}
	if p, lo, hi := r["pct"].(float64), r["lo_pct"].(float64), r["hi_pct"].(float64); !(lo <= p && p <= hi && p > 25 && p < 35) {
		t.Errorf("pct %v [%v, %v], want about 30", p, lo, hi)
	}
	if c, ok := r["commit"].(string); !ok || !strings.HasPrefix(c, "c0017") {
		t.Errorf("commit = %v, want night 17's", r["commit"])
	}
	if s := r["series"].(map[string]any); s["host"] != "a" {
		t.Errorf("series = %v", s)
	}
	for _, k := range []string{"p", "lo_pct", "hi_pct"} {
		if _, ok := r[k].(float64); !ok {
			t.Errorf("regressions[0].%s = %v, want a number", k, r[k])
		}
	}
}

func TestWriteJSON_Empty(t *testing.T) {
	src := nightlytest.MustMemSource(t, nightlytest.Generate(nightlytest.Config{Nights: 1, Start: epoch,
		Benchmarks: []nightlytest.Bench{{Pkg: "p", Name: "A", Unit: "ns/op", Base: 1}}}))
	rep, err := nightly.Build(context.Background(), src, nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := nightly.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"regressions": []`, `"improvements": []`, `"noisy": []`, `"missing": []`} {
		if !strings.Contains(buf.String(), k) {
			t.Errorf("JSON lacks %s:\n%s", k, buf.String())
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	rep := mustReport(t)
	var buf bytes.Buffer
	if err := nightly.WriteMarkdown(&buf, rep); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"## Regressions", "## Improvements", "## Noisy", "## New", "## Missing", "## Trend",
		"3 regressions, 1 improvement, 1 noisy, 2 new, 1 missing.",
		"| p.Slower | sec/op | branch=main goarch=amd64 goos=linux host=a | +",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;x&lt;/b&gt;",
		"run 18 (2026-01-18 02:00), after run 17",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range hostileNames {
		if strings.Contains(md, bad) {
			t.Errorf("markdown holds %q unescaped", bad)
		}
	}
}

func TestWriteHTML(t *testing.T) {
	rep := mustReport(t)
	var buf bytes.Buffer
	if err := nightly.WriteHTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	// Self-contained: nothing fetched, nothing run.
	for _, bad := range append(hostileNames, "<script", "<link", "@import", "url(", " src=", "<iframe") {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	if n, ns := strings.Count(page, "http"), strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`); n != ns {
		t.Errorf("page names %d URLs besides the SVG namespace", n-ns)
	}
	// One chart per change and one trend per series.
	if n, want := strings.Count(page, "<svg"), len(rep.Regressions)+len(rep.Improvements)+len(rep.Series); n != want {
		t.Errorf("%d charts, want %d", n, want)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile name is not shown escaped")
	}
}

// nonFiniteReport builds a report over two short histories where a unit
// goes from 0 to 1 and another stays 0 (its coefficient of variation is
// infinite), and one with both and ten nights.
func nonFiniteReport(t *testing.T, nights int) *nightly.Report {
	t.Helper()
	var runs []nightlytest.Run
	for night := range nights {
		var b strings.Builder
		b.WriteString("pkg: p\n")
		hits := 0
		if night == nights-1 {
			hits = 1
		}
		for i := range 5 {
			fmt.Fprintf(&b, "BenchmarkA 1000 %d ns/op 0 B/op %d hits/op\n", 100+i+night%3, hits)
		}
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(night) * 24 * time.Hour), Labels: map[string]string{"host": "z"}, Text: []byte(b.String())})
	}
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestWrite_NonFinite(t *testing.T) {
	for _, nights := range []int{2, 3, 10} {
		rep := nonFiniteReport(t, nights)
		var js, md, page bytes.Buffer
		if err := nightly.WriteJSON(&js, rep); err != nil {
			t.Fatalf("%d nights: WriteJSON: %v", nights, err)
		}
		if err := nightly.WriteMarkdown(&md, rep); err != nil {
			t.Fatal(err)
		}
		if err := nightly.WriteHTML(&page, rep); err != nil {
			t.Fatal(err)
		}
		for what, out := range map[string]string{"json": js.String(), "markdown": md.String(), "html": page.String()} {
			for _, bad := range []string{"NaN", "Inf"} {
				if strings.Contains(out, bad) {
					t.Errorf("%d nights: %s holds %s:\n%s", nights, what, bad, out)
				}
			}
		}
		if !json.Valid(js.Bytes()) {
			t.Errorf("%d nights: invalid JSON", nights)
		}
	}
}

func TestWriteHTML_NothingJudged(t *testing.T) {
	// Two nights: nothing can be judged, and no trend can be drawn.
	rep := nonFiniteReport(t, 2)
	var buf bytes.Buffer
	if err := nightly.WriteHTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<svg") {
		t.Error("the page draws a chart with nothing to chart")
	}
	if strings.Contains(page, "Charts:") {
		t.Error("the page explains charts it does not show")
	}
	if !strings.Contains(page, "Not enough runs for a trend yet") {
		t.Error("the page does not say why there is no trend")
	}
}
