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

	"github.com/benchdb/benchdb/internal/mathx"
	"github.com/benchdb/benchdb/internal/mdtext"
	"github.com/benchdb/benchdb/internal/termsafe"
)

// WriteJSON writes the report as JSON:
//
//	{"generated": RFC3339, "judged": N,
//	 "series": [{"labels": {...}, "runs": N, "trend": [RATIO], "machine": [RATIO]}],
//	 "regressions": [CHANGE], "improvements": [CHANGE], "suspects": [CHANGE],
//	 "noisy": [{"benchmark", "package", "unit", "series", "cv", "run_cv", "mde"}],
//	 "shifts": [SHIFT], "pending": [PENDING],
//	 "new": [ENTRY], "missing": [ENTRY]}
//
// (suspects: see Report.Suspects) where CHANGE is {"benchmark", "package", "unit", "series": {labels},
// "pct", "lo_pct", "hi_pct", "p", "raw_p", "mde_pct", "noise_pct", "noisy",
// "nights", "baseline_runs", "machine_pct", "stretch_pct", "drift_pct", "corrected",
// "change_run", "change_time", "good_run", "commit", "confirm", "ab"}
// (commit is null without a commit label; confirm, for a regression, the
// benchdb ab command that measures it again (Change.Confirm), null
// where there is none; ab the stored benchdb ab measurement of the two
// commits that was read (Change.AB), AB, or null; p is the Benjamini-Hochberg adjusted p-value;
// nights the runs at the new level; machine_pct the probe's change that
// night, stretch_pct the change of the stretch of the benchmark's
// package (runner.TaskClock) and drift_pct the series geomean's, null
// when unknown); SHIFT is
// {"benchmark", "package", "unit", "series", "run", "time", "good_run",
// "commit", "pct", "nights", "machine", "ab"} (machine: the runs on both
// sides are of one commit; ab: the AB of the change that starts there, or
// null); PENDING is {"benchmark", "package", "unit", "series",
// "runs", "pct", "p", "wait", "ab"} (see Pending; ab, an AB, the
// measurements that refuted the change, or null); AB is {"id",
// "measurements", "old_run", "new_run", "rounds", "pct", "lo_pct",
// "hi_pct", "p", "verdict"} (the newest measurement's id and runs, how
// many were pooled; verdict "confirmed", "refuted" or "undecided", see
// ABCheck); and ENTRY is {"benchmark", "package", "unit",
// "series", "run", "time"}, a missing one's with "not_measured" (the
// newest run's value where it was not a measurement, "NaN"; omitted
// where the newest run did not have the benchmark). A RATIO is a run's level against the typical
// one (1.1: 10% slower), null where unknown; "machine" is null without a
// probe. Lists are never null, and no number is NaN or infinite: a value
// that is not finite is null.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{
		Generated:    r.Generated.UTC().Format(time.RFC3339),
		Judged:       r.Judged,
		Series:       []jsonSeries{},
		Regressions:  jsonChanges(r.Regressions),
		Improvements: jsonChanges(r.Improvements),
		Suspects:     jsonChanges(r.Suspects),
		Noisy:        []jsonNoisy{},
		Shifts:       []jsonShift{},
		Pending:      []jsonPending{},
		New:          jsonEntries(r.New),
		Missing:      jsonEntries(r.Missing),
	}
	for _, s := range r.Series {
		js := jsonSeries{Labels: s.Labels, Runs: len(s.Runs), Trend: finites(s.Geomean)}
		if s.Machine != nil {
			js.Machine = finites(s.Machine)
		}
		out.Series = append(out.Series, js)
	}
	for _, n := range r.Noisy {
		out.Noisy = append(out.Noisy, jsonNoisy{
			Benchmark: n.Name, Package: n.Package, Unit: n.Unit, Series: n.Series.Labels,
			CV: mathx.Finite(n.CV), RunCV: mathx.Finite(n.RunCV), MDE: mathx.Finite(n.MDE),
		})
	}
	for _, sh := range r.Shifts {
		j := jsonShift{Benchmark: sh.Name, Package: sh.Package, Unit: sh.Unit, Series: sh.Series.Labels,
			Run: sh.Run.ID, Time: sh.Run.Time.UTC().Format(time.RFC3339), GoodRun: sh.Good.ID,
			Pct: mathx.Finite(sh.Pct), Nights: sh.Nights, Machine: sh.Machine, AB: jsonABCheck(sh.AB)}
		if c := sh.Commit(); c != "" {
			j.Commit = &c
		}
		out.Shifts = append(out.Shifts, j)
	}
	for _, p := range r.Pending {
		out.Pending = append(out.Pending, jsonPending{Benchmark: p.Name, Package: p.Package, Unit: p.Unit, Series: p.Series.Labels,
			Runs: p.Runs, Pct: mathx.Finite(p.Pct), P: mathx.Finite(p.P), Wait: p.Wait, AB: jsonABCheck(p.AB)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// finites applies mathx.Finite to each value.
func finites(v []float64) []*float64 {
	out := make([]*float64, len(v))
	for i, x := range v {
		out[i] = mathx.Finite(x)
	}
	return out
}

type jsonReport struct {
	Generated    string        `json:"generated"`
	Judged       int           `json:"judged"`
	Series       []jsonSeries  `json:"series"`
	Regressions  []jsonChange  `json:"regressions"`
	Improvements []jsonChange  `json:"improvements"`
	Suspects     []jsonChange  `json:"suspects"`
	Noisy        []jsonNoisy   `json:"noisy"`
	Shifts       []jsonShift   `json:"shifts"`
	Pending      []jsonPending `json:"pending"`
	New          []jsonEntry   `json:"new"`
	Missing      []jsonEntry   `json:"missing"`
}

type jsonSeries struct {
	Labels  map[string]string `json:"labels"`
	Runs    int               `json:"runs"`
	Trend   []*float64        `json:"trend"`
	Machine []*float64        `json:"machine"`
}

type jsonChange struct {
	Benchmark    string            `json:"benchmark"`
	Package      string            `json:"package"`
	Unit         string            `json:"unit"`
	Series       map[string]string `json:"series"`
	Pct          *float64          `json:"pct"`
	LoPct        *float64          `json:"lo_pct"`
	HiPct        *float64          `json:"hi_pct"`
	P            *float64          `json:"p"`
	RawP         *float64          `json:"raw_p"`
	MDEPct       *float64          `json:"mde_pct"`
	NoisePct     *float64          `json:"noise_pct"`
	Noisy        bool              `json:"noisy"`
	Nights       int               `json:"nights"`
	BaselineRuns int               `json:"baseline_runs"`
	MachinePct   *float64          `json:"machine_pct"`
	StretchPct   *float64          `json:"stretch_pct"`
	DriftPct     *float64          `json:"drift_pct"`
	Corrected    bool              `json:"corrected"`
	ChangeRun    int64             `json:"change_run"`
	ChangeTime   string            `json:"change_time"`
	GoodRun      int64             `json:"good_run"`
	Commit       *string           `json:"commit"`
	Confirm      *string           `json:"confirm"`
	AB           *jsonAB           `json:"ab"`
}

type jsonAB struct {
	ID           string   `json:"id"`
	Measurements int      `json:"measurements"`
	OldRun       int64    `json:"old_run"`
	NewRun       int64    `json:"new_run"`
	Rounds       int      `json:"rounds"`
	Pct          *float64 `json:"pct"`
	LoPct        *float64 `json:"lo_pct"`
	HiPct        *float64 `json:"hi_pct"`
	P            *float64 `json:"p"`
	Verdict      string   `json:"verdict"`
}

func jsonABCheck(a *ABCheck) *jsonAB {
	if a == nil {
		return nil
	}
	return &jsonAB{ID: a.ID, Measurements: a.Measurements, OldRun: a.Old.ID, NewRun: a.New.ID, Rounds: a.Rounds,
		Pct: mathx.Finite(a.Pct), LoPct: mathx.Finite(a.LoPct), HiPct: mathx.Finite(a.HiPct), P: mathx.Finite(a.P), Verdict: a.Verdict}
}

type jsonNoisy struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	CV        *float64          `json:"cv"`
	RunCV     *float64          `json:"run_cv"`
	MDE       *float64          `json:"mde"`
}

type jsonShift struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	Run       int64             `json:"run"`
	Time      string            `json:"time"`
	GoodRun   int64             `json:"good_run"`
	Commit    *string           `json:"commit"`
	Pct       *float64          `json:"pct"`
	Nights    int               `json:"nights"`
	Machine   bool              `json:"machine"`
	AB        *jsonAB           `json:"ab"`
}

type jsonPending struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	Runs      int               `json:"runs"`
	Pct       *float64          `json:"pct"`
	P         *float64          `json:"p"`
	Wait      bool              `json:"wait"`
	AB        *jsonAB           `json:"ab"`
}

