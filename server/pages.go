package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/internal/mathx"
	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/store"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

var funcs = template.FuncMap{
	"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"scale": func(v float64, unit string) string { return benchunit.Scale(v, benchunit.ClassOf(unit)) },
	// scaleOpt is scale for a statistic that may not exist (no finite value).
	"scaleOpt": func(v *float64, unit string) string {
		if v == nil {
			return "—"
		}
		return benchunit.Scale(*v, benchunit.ClassOf(unit))
	},
	"pct":      mathx.Pct,
	"percent":  func(v float64) string { return fmt.Sprintf("%.3g%%", 100*v) },
	"benchURL": BenchmarkURL,
	"runsWhere": func(k, v string) string {
		return "/runs?" + url.Values{"sel": {k + ":" + strconv.Quote(v)}}.Encode()
	},
	"qualified": func(b nightly.Benchmark) string {
		if b.Package == "" {
			return b.Name
		}
		return b.Package + "." + b.Name
	},
	"ci": func(s SummaryJSON) string {
		if s.Median == nil {
			return ""
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		if s.Lo != nil {
			lo = *s.Lo
		}
		if s.Hi != nil {
			hi = *s.Hi
		}
		return "±" + benchmath.Summary{Center: *s.Median, Lo: lo, Hi: hi}.PctRangeString()
	},
	"cell": func(t *reports.Table, c *reports.Cell) string {
		if c == nil {
			return ""
		}
		return benchunit.Scale(c.Summary.Center, benchunit.ClassOf(t.Unit)) + " ± " + c.Summary.PctRangeString()
	},
	"rowURL": func(opts reports.Options, t *reports.Table, row *reports.Row) string {
		if opts.Row != "" && opts.Row != reports.DefaultRow {
			return "" // rows are not benchmarks
		}
		pkg := ""
		for _, kv := range t.Config() {
			if kv[0] == "pkg" {
				pkg = kv[1]
			}
		}
		return BenchmarkURL(pkg, row.Name, t.Unit)
	},
	"verdictClass": func(v reports.Verdict) string {
		switch v {
		case reports.Regression:
			return "bad"
		case reports.Improvement:
			return "good"
		}
		return "muted"
	},
	"isChange": func(h *nightly.History, i int) bool { return slices.Contains(h.ChangePoints, i) },
	"historyChart": func(h *nightly.History) (template.HTML, error) {
		var b bytes.Buffer
		err := nightly.WriteHistoryChart(&b, h)
		return linkDots(b.String()), err
	},
	"changeChart": func(c *nightly.Change) (template.HTML, error) {
		var b bytes.Buffer
		err := nightly.WriteChangeChart(&b, c)
		return linkDots(b.String()), err
	},
	"trendChart": func(s *nightly.Series) (template.HTML, error) {
		var b bytes.Buffer
		err := nightly.WriteTrendChart(&b, s)
		return linkDots(b.String()), err
	},
}

// dotRE matches a chart's point, whose title starts with its run id.
var dotRE = regexp.MustCompile(`<circle class="dot"[^>]*><title>run (\d+),.*?</title></circle>`)

// linkDots makes each point of a chart (SVG that html/template wrote and
// escaped) a link to its run's page.
func linkDots(svg string) template.HTML {
	return template.HTML(dotRE.ReplaceAllString(svg, `<a href="/runs/$1">$0</a>`))
}

// pages holds one template per page, each with the base layout.
var pages = func() map[string]*template.Template {
	base := template.Must(template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/base.tmpl"))
	m := map[string]*template.Template{}
	for _, name := range []string{"runs", "run", "compare", "report", "benchmark", "login"} {
		m[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".tmpl"))
	}
	return m
}()

// BenchmarkURL returns the path of a benchmark's history page: the name
// in the path (/benchmarks/Encode/size=1k), pkg and unit as parameters
// (unit may be empty: every unit). A name whose path would not survive
// path cleaning (empty, "." or ".." segments) goes in a name parameter.
func BenchmarkURL(pkg, name, unit string) string {
	q := url.Values{"pkg": {pkg}}
	if unit != "" {
		q.Set("unit", unit)
	}
	segs := strings.Split(name, "/")
	clean := true
	for i, s := range segs {
		if s == "" || s == "." || s == ".." {
			clean = false
			break
		}
		segs[i] = url.PathEscape(s)
	}
	if !clean {
		q.Set("name", name)
		return "/benchmarks/?" + q.Encode()
	}
	return "/benchmarks/" + strings.Join(segs, "/") + "?" + q.Encode()
}

// page is what the base layout renders.
type page struct {
	Title string
	Nav   string
	Data  any
}

// render writes the page name with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "base", page{Title: title, Nav: name, Data: data}); err != nil {
		s.internalError(w, r, fmt.Errorf("render %s page: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func serveStyle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(styleCSS)
}

type runRow struct {
	Run  store.Run
	Prev int64 // the run before, or 0
}

// pageRuns is GET /runs: the runs, newest first, with a filter.
func (s *Server) pageRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := struct {
		Sel, Limit, Error, JSONURL string
		Rows                       []runRow
	}{Sel: q.Get("sel"), Limit: q.Get("limit"), JSONURL: "/api/v1/runs?" + r.URL.RawQuery}
	status := http.StatusOK
	runs, err := s.runsFilter(r)
	if err != nil {
		status, data.Error = statusOf(err), err.Error()
	}
	for i := len(runs) - 1; i >= 0; i-- {
		row := runRow{Run: runs[i]}
		if i > 0 {
			row.Prev = runs[i-1].ID
		}
		data.Rows = append(data.Rows, row)
	}
	s.render(w, r, status, "runs", "Runs", data)
}

// pageRun is GET /runs/{id}.
func (s *Server) pageRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.runByPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sums, err := Summaries(r.Context(), s.cfg.Store, run.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var prev int64
	if runs, err := s.cfg.Store.Runs(r.Context()); err == nil {
		for i, x := range runs {
			if x.ID == run.ID && i > 0 {
				prev = runs[i-1].ID
			}
		}
	}
	s.render(w, r, http.StatusOK, "run", fmt.Sprintf("Run %d", run.ID), struct {
		Run        store.Run
		Prev       int64
		Benchmarks []SummaryJSON
	}{run, prev, sums})
}

// pageCompare is GET /compare: a form for two selectors and the table.
func (s *Server) pageCompare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel := q["sel"]
	data := struct {
		Old, New, Col, Filter, Threshold, Error, JSONURL string
		Comparison                                       *reports.Comparison
	}{Col: q.Get("col"), Filter: q.Get("filter"), Threshold: q.Get("threshold"), JSONURL: "/api/v1/compare?" + r.URL.RawQuery}
	if len(sel) > 0 {
		data.Old = sel[0]
	}
	if len(sel) > 1 {
		data.New = sel[1]
	}
	status := http.StatusOK
	sels, opts, err := compareRequest(q)
	if err == nil && len(sels) > 0 {
		data.Comparison, err = reports.Compare(r.Context(), s.cfg.Store, sels, opts)
		err = compareError(err)
	}
	if err != nil {
		status, data.Error = statusOf(err), err.Error()
	}
	s.render(w, r, status, "compare", "Compare", data)
}

