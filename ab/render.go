package ab

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/internal/mathx"
	"github.com/benchdb/benchdb/internal/mdtext"
	"github.com/benchdb/benchdb/internal/termsafe"
)

// orderName says how the rounds were ordered.
func (a *Analysis) orderName() string {
	if a.Sequential {
		return "sequential (all old, then all new)"
	}
	return fmt.Sprintf("interleaved (ABBA/BAAB, seed %d)", a.Seed)
}

// withinText says how a round's repetitions were summarised, or "" when
// each round had one value.
func (a *Analysis) withinText() string {
	if a.Repetitions <= 1 {
		return ""
	}
	return fmt.Sprintf(", %s of up to %d repetitions per round", a.Within, a.Repetitions)
}

func pct(ratio float64) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "-"
	}
	return mathx.Pct((ratio - 1) * 100)
}

func interval(r Row) string {
	if math.IsNaN(r.Lo) {
		return "-"
	}
	return "[" + pct(r.Lo) + ", " + pct(r.Hi) + "]"
}

func verdictText(r Row) string {
	if r.Verdict == "" {
		return "need >= 6 rounds"
	}
	return r.Verdict
}

func resolution(r Row) string {
	if math.IsNaN(r.Resolution) {
		return "-"
	}
	return fmt.Sprintf("±%.1f%%", (r.Resolution-1)*100)
}

