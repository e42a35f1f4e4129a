package bisect

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/internal/mathx"
	"github.com/benchdb/benchdb/internal/termsafe"
)

func pct(ratio float64) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) || ratio == 0 {
		return "-"
	}
	return mathx.Pct((ratio - 1) * 100)
}

func rowChange(r ab.Row) string {
	if r.Rounds == 0 {
		return "-"
	}
	s := pct(r.Ratio)
	if !math.IsNaN(r.Lo) {
		s += " [" + pct(r.Lo) + ", " + pct(r.Hi) + "]"
	}
	return s
}

func position(s Step) string {
	if math.IsNaN(s.Position) {
		return "-"
	}
	p := fmt.Sprintf("%.2f", s.Position)
	if !math.IsNaN(s.PosLo) {
		p += fmt.Sprintf(" [%.2f, %.2f]", s.PosLo, s.PosHi)
	}
	return p
}

func (r *Result) headline() string {
	switch {
	case !r.Reproduced:
		return fmt.Sprintf("not reproduced: %s %s changed %s between good %s and bad %s (not significant or below the threshold)",
			r.Target.Name, r.Target.Unit, rowChange(r.Total), r.Good.Short(), r.Bad.Short())
	case r.Found:
		return fmt.Sprintf("first bad commit: %s %s", r.FirstBad.Commit, r.FirstBad.Subject)
	}
	return "no first bad commit found"
}

// WriteText writes the result as text: the first bad commit, its change,
// the steps and how sure the answer is.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "bisect %s: %s..%s, %d commits, %s in %s\n", r.ID, r.Good.Short(), r.Bad.Short(), r.Commits,
		termsafe.Escape(r.Target.Name+" "+r.Target.Unit), termsafe.Escape(r.Target.Package))
	fmt.Fprintf(&b, "good to bad: %s\n", rowChange(r.Total))
	b.WriteString(termsafe.Escape(r.headline()) + "\n")
	if r.Found {
		fmt.Fprintf(&b, "  author date %s, by %s\n", r.FirstBad.Date.UTC().Format(time.RFC3339), termsafe.Escape(r.FirstBad.Author))
		fmt.Fprintf(&b, "  change against %s: %s (p=%.2g), %.0f%% of the change from good to bad\n", r.LastGood.Short(), rowChange(r.Change), r.Change.P, 100*r.Share)
		fmt.Fprintf(&b, "  sureness: %s; %d commits measured (%d from the store), about log2(%d)+1 = %.1f expected\n",
			r.Sureness, r.Measured, r.Stored, r.Commits, math.Log2(float64(r.Commits))+1)
		if l := r.runsLine(); l != "" {
			b.WriteString("  " + l + "\n")
		}
	}
	for _, n := range r.Notes {
		b.WriteString("note: " + termsafe.Escape(n) + "\n")
	}
	b.WriteString("\nsteps:\n")
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "%3d  %-12s %-6s vs %-12s %-28s position %-20s rounds %d", i+1, s.Commit.Short(), s.Outcome, s.Against.Short(), rowChange(s.Row), position(s), s.Row.Rounds)
		if s.Stored > 0 {
			fmt.Fprintf(&b, " (%d stored)", s.Stored)
		}
		if s.Reason != "" {
			b.WriteString("  " + termsafe.Escape(firstLine(s.Reason)))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// runsLine names the final measurement's runs and, when the first bad
// commit and its parent were profiled, the benchdb why command that
// compares their profiles; "" when the runs are not known.
func (r *Result) runsLine() string {
	if r.FinalRuns[0] == 0 || r.FinalRuns[1] == 0 {
		return ""
	}
	l := fmt.Sprintf("stored as runs %d (%s) and %d (%s)", r.FinalRuns[0], r.LastGood.Short(), r.FinalRuns[1], r.FirstBad.Short())
	if r.Profiled || r.ProfilesStored {
		l += fmt.Sprintf(", with profiles: benchdb why %d %d", r.FinalRuns[0], r.FinalRuns[1])
	}
	return l
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// WriteMarkdown writes the result as Markdown.
func (r *Result) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	esc := strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "'", "<", "&lt;", ">", "&gt;")
	fmt.Fprintf(&b, "### benchdb bisect %s\n\n", esc.Replace(r.ID))
	fmt.Fprintf(&b, "`%s..%s`, %d commits, `%s` %s in `%s`; good to bad: %s\n\n", r.Good.Short(), r.Bad.Short(), r.Commits,
		esc.Replace(termsafe.Escape(r.Target.Name)), r.Target.Unit, esc.Replace(termsafe.Escape(r.Target.Package)), rowChange(r.Total))
	fmt.Fprintf(&b, "**%s**\n\n", esc.Replace(termsafe.Escape(r.headline())))
	if r.Found {
		fmt.Fprintf(&b, "- change against `%s`: %s, %.0f%% of the whole change\n- author date %s\n- sureness: %s (%d commits measured)\n",
			r.LastGood.Short(), rowChange(r.Change), 100*r.Share, r.FirstBad.Date.UTC().Format(time.RFC3339), r.Sureness, r.Measured)
		if l := r.runsLine(); l != "" {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(l, "benchdb why", "`benchdb why")+"`")
		}
	}
	for _, n := range r.Notes {
		b.WriteString("- note: " + esc.Replace(termsafe.Escape(n)) + "\n")
	}
	b.WriteString("\n| step | commit | outcome | against | change | position | rounds |\n|---:|---|---|---|---|---|---:|\n")
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "| %d | `%s` | %s | `%s` | %s | %s | %d |\n", i+1, s.Commit.Short(), s.Outcome, s.Against.Short(), rowChange(s.Row), position(s), s.Row.Rounds)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type (
	jsonResult struct {
		ID            string       `json:"id"`
		Good          jsonCommit   `json:"good"`
		Bad           jsonCommit   `json:"bad"`
		Commits       int          `json:"commits"`
		Benchmark     jsonTarget   `json:"benchmark"`
		Total         jsonChange   `json:"total"`
		Reproduced    bool         `json:"reproduced"`
		Found         bool         `json:"found"`
		FirstBad      *jsonCommit  `json:"first_bad"`
		LastGood      *jsonCommit  `json:"last_good"`
		Change        *jsonChange  `json:"change"`
		Share         *float64     `json:"share"`
		Candidates    []jsonCommit `json:"candidates"`
		MultipleSteps bool         `json:"multiple_steps"`
		Sureness      string       `json:"sureness"`
		Notes         []string     `json:"notes"`
		Measured      int          `json:"measured_commits"`
		Stored        int          `json:"stored_commits"`
		Seconds       float64      `json:"elapsed_seconds"`
		FinalRuns     *jsonRuns    `json:"final_runs"`
		Profiled      bool         `json:"profiled"`
		Steps         []jsonStep   `json:"steps"`
	}
	jsonRuns struct {
		LastGood int64 `json:"last_good"`
		FirstBad int64 `json:"first_bad"`
	}
	jsonCommit struct {
		Commit  string `json:"commit"`
		Subject string `json:"subject"`
		Author  string `json:"author"`
		Date    string `json:"date"`
	}
	jsonTarget struct {
		Pkg  string `json:"pkg"`
		Name string `json:"name"`
		Unit string `json:"unit"`
	}
	jsonChange struct {
		Ratio   *float64 `json:"ratio"`
		RatioLo *float64 `json:"ratio_lo"`
		RatioHi *float64 `json:"ratio_hi"`
		P       *float64 `json:"p"`
		Rounds  int      `json:"rounds"`
	}
	jsonStep struct {
		Commit   string     `json:"commit"`
		Against  string     `json:"against"`
		Outcome  string     `json:"outcome"`
		Reason   string     `json:"reason,omitempty"`
		Change   jsonChange `json:"change"`
		Position *float64   `json:"position"`
		PosLo    *float64   `json:"position_lo"`
		PosHi    *float64   `json:"position_hi"`
		Clear    bool       `json:"clear"`
		Stored   int        `json:"stored_rounds"`
		Measured int        `json:"measured_rounds"`
	}
)

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func commitJSON(r ab.Revision) jsonCommit {
	j := jsonCommit{Commit: r.Commit, Subject: r.Subject, Author: r.Author}
	if !r.Date.IsZero() {
		j.Date = r.Date.UTC().Format(time.RFC3339)
	}
	return j
}

