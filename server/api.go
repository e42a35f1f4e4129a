package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/store"
)

// RunJSON is a run as `benchdb runs --format json` prints it.
type RunJSON struct {
	ID      int64             `json:"id"`
	Time    string            `json:"time"`
	Labels  map[string]string `json:"labels"`
	Config  map[string]string `json:"config"`
	Results int               `json:"results"`
}

// NewRunJSON returns r as RunJSON.
func NewRunJSON(r store.Run) RunJSON {
	return RunJSON{ID: r.ID, Time: r.Time.UTC().Format(time.RFC3339Nano), Labels: r.Labels, Config: r.Config, Results: r.Results}
}

// SummaryJSON summarises one benchmark's values in one unit of a run, as
// `benchdb show --format json` does.
type SummaryJSON = reports.Summary

// RunDetailJSON is GET /api/v1/runs/{id}: the JSON of `benchdb show`.
type RunDetailJSON struct {
	RunJSON
	Source       string                 `json:"source"`
	SkippedLines int                    `json:"skipped_lines"`
	Benchmarks   []SummaryJSON          `json:"benchmarks"`
	Profiles     []reports.ProfileEntry `json:"profiles"`
}

// Summaries is the summary of run id that `benchdb show` prints
// (reports.Summarise).
func Summaries(ctx context.Context, src reports.Source, id int64) ([]SummaryJSON, error) {
	return reports.Summarise(ctx, src, id)
}

// selectRuns returns the runs that the selectors sel (reports.Selector
// syntax) match, oldest first; with no selector, every run.
func (s *Server) selectRuns(ctx context.Context, sels []string) ([]store.Run, error) {
	runs, err := s.cfg.Store.Runs(ctx)
	if err != nil {
		return nil, err
	}
	if len(sels) == 0 {
		return runs, nil
	}
	keep := map[int64]bool{}
	for _, text := range sels {
		sel, err := reports.ParseSelector(text)
		if err != nil {
			return nil, &badRequest{err}
		}
		ids, err := sel.Match(runs)
		if err != nil {
			return nil, &badRequest{err}
		}
		for _, id := range ids {
			keep[id] = true
		}
	}
	var out []store.Run
	for _, r := range runs {
		if keep[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// badRequest marks an error in the request (answered with 400).
type badRequest struct{ err error }

func (e *badRequest) Error() string { return e.err.Error() }
func (e *badRequest) Unwrap() error { return e.err }

// statusOf returns the status an error gets: 400 for a badRequest or an
// option error, 404 for a missing run or an empty store, 500 otherwise.
func statusOf(err error) int {
	var br *badRequest
	var oe *reports.OptionError
	switch {
	case errors.As(err, &br), errors.As(err, &oe):
		return http.StatusBadRequest
	case errors.Is(err, store.ErrNoRun), errors.Is(err, nightly.ErrNoRuns):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// fail answers err with the status statusOf gives it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpError(w, r, statusOf(err), "%v", err)
}

// runsFilter reads GET /api/v1/runs and /runs parameters: sel=SELECTOR
// (repeatable; runs any of them match) and limit=N (the newest N).
func (s *Server) runsFilter(r *http.Request) ([]store.Run, error) {
	q := r.URL.Query()
	runs, err := s.selectRuns(r.Context(), nonEmpty(q["sel"]))
	if err != nil {
		return nil, err
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return nil, &badRequest{fmt.Errorf("limit %q: want a positive number", l)}
		}
		if len(runs) > n {
			runs = runs[len(runs)-n:]
		}
	}
	return runs, nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// apiRuns is GET /api/v1/runs: the JSON of `benchdb runs`, oldest first.
func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request) {
	runs, err := s.runsFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]RunJSON, 0, len(runs))
	for _, run := range runs {
		out = append(out, NewRunJSON(run))
	}
	writeJSON(w, http.StatusOK, out)
}

// runByPath resolves the {id} of a path: a run id, latest, latest~N, or
// a label query that matches one run.
func (s *Server) runByPath(r *http.Request) (store.Run, error) {
	text := r.PathValue("id")
	sel, err := reports.ParseSelector(text)
	if err != nil || sel.Name != sel.Text {
		return store.Run{}, &badRequest{fmt.Errorf("run %q: want a run id, latest, latest~N or a label query", text)}
	}
	runs, err := s.cfg.Store.Runs(r.Context())
	if err != nil {
		return store.Run{}, err
	}
	ids, err := sel.Match(runs)
	if err != nil {
		return store.Run{}, fmt.Errorf("run %s: %w", text, store.ErrNoRun)
	}
	if len(ids) != 1 {
		return store.Run{}, &badRequest{fmt.Errorf("run %s matches %d runs; want one", text, len(ids))}
	}
	return s.cfg.Store.Run(r.Context(), ids[0])
}

// apiRun is GET /api/v1/runs/{id}: the JSON of `benchdb show`.
func (s *Server) apiRun(w http.ResponseWriter, r *http.Request) {
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
	profiles, err := s.cfg.Store.Profiles(r.Context(), run.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RunDetailJSON{RunJSON: NewRunJSON(run), Source: run.Source, SkippedLines: run.SkippedLines,
		Benchmarks: sums, Profiles: reports.ProfileEntries(profiles)})
}

// apiExport is GET /api/v1/runs/{id}/export: the run in the Go benchmark
// format, as `benchdb export` writes it.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	run, err := s.runByPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.cfg.Store.Export(r.Context(), &buf, run.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(buf.Bytes())
}