type jsonEntry struct {
	Benchmark string            `json:"benchmark"`
	Package   string            `json:"package"`
	Unit      string            `json:"unit"`
	Series    map[string]string `json:"series"`
	Run       int64             `json:"run"`
	Time      string            `json:"time"`
	// NotMeasured (missing benchmarks only): what the newest run gave
	// where that was not a measurement ("NaN", "+Inf", "-1").
	NotMeasured string `json:"not_measured,omitempty"`
}

func jsonChanges(cs []*Change) []jsonChange {
	out := []jsonChange{}
	for _, c := range cs {
		j := jsonChange{
			Benchmark: c.Name, Package: c.Package, Unit: c.Unit, Series: c.Series.Labels,
			Pct: mathx.Finite(c.Pct), LoPct: mathx.Finite(c.LoPct), HiPct: mathx.Finite(c.HiPct), P: mathx.Finite(c.P), RawP: mathx.Finite(c.RawP),
			MDEPct: mathx.Finite(c.MDE), NoisePct: mathx.Finite(c.Noise), Noisy: c.Noisy,
			Nights: c.Current, BaselineRuns: c.Baseline,
			MachinePct: mathx.Finite(c.Machine), StretchPct: mathx.Finite(c.Stretch), DriftPct: mathx.Finite(c.Drift), Corrected: c.Corrected,
			ChangeRun: c.Change.ID, ChangeTime: c.Change.Time.UTC().Format(time.RFC3339), GoodRun: c.Good.ID,
			AB: jsonABCheck(c.AB),
		}
		if cmd := c.Confirm(); cmd != "" && c.Kind() == "regression" {
			j.Confirm = &cmd
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
			Run: e.Run.ID, Time: e.Run.Time.UTC().Format(time.RFC3339), NotMeasured: e.NotMeasured,
		})
	}
	return out
}