func changeJSON(r ab.Row) jsonChange {
	if r.Rounds == 0 {
		return jsonChange{}
	}
	return jsonChange{Ratio: num(r.Ratio), RatioLo: num(r.Lo), RatioHi: num(r.Hi), P: num(r.P), Rounds: r.Rounds}
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	j := jsonResult{ID: r.ID, Good: commitJSON(r.Good), Bad: commitJSON(r.Bad), Commits: r.Commits,
		Benchmark: jsonTarget{r.Target.Package, r.Target.Name, r.Target.Unit}, Total: changeJSON(r.Total),
		Reproduced: r.Reproduced, Found: r.Found, MultipleSteps: r.MultipleSteps, Sureness: r.Sureness,
		Notes: append([]string{}, r.Notes...), Measured: r.Measured, Stored: r.Stored, Seconds: r.Elapsed.Seconds(),
		Candidates: []jsonCommit{}, Steps: []jsonStep{}, Profiled: r.Profiled || r.ProfilesStored}
	if r.FinalRuns[0] != 0 && r.FinalRuns[1] != 0 {
		j.FinalRuns = &jsonRuns{r.FinalRuns[0], r.FinalRuns[1]}
	}
	if r.Found {
		fb, lg, ch := commitJSON(r.FirstBad), commitJSON(r.LastGood), changeJSON(r.Change)
		j.FirstBad, j.LastGood, j.Change, j.Share = &fb, &lg, &ch, num(r.Share)
	}
	for _, c := range r.Candidates {
		j.Candidates = append(j.Candidates, commitJSON(c))
	}
	for _, s := range r.Steps {
		j.Steps = append(j.Steps, jsonStep{Commit: s.Commit.Commit, Against: s.Against.Commit, Outcome: s.Outcome, Reason: s.Reason,
			Change: changeJSON(s.Row), Position: num(s.Position), PosLo: num(s.PosLo), PosHi: num(s.PosHi), Clear: s.Clear,
			Stored: s.Stored, Measured: s.Measured})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