// pageReport is GET /report: the nightly report, each change linking to
// its history and runs.
func (s *Server) pageReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := struct {
		Since, Threshold, Error, JSONURL string
		Report                           *nightly.Report
	}{Since: q.Get("since"), Threshold: q.Get("threshold"), JSONURL: "/api/v1/report?" + r.URL.RawQuery}
	status := http.StatusOK
	opt, err := s.reportOptions(q)
	if err == nil {
		data.Report, err = nightly.Build(r.Context(), s.cfg.Store, opt)
	}
	if err != nil {
		status, data.Error = statusOf(err), err.Error()
	}
	s.render(w, r, status, "report", "Report", data)
}

// pageBenchmark is GET /benchmarks/NAME: a benchmark's history in every
// series and unit, with change points.
func (s *Server) pageBenchmark(w http.ResponseWriter, r *http.Request) {
	b, hs, err := s.histories(r)
	data := struct {
		Name, Pkg, Unit, Error, JSONURL string
		Histories                       []*nightly.History
	}{Name: b.Name, Pkg: b.Pkg, Unit: b.Unit, Histories: hs}
	data.JSONURL = strings.Replace(BenchmarkURL(b.Pkg, b.Name, b.Unit), "/benchmarks/", "/api/v1/benchmarks/", 1)
	status := http.StatusOK
	if err != nil {
		status, data.Error = statusOf(err), err.Error()
	} else if len(hs) == 0 {
		status = http.StatusNotFound
	}
	title := b.Name
	if title == "" {
		title = "Benchmark"
	}
	s.render(w, r, status, "benchmark", title, data)
}
