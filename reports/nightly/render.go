package nightly

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// WriteJSON writes the report as JSON:
//
//	{"generated": RFC3339, "series": [{"labels": {...}, "runs": N}],
//	 "regressions": [CHANGE], "improvements": [CHANGE],
//	 "noisy": [{"benchmark", "package", "unit", "series", "cv", "run_cv", "excursions"}],
//	 "new": [ENTRY], "missing": [ENTRY]}
//
// where CHANGE is {"benchmark", "package", "unit", "series": {labels},
// "pct", "lo_pct", "hi_pct", "p", "change_run", "change_time", "commit"}
// (commit is null without a commit label; p is the Benjamini-Hochberg
// adjusted p-value) and ENTRY is {"benchmark", "package", "unit",
// "series", "run", "time"}. Lists are never null.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{
		Generated:    r.Generated.UTC().Format(time.RFC3339),
		Series:       []jsonSeries{},
		Regressions:  jsonChanges(r.Regressions),
		Improvements: jsonChanges(r.Improvements),
		Noisy:        []jsonNoisy{},
		New:          jsonEntries(r.New),
		Missing:      jsonEntries(r.Missing),
	}
	for _, s := range r.Series {
		out.Series = append(out.Series, jsonSeries{Labels: s.Labels, Runs: len(s.Runs)})
	}
	for _, n := range r.Noisy {
		out.Noisy = append(out.Noisy, jsonNoisy{
			Benchmark: n.Name, Package: n.Package, Unit: n.Unit, Series: n.Series.Labels,
			CV: n.CV, RunCV: n.RunCV, MDE: n.MDE,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

type jsonReport struct {
	Generated    string       `json:"generated"`
	Series       []jsonSeries `json:"series"`
	Regressions  []jsonChange `json:"regressions"`
	Improvements []jsonChange `json:"improvements"`
	Noisy        []jsonNoisy  `json:"noisy"`
	New          []jsonEntry  `json:"new"`
	Missing      []jsonEntry  `json:"missing"`
}

type jsonSeries struct {
	Labels map[string]string `json:"labels"`
	Runs   int               `json:"runs"`
}

type jsonChange struct {
	Benchmark  string            `json:"benchmark"`
	Package    string            `json:"package"`
	Unit       string            `json:"unit"`
	Series     map[string]string `json:"series"`
	Pct        float64           `json:"pct"`
	LoPct      float64           `json:"lo_pct"`
	HiPct      float64           `json:"hi_pct"`
	P          float64           `json:"p"`
	ChangeRun  int64             `json:"change_run"`
	ChangeTime string            `json:"change_time"`
	Commit     *string           `json:"commit"`
}

type jsonNoisy struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	CV        float64           `json:"cv"`
	RunCV     float64           `json:"run_cv"`
	MDE       float64           `json:"mde"`
}

type jsonEntry struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	Run       int64             `json:"run"`
	Time      string            `json:"time"`
}

func jsonChanges(cs []*Change) []jsonChange {
	out := []jsonChange{}
	for _, c := range cs {
		j := jsonChange{
			Benchmark: c.Name, Package: c.Package, Unit: c.Unit, Series: c.Series.Labels,
			Pct: c.Pct, LoPct: c.LoPct, HiPct: c.HiPct, P: c.P,
			ChangeRun: c.Change.ID, ChangeTime: c.Change.Time.UTC().Format(time.RFC3339),
		}
		if commit := c.Commit(); commit != "" {
			j.Commit = &commit
		}
		out = append(out, j)
	}
	return out
}

func jsonEntries(es []*Entry) []jsonEntry {
	out := []jsonEntry{}
	for _, e := range es {
		out = append(out, jsonEntry{
			Benchmark: e.Name, Package: e.Package, Unit: e.Unit, Series: e.Series.Labels,
			Run: e.Run.ID, Time: e.Run.Time.UTC().Format(time.RFC3339),
		})
	}
	return out
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown, for a CI
// job summary. Names from the data are escaped so that they show as text.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b bytes.Buffer
	o := r.Options
	fmt.Fprintf(&b, "# Benchmark report\n\n")
	fmt.Fprintf(&b, "Generated %s over %d series. %s\n\n", r.Generated.UTC().Format(time.RFC3339), len(r.Series), summaryLine(r))
	fmt.Fprintf(&b, "Newest run against a baseline of up to %d runs; changes of at least %.3g%% with a Benjamini-Hochberg adjusted p-value (Mann-Whitney U test) at most %g.\n\n",
		o.Baseline, 100*o.Threshold, o.Alpha)
	changes := func(title string, cs []*Change) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "## %s\n\n", title)
		fmt.Fprintf(&b, "| benchmark | unit | series | change | %g%% CI | p | since | commit |\n", 100*o.Confidence)
		fmt.Fprintf(&b, "|---|---|---|--:|--:|--:|---|---|\n")
		for _, c := range cs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s … %s | %.2g | run %d (%s), after run %d | %s |\n",
				mdEscape(c.Benchmark.qualified()), mdEscape(c.Unit), mdEscape(c.Series.Key()), pct(c.Pct), pct(c.LoPct), pct(c.HiPct), c.P,
				c.Change.ID, c.Change.Time.UTC().Format("2006-01-02 15:04"), c.Good.ID, mdCode(c.Commit()))
		}
		b.WriteString("\n")
	}
	changes("Regressions", r.Regressions)
	changes("Improvements", r.Improvements)
	if len(r.Noisy) > 0 {
		fmt.Fprintf(&b, "## Noisy (not judged)\n\n| benchmark | unit | series | run-to-run CV | sample CV |\n|---|---|---|--:|--:|\n")
		for _, n := range r.Noisy {
			fmt.Fprintf(&b, "| %s | %s | %s | %.1f%% | %.1f%% |\n", mdEscape(n.Benchmark.qualified()), mdEscape(n.Unit), mdEscape(n.Series.Key()), 100*n.RunCV, 100*n.CV)
		}
		b.WriteString("\n")
	}
	entries := func(title, what string, es []*Entry) {
		if len(es) == 0 {
			return
		}
		fmt.Fprintf(&b, "## %s\n\n| benchmark | unit | series | %s |\n|---|---|---|---|\n", title, what)
		for _, e := range es {
			fmt.Fprintf(&b, "| %s | %s | %s | run %d (%s) |\n", mdEscape(e.Benchmark.qualified()), mdEscape(e.Unit), mdEscape(e.Series.Key()), e.Run.ID, e.Run.Time.UTC().Format("2006-01-02 15:04"))
		}
		b.WriteString("\n")
	}
	entries("New", "first run", r.New)
	entries("Missing", "last run", r.Missing)
	fmt.Fprintf(&b, "## Trend\n\nGeomean over each series' benchmarks, against each benchmark's typical level (up is worse), oldest to newest.\n\n")
	fmt.Fprintf(&b, "| series | runs | trend | newest |\n|---|--:|---|--:|\n")
	for _, s := range r.Series {
		last := s.Geomean[len(s.Geomean)-1]
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", mdEscape(s.Key()), len(s.Runs), sparkline(s.Geomean, 40), pct(100*(last-1)))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// summaryLine counts what the report found.
func summaryLine(r *Report) string {
	return fmt.Sprintf("%d regressions, %d improvements, %d noisy, %d new, %d missing.",
		len(r.Regressions), len(r.Improvements), len(r.Noisy), len(r.New), len(r.Missing))
}

// qualified returns "package.Name" or "Name".
func (b Benchmark) qualified() string {
	if b.Package == "" {
		return b.Name
	}
	return b.Package + "." + b.Name
}

// pct formats a percentage with its sign.
func pct(v float64) string {
	return fmt.Sprintf("%+.1f%%", v)
}

var mdReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|", "\\", "\\\\",
	"`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "\n", " ", "\r", " ",
)