// compareRequest reads the compare parameters: sel (repeatable, at least
// one), col, row, table, filter, ignore, alpha, confidence, threshold,
// fdr, sort=delta: the flags of `benchdb compare`.
func compareRequest(q url.Values) ([]reports.Selector, reports.Options, error) {
	var sels []reports.Selector
	for _, text := range nonEmpty(q["sel"]) {
		sel, err := reports.ParseSelector(text)
		if err != nil {
			return nil, reports.Options{}, &badRequest{err}
		}
		sels = append(sels, sel)
	}
	opts := reports.Options{
		Table: q.Get("table"), Row: q.Get("row"), Col: q.Get("col"),
		Filter: q.Get("filter"), Ignore: q.Get("ignore"),
		SortByDelta: q.Get("sort") == "delta",
	}
	floats := []struct {
		name string
		dst  *float64
		ok   func(float64) bool
	}{
		{"alpha", &opts.Alpha, func(v float64) bool { return v > 0 && v <= 1 }},
		{"confidence", &opts.Confidence, func(v float64) bool { return v > 0 && v <= 1 }},
		{"threshold", &opts.Threshold, func(v float64) bool { return v >= 0 && v < 1e6 }},
	}
	for _, f := range floats {
		if v := q.Get(f.name); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || !f.ok(x) {
				return nil, opts, &badRequest{fmt.Errorf("%s %q: out of range or not a number", f.name, v)}
			}
			*f.dst = x
		}
	}
	if v := q.Get("fdr"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, opts, &badRequest{fmt.Errorf("fdr %q: want 1 or 0", v)}
		}
		opts.FDR = b
	}
	if s := q.Get("sort"); s != "" && s != "name" && s != "delta" {
		return nil, opts, &badRequest{fmt.Errorf("sort %q: want name or delta", s)}
	}
	return sels, opts, nil
}

// apiCompare is GET /api/v1/compare: the JSON of `benchdb compare`.
func (s *Server) apiCompare(w http.ResponseWriter, r *http.Request) {
	sels, opts, err := compareRequest(r.URL.Query())
	if err == nil && len(sels) == 0 {
		err = &badRequest{errors.New("want at least one sel=SELECTOR (a run id, latest, latest~N or a label query)")}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cmp, err := reports.Compare(r.Context(), s.cfg.Store, sels, opts)
	if err != nil {
		s.fail(w, r, compareError(err))
		return
	}
	var buf bytes.Buffer
	if err := cmp.WriteJSON(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}

// compareError makes a selector that matches nothing a bad request.
func compareError(err error) error {
	if err == nil {
		return nil
	}
	var oe *reports.OptionError
	if errors.As(err, &oe) || errors.Is(err, context.Canceled) {
		return err
	}
	if msg := err.Error(); strings.Contains(msg, "matches no run") || strings.Contains(msg, "used twice") {
		return &badRequest{err}
	}
	return err
}

// reportOptions reads the report parameters: since (a duration such as
// 36h or 7d), series (comma-separated keys), baseline, threshold (percent),
// alpha, seed: the flags of `benchdb report`.
func (s *Server) reportOptions(q url.Values) (nightly.Options, error) {
	opt := nightly.Options{Seed: 1, Now: s.cfg.Now}
	if v := q.Get("since"); v != "" {
		d, err := parseDays(v)
		if err != nil || d <= 0 {
			return opt, &badRequest{fmt.Errorf("since %q: want a positive duration such as 36h or 7d", v)}
		}
		opt.Since = d
	}
	if v := q.Get("series"); v != "" {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				opt.Series = append(opt.Series, k)
			}
		}
	}
	if v := q.Get("baseline"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return opt, &badRequest{fmt.Errorf("baseline %q: want at least 1", v)}
		}
		opt.Baseline = n
	}
	if v := q.Get("threshold"); v != "" {
		pct, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err != nil || !(pct > 0 && pct < 1000) {
			return opt, &badRequest{fmt.Errorf("threshold %q: want a percentage above 0, such as 5", v)}
		}
		opt.Threshold = pct / 100
	}
	if v := q.Get("alpha"); v != "" {
		a, err := strconv.ParseFloat(v, 64)
		if err != nil || !(a > 0 && a < 1) {
			return opt, &badRequest{fmt.Errorf("alpha %q: want a number between 0 and 1", v)}
		}
		opt.Alpha = a
	}
	if v := q.Get("seed"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return opt, &badRequest{fmt.Errorf("seed %q: want a whole number", v)}
		}
		opt.Seed = n
	}
	return opt, nil
}