// maxConfirms is the most confirming commands a Markdown report lists.
const maxConfirms = 10

// confirms returns the largest regressions of cs (sorted by size) that
// have a confirming command, at most maxConfirms.
func confirms(cs []*Change) []*Change {
	var out []*Change
	for _, c := range cs {
		if len(out) < maxConfirms && c.Confirm() != "" {
			out = append(out, c)
		}
	}
	return out
}

// Newest says what a missing benchmark's newest run gave it.
func (e *Entry) Newest() string {
	if e.NotMeasured != "" {
		return e.NotMeasured + ", not a measurement"
	}
	return "absent"
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown, for a CI
// job summary. Names from the data are escaped so that they show as text.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b bytes.Buffer
	o := r.Options
	fmt.Fprintf(&b, "# Benchmark report\n\n")
	fmt.Fprintf(&b, "Generated %s over %d series. %s\n\n", r.Generated.UTC().Format(time.RFC3339), len(r.Series), summaryLine(r))
	fmt.Fprintf(&b, "%s\n\n", methodLine(o))
	changes := func(title string, cs []*Change) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "## %s\n\n", title)
		fmt.Fprintf(&b, "| benchmark | unit | series | change | %g%% CI | can reveal | nights | machine | since | commit |\n", 100*o.Confidence)
		fmt.Fprintf(&b, "|---|---|---|--:|--:|--:|--:|--:|---|---|\n")
		for _, c := range cs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s … %s | ±%.3g%%%s | %d vs %d | %s | run %d (%s), after run %d | %s |\n",
				mdtext.Escape(c.Benchmark.qualified()), mdtext.Escape(c.Unit), mdtext.Escape(c.Series.Key()), pct(c.Pct), pct(c.LoPct), pct(c.HiPct),
				c.MDE, noisyMark(c.Noisy), c.Current, c.Baseline, machineCell(c),
				c.Change.ID, c.Change.Time.UTC().Format("2006-01-02 15:04"), c.Good.ID, mdCode(c.Commit()))
		}
		b.WriteString("\n")
	}
	changes("Regressions", r.Regressions)
	checked := func(cs []*Change) {
		var list []*Change
		for _, c := range cs {
			if c.AB != nil {
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			return
		}
		b.WriteString("Measured again with `benchdb ab`, the two commits alternating on one machine:\n\n")
		for _, c := range list {
			fmt.Fprintf(&b, "- %s: %s\n", mdtext.Escape(c.Benchmark.qualified()), mdtext.Escape(c.AB.String()))
		}
		b.WriteString("\n")
	}
	checked(r.Regressions)
	if cmds := confirms(r.Regressions); len(cmds) > 0 {
		b.WriteString("To measure a regression again, run the two commits' test binaries alternately on one machine, so that a shift of the machine's level falls on both alike (from the module's root; README, \"A/B runs\"):\n\n")
		for _, c := range cmds {
			// Confirm holds no backtick and no control character.
			fmt.Fprintf(&b, "- %s: `%s`\n", mdtext.Escape(c.Benchmark.qualified()), c.Confirm())
		}
		b.WriteString("\n")
	}
	changes("Improvements", r.Improvements)
	checked(r.Improvements)
	if len(r.Suspects) > 0 {
		fmt.Fprintf(&b, "## Suspects\n\nSlowdowns of the threshold or more that the nights cannot yet tell from their noise (p ≤ %g against it, where a regression needs %g), or whose newest 2 or 3 nights were each slower than every night before them: not alarms. Each command measures one again, the two commits alternating on one machine; run it into this store and report again: a suspect it confirms becomes a regression, one it refutes leaves the list.\n\n", suspectAlpha, noiseAlpha)
		fmt.Fprintf(&b, "| benchmark | unit | series | change | p | since | commit |\n|---|---|---|--:|--:|---|---|\n")
		for _, c := range r.Suspects {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2g | run %d (%s), after run %d | %s |\n",
				mdtext.Escape(c.Benchmark.qualified()), mdtext.Escape(c.Unit), mdtext.Escape(c.Series.Key()), pct(c.Pct), c.RawP,
				c.Change.ID, c.Change.Time.UTC().Format("2006-01-02 15:04"), c.Good.ID, mdCode(c.Commit()))
		}
		b.WriteString("\n")
		checked(r.Suspects)
		header := "To measure them again (from the module's root, or benchdb report --confirm):\n\n"
		for _, c := range r.Suspects {
			if cmd := c.Confirm(); cmd != "" {
				// Confirm holds no backtick and no control character.
				fmt.Fprintf(&b, "%s- %s: `%s`\n", header, mdtext.Escape(c.Benchmark.qualified()), cmd)
				header = ""
			}
		}
		if header == "" {
			b.WriteString("\n")
		}
	}
	if len(r.Shifts) > 0 {
		fmt.Fprintf(&b, "## Change points\n\nEvery change of level that started in the window, oldest first; \"machine\" when the runs on both sides are of one commit or benchdb ab found no such change between them, \"code\" when ab found it.\n\n")
		fmt.Fprintf(&b, "| run | commit | benchmark | unit | series | change | nights | cause |\n|---|---|---|---|---|--:|--:|---|\n")
		for _, s := range r.Shifts {
			fmt.Fprintf(&b, "| %d (%s) | %s | %s | %s | %s | %s | %d | %s |\n", s.Run.ID, s.Run.Time.UTC().Format("2006-01-02 15:04"), mdCode(s.Commit()),
				mdtext.Escape(s.Benchmark.qualified()), mdtext.Escape(s.Unit), mdtext.Escape(s.Series.Key()), pct(s.Pct), s.Nights, s.Cause())
		}
		b.WriteString("\n")
	}
	if len(r.Noisy) > 0 {
		fmt.Fprintf(&b, "## Noisy (judged, with a higher bar)\n\nTheir night-to-night noise lets only changes larger than ±%.3g%% be seen in one night; larger changes are still reported above.\n\n", 100*o.Noise)
		fmt.Fprintf(&b, "| benchmark | unit | series | night-to-night | can reveal | sample CV |\n|---|---|---|--:|--:|--:|\n")
		for _, n := range r.Noisy {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | ±%s | %s |\n", mdtext.Escape(n.Benchmark.qualified()), mdtext.Escape(n.Unit), mdtext.Escape(n.Series.Key()),
				pctAbs(100*n.RunCV), pctAbs(100*n.MDE), pctAbs(100*n.CV))
		}
		b.WriteString("\n")
	}
	if len(r.Pending) > 0 {
		fmt.Fprintf(&b, "## Pending\n\nNot alarms yet. \"Too short\": fewer than %d earlier runs, so a change that a within-run test sees cannot be told from the machine's night-to-night noise. \"One night\": the newest night alone moved, and the benchmark has jumped as far before and come back; a second night will tell. \"ab: no such change\": the history moved, but the two commits measured alternately on one machine (benchdb ab) did not differ so: the machine moved, not the code.\n\n", minBaseline)
		fmt.Fprintf(&b, "| benchmark | unit | series | runs | why | change | p |\n|---|---|---|--:|---|--:|--:|\n")
		for _, p := range r.Pending {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %.2g |\n", mdtext.Escape(p.Benchmark.qualified()), mdtext.Escape(p.Unit), mdtext.Escape(p.Series.Key()), p.Runs, p.Why(), pct(p.Pct), p.P)
		}
		b.WriteString("\n")
	}
	entries := func(title, what string, es []*Entry, newest bool) {
		if len(es) == 0 {
			return
		}
		fmt.Fprintf(&b, "## %s\n\n| benchmark | unit | series | %s |", title, what)
		if newest {
			b.WriteString(" newest run |\n|---|---|---|---|---|\n")
		} else {
			b.WriteString("\n|---|---|---|---|\n")
		}
		for _, e := range es {
			fmt.Fprintf(&b, "| %s | %s | %s | run %d (%s) |", mdtext.Escape(e.Benchmark.qualified()), mdtext.Escape(e.Unit), mdtext.Escape(e.Series.Key()), e.Run.ID, e.Run.Time.UTC().Format("2006-01-02 15:04"))
			if newest {
				fmt.Fprintf(&b, " %s |", e.Newest())
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	entries("New", "first run", r.New, false)
	entries("Missing", "last run", r.Missing, true)
	fmt.Fprintf(&b, "## Trend\n\nGeomean over each series' benchmarks, against each benchmark's typical level (up is worse), oldest to newest; machine: the calibration probe's time (up is slower).\n\n")
	fmt.Fprintf(&b, "| series | runs | trend | newest | machine | newest |\n|---|--:|---|--:|---|--:|\n")
	for _, s := range r.Series {
		mline, mlast := "-", "-"
		if s.Machine != nil {
			mline, mlast = sparkline(s.Machine, 40), lastPct(s.Machine)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", mdtext.Escape(s.Key()), len(s.Runs), sparkline(s.Geomean, 40), lastPct(s.Geomean), mline, mlast)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Why says why a change is pending: "too short", "one night", or "ab: no
// such change" with what benchdb ab measured.
func (p *Pending) Why() string {
	if p.AB != nil {
		return fmt.Sprintf("ab: no such change (%s [%s, %s], %d rounds)", pct(p.AB.Pct), pct(p.AB.LoPct), pct(p.AB.HiPct), p.AB.Rounds)
	}
	if p.Wait {
		return "one night"
	}
	return "too short"
}

// methodLine says how changes are judged.
func methodLine(o Options) string {
	return fmt.Sprintf("Each benchmark's current level (the runs since its last change point, or the newest run) against up to %d earlier runs, "+
		"judged against its own night-to-night noise: reported when the change is at least %.3g%%, significant at p ≤ %g against that noise, "+
		"and within a false discovery rate of %g across the report. Runs of one commit on both sides of a change are the machine, not the code.",
		o.Baseline, 100*o.Threshold, noiseAlpha, o.Alpha)
}

// noisyMark marks the minimum detectable effect of a noisy benchmark.
func noisyMark(noisy bool) string {
	if noisy {
		return " (noisy)"
	}
	return ""
}

// machineCell shows the machine's speed change on the night of a change,
// from the probe and from the stretch of the benchmark's package, and the
// series' geomean drift.
func machineCell(c *Change) string {
	var parts []string
	if !math.IsNaN(c.Machine) {
		parts = append(parts, "probe "+pct(c.Machine))
	}
	if !math.IsNaN(c.Stretch) {
		parts = append(parts, "CPU wait "+pct(c.Stretch))
	}
	if !math.IsNaN(c.Drift) {
		parts = append(parts, "suite "+pct(c.Drift))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// lastPct formats the newest finite ratio of v as a change in percent, or
// "n/a".
func lastPct(v []float64) string {
	for i := len(v) - 1; i >= 0; i-- {
		if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
			return pct(100 * (v[i] - 1))
		}
	}
	return "n/a"
}

// pctAbs formats a non-negative percentage, "n/a" when not finite.
func pctAbs(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.3g%%", v)
}

// summaryLine counts what the report found (suspects only where there
// are some).
func summaryLine(r *Report) string {
	suspects := ""
	if n := len(r.Suspects); n > 0 {
		suspects = ", " + plural(n, "suspect")
	}
	return fmt.Sprintf("%s, %s%s, %d noisy, %d new, %d missing.",
		plural(len(r.Regressions), "regression"), plural(len(r.Improvements), "improvement"), suspects, len(r.Noisy), len(r.New), len(r.Missing))
}

// Summary returns the one-line count of what r found, such as
// "1 regression, 0 improvements, 2 noisy, 0 new, 0 missing".
func Summary(r *Report) string { return strings.TrimSuffix(summaryLine(r), ".") }

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// qualified returns "package.Name" or "Name".
func (b Benchmark) qualified() string {
	if b.Package == "" {
		return b.Name
	}
	return b.Package + "." + b.Name
}

// pct formats a percentage with its sign (mathx.Pct).
func pct(v float64) string { return mathx.Pct(v) }

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
	"percent":   func(v float64) string { return pctAbs(100 * v) },
	"histChart": historyChart,
	"trend":     trendChart,
	"machine":   machineChart,
	"charted":   func(v []float64) bool { return finiteCount(v) >= 2 },
	"method":    methodLine,
	"machineOf": machineCell,
	"why":       func(p *Pending) string { return p.Why() },
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