func pValue(p float64) string {
	if math.IsNaN(p) {
		return "-"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

func value(v float64, unit string) string {
	if math.IsNaN(v) {
		return "-"
	}
	return benchunit.Scale(v, benchunit.ClassOf(unit))
}

// groups returns the rows split by package and unit, in row order, and
// the units left out because no value changed in any round (such as
// allocs/op of code that never allocates).
func (a *Analysis) groups() (groups [][]Row, constant []string) {
	var out [][]Row
	for i, r := range a.Rows {
		if i == 0 || r.Package != a.Rows[i-1].Package || r.Unit != a.Rows[i-1].Unit {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	for _, g := range out {
		if !slices.ContainsFunc(g, func(r Row) bool { return r.Lo != 1 || r.Hi != 1 || r.Ratio != 1 }) {
			if !slices.Contains(constant, g[0].Unit) {
				constant = append(constant, g[0].Unit)
			}
			continue
		}
		groups = append(groups, g)
	}
	return groups, constant
}

// WriteText writes the report as aligned text tables, one per package and
// unit, followed by the warnings and, for an A/A test, what it says about
// the setup.
func (rep *Report) WriteText(w io.Writer) error {
	a := rep.Analysis
	var b strings.Builder
	fmt.Fprintf(&b, "ab %s: %d rounds, %s%s, %.0f%% confidence", rep.ID, a.Rounds, a.orderName(), a.withinText(), a.Confidence*100)
	if a.Threshold > 0 {
		fmt.Fprintf(&b, ", threshold %g%%", a.Threshold)
	}
	if rep.Elapsed > 0 {
		fmt.Fprintf(&b, ", %s", rep.Elapsed.Round(time.Second))
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, s := range []struct {
		name string
		rev  Revision
	}{{"old", a.Old}, {"new", a.New}} {
		fmt.Fprintf(tw, "%s:\t%s\t%s\t%s\n", s.name, termsafe.Escape(s.rev.Name), s.rev.Short(), termsafe.Escape(s.rev.Subject))
	}
	tw.Flush()
	if st := rep.Stored; st != nil {
		fmt.Fprintf(&b, "stored as runs %d (old) and %d (new): benchdb compare old=%d new=%d\n", st.OldRun, st.NewRun, st.OldRun, st.NewRun)
	}
	groups, constant := a.groups()
	for _, g := range groups {
		fmt.Fprintf(&b, "\npkg: %s\n", termsafe.Escape(g[0].Package))
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\told\tnew\tnew/old\t%.0f%% interval\tp\told drift\tdetects\tverdict\t\n", termsafe.Escape(g[0].Unit), a.Confidence*100)
		for _, r := range g {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", termsafe.Escape(r.Name), value(r.OldMedian, r.Unit), value(r.NewMedian, r.Unit),
				pct(r.Ratio), interval(r), pValue(r.P), pct(r.Drift), resolution(r), verdictText(r))
		}
		tw.Flush()
	}
	if len(constant) > 0 {
		fmt.Fprintf(&b, "\n%s: the same in every round on both sides\n", strings.Join(constant, ", "))
	}
	if a.AA {
		b.WriteString("\n" + a.aaSummary() + "\n")
	}
	if len(a.Warnings) > 0 {
		b.WriteString("\nwarnings:\n")
		for _, w := range a.Warnings {
			b.WriteString("  " + termsafe.Escape(w) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// aaSummary says what an A/A test found: false alarms and the changes
// this setup can detect (in sec/op).
func (a *Analysis) aaSummary() string {
	var sig, n int
	var res []float64
	worst, worstName := 0.0, ""
	for _, r := range a.Rows {
		if r.Verdict == "" {
			continue
		}
		n++
		if r.Significant {
			sig++
		}
		if r.Unit == "sec/op" {
			res = append(res, r.Resolution)
			if r.Resolution > worst {
				worst, worstName = r.Resolution, r.Name
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A/A test: old and new are the same code, so every significant change is a false alarm: %d of %d rows (about %.0f%% expected by chance).",
		sig, n, (1-a.Confidence)*100)
	if len(res) > 0 {
		slices.Sort(res)
		fmt.Fprintf(&b, "\nWith %d rounds this setup detects (80%% of the time) time changes larger than about %s (median over %d benchmarks; the least stable, %s, needs %s).",
			a.Rounds, strings.TrimPrefix(pct(mathx.Median(res)), "+"), len(res), termsafe.Escape(worstName), strings.TrimPrefix(pct(worst), "+"))
	}
	return b.String()
}

// WriteMarkdown writes the report as Markdown tables.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	a := rep.Analysis
	var b strings.Builder
	fmt.Fprintf(&b, "### benchdb ab %s\n\n", mdtext.Escape(rep.ID))
	fmt.Fprintf(&b, "%d rounds, %s%s, %.0f%% confidence.\n\n", a.Rounds, a.orderName(), a.withinText(), a.Confidence*100)
	fmt.Fprintf(&b, "- old: `%s` %s %s\n- new: `%s` %s %s\n", mdCode(a.Old.Name), a.Old.Short(), mdtext.Escape(a.Old.Subject),
		mdCode(a.New.Name), a.New.Short(), mdtext.Escape(a.New.Subject))
	if st := rep.Stored; st != nil {
		fmt.Fprintf(&b, "- stored as runs %d (old) and %d (new)\n", st.OldRun, st.NewRun)
	}
	groups, constant := a.groups()
	for _, g := range groups {
		fmt.Fprintf(&b, "\n`%s` %s\n\n", mdCode(g[0].Package), mdtext.Escape(g[0].Unit))
		fmt.Fprintf(&b, "| benchmark | old | new | new/old | %.0f%% interval | p | old drift | detects | verdict |\n", a.Confidence*100)
		b.WriteString("|---|---:|---:|---:|---|---:|---:|---:|---|\n")
		for _, r := range g {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdtext.Escape(r.Name), value(r.OldMedian, r.Unit), value(r.NewMedian, r.Unit),
				pct(r.Ratio), interval(r), pValue(r.P), pct(r.Drift), resolution(r), verdictText(r))
		}
	}
	if len(constant) > 0 {
		fmt.Fprintf(&b, "\n%s: the same in every round on both sides.\n", mdtext.Escape(strings.Join(constant, ", ")))
	}
	if a.AA {
		b.WriteString("\n" + mdtext.Escape(a.aaSummary()) + "\n")
	}
	if len(a.Warnings) > 0 {
		b.WriteString("\nWarnings:\n\n")
		for _, w := range a.Warnings {
			b.WriteString("- " + mdtext.Escape(w) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCode(s string) string { return strings.ReplaceAll(termsafe.Escape(s), "`", "'") }

// WriteCSV writes one line per row, with a header; numbers in base units
// and ratios, empty where there is no value.
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"pkg", "name", "unit", "rounds", "old_median", "new_median", "ratio", "ratio_lo", "ratio_hi", "p", "significant", "verdict", "old_drift_ratio", "resolution_ratio"})
	f := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, r := range rep.Rows {
		cw.Write([]string{r.Package, r.Name, r.Unit, strconv.Itoa(r.Rounds), f(r.OldMedian), f(r.NewMedian), f(r.Ratio), f(r.Lo), f(r.Hi),
			f(r.P), strconv.FormatBool(r.Significant), r.Verdict, f(r.Drift), f(r.Resolution)})
	}
	cw.Flush()
	return cw.Error()
}

// JSON types: the API of `benchdb ab --format json`.
type (
	jsonReport struct {
		ID           string    `json:"id"`
		Old          jsonRev   `json:"old"`
		New          jsonRev   `json:"new"`
		Rounds       int       `json:"rounds"`
		Seed         uint64    `json:"seed"`
		Order        string    `json:"order"`
		Within       string    `json:"within"`
		Repetitions  int       `json:"repetitions"`
		Confidence   float64   `json:"confidence"`
		ThresholdPct float64   `json:"threshold_pct"`
		AA           bool      `json:"aa"`
		Seconds      float64   `json:"elapsed_seconds"`
		Rows         []jsonRow `json:"rows"`
		Warnings     []string  `json:"warnings"`
	}
	jsonRev struct {
		Rev      string `json:"rev"`
		Commit   string `json:"commit"`
		WorkTree bool   `json:"worktree"`
		Subject  string `json:"subject"`
		Author   string `json:"author"`
		Date     string `json:"date"`
		RunID    *int64 `json:"run_id"`
	}
	jsonRow struct {
		Pkg         string    `json:"pkg"`
		Name        string    `json:"name"`
		Unit        string    `json:"unit"`
		Better      string    `json:"better"`
		Rounds      int       `json:"rounds"`
		OldMedian   *float64  `json:"old_median"`
		NewMedian   *float64  `json:"new_median"`
		Ratio       *float64  `json:"ratio"`
		RatioLo     *float64  `json:"ratio_lo"`
		RatioHi     *float64  `json:"ratio_hi"`
		Pct         *float64  `json:"pct"`
		Confidence  *float64  `json:"confidence"`
		P           *float64  `json:"p"`
		Significant bool      `json:"significant"`
		Verdict     *string   `json:"verdict"`
		OldDrift    *float64  `json:"old_drift_ratio"`
		Resolution  *float64  `json:"resolution_ratio"`
		RoundRatios []float64 `json:"round_ratios"`
	}
)

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func newJSONRev(r Revision, run *int64) jsonRev {
	j := jsonRev{Rev: r.Name, Commit: r.Commit, WorkTree: r.WorkTree, Subject: r.Subject, Author: r.Author, RunID: run}
	if !r.Date.IsZero() {
		j.Date = r.Date.UTC().Format(time.RFC3339)
	}
	return j
}

// WriteJSON writes the report as indented JSON: numbers in base units and
// ratios, null where there is no value, never NaN.
func (rep *Report) WriteJSON(w io.Writer) error {
	a := rep.Analysis
	j := jsonReport{ID: rep.ID, Rounds: a.Rounds, Seed: a.Seed, Order: "interleaved", Within: a.Within, Repetitions: a.Repetitions, Confidence: a.Confidence,
		ThresholdPct: a.Threshold, AA: a.AA, Seconds: rep.Elapsed.Seconds(), Rows: []jsonRow{}, Warnings: a.Warnings}
	if a.Sequential {
		j.Order = "sequential"
	}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	var oldRun, newRun *int64
	if st := rep.Stored; st != nil {
		oldRun, newRun = &st.OldRun, &st.NewRun
	}
	j.Old, j.New = newJSONRev(a.Old, oldRun), newJSONRev(a.New, newRun)
	for _, r := range a.Rows {
		jr := jsonRow{Pkg: r.Package, Name: r.Name, Unit: r.Unit, Better: "lower", Rounds: r.Rounds,
			OldMedian: num(r.OldMedian), NewMedian: num(r.NewMedian), Ratio: num(r.Ratio), RatioLo: num(r.Lo), RatioHi: num(r.Hi),
			Pct: num(r.Pct()), Confidence: num(r.Confidence), P: num(r.P), Significant: r.Significant,
			OldDrift: num(r.Drift), Resolution: num(r.Resolution), RoundRatios: []float64{}}
		if r.Better > 0 {
			jr.Better = "higher"
		}
		if r.Verdict != "" {
			v := r.Verdict
			jr.Verdict = &v
		}
		for _, x := range r.Ratios {
			if p := num(x); p != nil {
				jr.RoundRatios = append(jr.RoundRatios, *p)
			}
		}
		j.Rows = append(j.Rows, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