// parseDays parses a Go duration, or a whole number of days ("7d").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		if days > 100000 || days < 0 {
			return 0, fmt.Errorf("%s: out of range", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// apiReport is GET /api/v1/report: the JSON of `benchdb report`.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	opt, err := s.reportOptions(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := nightly.Build(r.Context(), s.cfg.Store, opt)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := nightly.WriteJSON(&buf, rep); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}

// benchRequest identifies the benchmark of a history request: its full
// name from the path (/benchmarks/NAME) or the name parameter, pkg, and
// optionally unit.
type benchRequest struct {
	Pkg, Name, Unit string
	// PkgSet reports whether pkg was given (an empty package is a
	// package too: results without a pkg line).
	PkgSet bool
}

func parseBenchRequest(r *http.Request) (benchRequest, error) {
	q := r.URL.Query()
	b := benchRequest{Name: r.PathValue("name"), Pkg: q.Get("pkg"), Unit: q.Get("unit"), PkgSet: q.Has("pkg")}
	if n := q.Get("name"); n != "" {
		b.Name = n
	}
	b.Name = strings.TrimPrefix(b.Name, "Benchmark")
	if b.Name == "" {
		return b, &badRequest{errors.New("want a benchmark: /benchmarks/NAME or name=NAME, with pkg=PKG")}
	}
	return b, nil
}

func (b benchRequest) match(pkg, name string) bool {
	return name == b.Name && (!b.PkgSet || pkg == b.Pkg)
}

// HistoryJSON is GET /api/v1/benchmarks/NAME: one benchmark's history,
// per series and unit.
type HistoryJSON struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	// ChangePoints are indices into Points where a new level starts.
	ChangePoints []int       `json:"change_points"`
	Points       []PointJSON `json:"points"`
}

// PointJSON is one run of a history: the median of its samples with the
// 95% confidence interval (the sample range when there are too few
// samples for one), in base units.
type PointJSON struct {
	Run    int64   `json:"run"`
	Time   string  `json:"time"`
	Commit *string `json:"commit"`
	Median float64 `json:"median"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	N      int     `json:"n"`
}

// histories reads a benchmark's histories, for the API and its page.
func (s *Server) histories(r *http.Request) (benchRequest, []*nightly.History, error) {
	b, err := parseBenchRequest(r)
	if err != nil {
		return b, nil, err
	}
	opt, err := s.reportOptions(r.URL.Query())
	if err != nil {
		return b, nil, err
	}
	hs, err := nightly.Histories(r.Context(), s.cfg.Store, opt, b.match)
	if err != nil {
		return b, nil, err
	}
	if b.Unit != "" {
		var keep []*nightly.History
		for _, h := range hs {
			if h.Unit == b.Unit {
				keep = append(keep, h)
			}
		}
		hs = keep
	}
	return b, hs, nil
}

// apiBenchmark is GET /api/v1/benchmarks/NAME?pkg=PKG[&unit=UNIT]: a list
// of HistoryJSON, one per series and unit; 404 when the benchmark never
// ran.
func (s *Server) apiBenchmark(w http.ResponseWriter, r *http.Request) {
	b, hs, err := s.histories(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(hs) == 0 {
		httpError(w, r, http.StatusNotFound, "no results of benchmark %s", b.Name)
		return
	}
	out := make([]HistoryJSON, 0, len(hs))
	for _, h := range hs {
		j := HistoryJSON{Benchmark: h.Name, Package: h.Package, Unit: h.Unit, Series: h.Series.Labels, ChangePoints: h.ChangePoints, Points: []PointJSON{}}
		if j.ChangePoints == nil {
			j.ChangePoints = []int{}
		}
		for _, p := range h.Points {
			pj := PointJSON{Run: p.Run.ID, Time: p.Run.Time.UTC().Format(time.RFC3339Nano), Median: p.Median, Lo: p.Lo, Hi: p.Hi, N: p.N}
			if c, ok := p.Run.Labels["commit"]; ok {
				pj.Commit = &c
			}
			j.Points = append(j.Points, pj)
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, out)
}