// mdEscape makes s show as plain text in a Markdown table cell: control
// characters and invalid UTF-8 as Go escapes (termsafe.Escape), whose
// backslash is then doubled like any other.
func mdEscape(s string) string { return mdReplacer.Replace(termsafe.Escape(s)) }

// mdCode shows s as code, or "-" when empty.
func mdCode(s string) string {
	if s == "" {
		return "-"
	}
	return "`" + strings.NewReplacer("`", "'", "|", "\\|").Replace(termsafe.Escape(s)) + "`"
}

// sparkline draws at most width of the newest values with block
// characters, skipping NaN.
func sparkline(v []float64, width int) string {
	v = v[max(0, len(v)-width):]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	const bars = "▁▂▃▄▅▆▇█"
	runes := []rune(bars)
	var b strings.Builder
	for _, x := range v {
		switch {
		case math.IsNaN(x):
			b.WriteRune(' ')
		case hi-lo < 1e-12:
			b.WriteRune(runes[3])
		default:
			b.WriteRune(runes[int(math.Round((x-lo)/(hi-lo)*float64(len(runes)-1)))])
		}
	}
	return b.String()
}

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":       pct,
	"scale":     func(v float64, unit string) string { return benchunit.Scale(v, benchunit.ClassOf(unit)) },
	"date":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"rfc3339":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"percent":   func(v float64) string { return fmt.Sprintf("%.3g%%", 100*v) },
	"histChart": historyChart,
	"trend":     trendChart,
	"summary":   summaryLine,
	"sub":       func(a, b float64) float64 { return a - b },
	"add":       func(a, b float64) float64 { return a + b },
	"mul100":    func(v float64) float64 { return 100 * v },
}).Parse(htmlSource))

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and SVG charts, no scripts and nothing loaded from the network. Every
// name from the data is escaped by html/template.
func WriteHTML(w io.Writer, r *Report) error {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, r); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}
