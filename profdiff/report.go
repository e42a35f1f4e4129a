package profdiff

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// A Comparison is the difference of one benchmark between OLD and NEW,
// one Result per kind of profile both sides hold.
type Comparison struct {
	// Pkg is the benchmark's package.
	Pkg string
	// OldName and NewName are the benchmarks compared (the same name
	// when two runs are compared, two names when two benchmarks of one
	// run are).
	OldName, NewName string
	// OldRuns and NewRuns are the ids of the runs whose profiles were
	// merged.
	OldRuns, NewRuns []int64
	Results          []*Result
}

// A Report is what `benchdb why` prints: one Comparison per benchmark.
type Report struct {
	Comparisons []Comparison
}

// maxPathFrames is the number of innermost frames a path shows in text.
const maxPathFrames = 8

// WriteText writes r as plain text for a terminal. Names are written as
// they are; the caller escapes them for the terminal if it needs to.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for i, c := range r.Comparisons {
		if i > 0 {
			ew.printf("\n")
		}
		ew.printf("%s\n", c.title())
		ew.printf("pkg: %s\n", c.Pkg)
		for _, res := range c.Results {
			ew.printf("\n%s\n\n", res.summary())
			if len(res.Functions) == 0 {
				ew.printf("  no function's %s per op grew\n", res.noun())
				continue
			}
			tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "  flat Δ/op\tshare\tof profile Δ\tcum Δ/op\tshare\tfunction\n")
			for _, f := range res.Functions {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", res.signed(f.FlatDelta()), res.share(f.FlatDelta()), res.profileShare(f.FlatDelta()),
					res.signed(f.CumDelta()), res.share(f.CumDelta()), ShortName(f.Name))
			}
			tw.Flush()
			ew.printf("\n  call paths to the top functions (cum Δ/op):\n")
			for _, f := range res.Functions[:min(3, len(res.Functions))] {
				ew.printf("  %s\n", ShortName(f.Name))
				for _, p := range f.Paths {
					ew.printf("    %-9s %s\n", res.signed(p.Delta()), pathText(p.Frames))
				}
			}
		}
	}
	return ew.err
}

// WriteMarkdown writes r as GitHub-flavoured Markdown. Names are put in
// code spans, with backquotes and pipes replaced.
func (r *Report) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, c := range r.Comparisons {
		ew.printf("### %s\n\n", mdCode(c.title()))
		ew.printf("pkg: %s\n", mdCode(c.Pkg))
		for _, res := range c.Results {
			ew.printf("\n%s\n\n", mdText(res.summary()))
			if len(res.Functions) == 0 {
				ew.printf("No function's %s per op grew.\n", res.noun())
				continue
			}
			ew.printf("| flat Δ/op | share | of profile Δ | cum Δ/op | share | function |\n|---:|---:|---:|---:|---:|---|\n")
			for _, f := range res.Functions {
				ew.printf("| %s | %s | %s | %s | %s | %s |\n", res.signed(f.FlatDelta()), res.share(f.FlatDelta()), res.profileShare(f.FlatDelta()),
					res.signed(f.CumDelta()), res.share(f.CumDelta()), mdCode(ShortName(f.Name)))
			}
			ew.printf("\nCall paths to the top functions (cum Δ/op):\n\n")
			for _, f := range res.Functions[:min(3, len(res.Functions))] {
				ew.printf("- %s\n", mdCode(ShortName(f.Name)))
				for _, p := range f.Paths {
					ew.printf("  - %s %s\n", res.signed(p.Delta()), mdCode(pathText(p.Frames)))
				}
			}
		}
		ew.printf("\n")
	}
	return ew.err
}

// title is "OLD → NEW" for a comparison.
func (c Comparison) title() string {
	runs := func(ids []int64) string {
		s := make([]string, len(ids))
		for i, id := range ids {
			s[i] = fmt.Sprint(id)
		}
		if len(ids) == 1 {
			return "run " + s[0]
		}
		return "runs " + strings.Join(s, ",")
	}
	return fmt.Sprintf("%s (%s) → %s (%s)", c.OldName, runs(c.OldRuns), c.NewName, runs(c.NewRuns))
}

// noun names what a result measures.
func (r *Result) noun() string {
	if r.Kind == KindCPU {
		return "CPU time"
	}
	return "allocated bytes"
}

// summary is the one-line head of a result.
func (r *Result) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s per op: ", r.noun())
	if !math.IsNaN(r.Old.Measured) && !math.IsNaN(r.New.Measured) {
		fmt.Fprintf(&b, "measured %s → %s (%s); ", r.value(r.Old.Measured), r.value(r.New.Measured), r.signed(r.New.Measured-r.Old.Measured))
	}
	fmt.Fprintf(&b, "profiles %s → %s (%s), N %d → %d", r.value(r.Old.Total), r.value(r.New.Total),
		r.signed(r.New.Total-r.Old.Total), r.Old.Iters, r.New.Iters)
	if r.Old.SetupIters > 0 || r.New.SetupIters > 0 {
		b.WriteString(" less setup")
	}
	fmt.Fprintf(&b, "; shares are of the %s change", r.ChangeSource)
	return b.String()
}

// share formats v as a percentage of the change, or "-".
func (r *Result) share(v float64) string {
	s, ok := r.Share(v)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*s)
}

// profileShare formats v as a percentage of the profiles' change, or "-".
func (r *Result) profileShare(v float64) string {
	s, ok := r.ProfileShare(v)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*s)
}

// Signed formats a change in the result's unit with its sign, as the text
// output does: +12.5µs, -3.00KiB.
func (r *Result) Signed(v float64) string { return r.signed(v) }

func (r *Result) signed(v float64) string {
	if v >= 0 {
		return "+" + r.value(v)
	}
	return "-" + r.value(-v)
}

// value formats a cost in the result's unit.
func (r *Result) value(v float64) string {
	if r.Unit == "bytes" {
		return formatBytes(v)
	}
	return formatSeconds(v)
}

func formatSeconds(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0s"
	case a < 1e-6:
		return trimFloat(v*1e9) + "ns"
	case a < 1e-3:
		return trimFloat(v*1e6) + "µs"
	case a < 1:
		return trimFloat(v*1e3) + "ms"
	}
	return trimFloat(v) + "s"
}

func formatBytes(v float64) string {
	a := math.Abs(v)
	switch {
	case a < 1<<10:
		return trimFloat(v) + "B"
	case a < 1<<20:
		return trimFloat(v/(1<<10)) + "KiB"
	case a < 1<<30:
		return trimFloat(v/(1<<20)) + "MiB"
	}
	return trimFloat(v/(1<<30)) + "GiB"
}

// trimFloat writes v with three significant digits.
func trimFloat(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// pathText joins a path's innermost frames with " > ".
func pathText(frames []string) string {
	short := make([]string, 0, maxPathFrames+1)
	if len(frames) > maxPathFrames {
		short = append(short, "…")
		frames = frames[len(frames)-maxPathFrames:]
	}
	for _, f := range frames {
		short = append(short, ShortName(f))
	}
	return strings.Join(short, " > ")
}

func mdCode(s string) string {
	s = strings.NewReplacer("`", "'", "|", "\\|", "\n", " ", "\r", " ").Replace(s)
	return "`" + s + "`"
}

func mdText(s string) string {
	return strings.NewReplacer("|", "\\|", "*", "\\*", "_", "\\_", "<", "&lt;", "`", "'").Replace(s)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}

// The JSON form. Costs are per operation in the result's unit (seconds or
// bytes); a share is a fraction of the change (0.5 is half), null when
// the change is zero; a measured cost is null when unknown.
type (
	reportJSON struct {
		Comparisons []comparisonJSON `json:"comparisons"`
	}
	comparisonJSON struct {
		Pkg     string       `json:"pkg"`
		OldName string       `json:"old_name"`
		NewName string       `json:"new_name"`
		OldRuns []int64      `json:"old_runs"`
		NewRuns []int64      `json:"new_runs"`
		Results []resultJSON `json:"results"`
	}
	resultJSON struct {
		Kind         string         `json:"kind"`
		Unit         string         `json:"unit"`
		Old          sideJSON       `json:"old"`
		New          sideJSON       `json:"new"`
		Change       float64        `json:"change"`
		ChangeSource string         `json:"change_source"`
		Functions    []functionJSON `json:"functions"`
		Cumulative   []functionJSON `json:"cumulative"`
	}
	sideJSON struct {
		Label    string `json:"label"`
		Profiles int    `json:"profiles"`
		Iters    int64  `json:"iters"`
		// SetupIters is the setup profiles' count (0: none subtracted).
		SetupIters int64    `json:"setup_iters"`
		Total      float64  `json:"total"`
		Measured   *float64 `json:"measured"`
	}
	functionJSON struct {
		Name      string   `json:"name"`
		File      string   `json:"file"`
		FlatOld   float64  `json:"flat_old"`
		FlatNew   float64  `json:"flat_new"`
		FlatDelta float64  `json:"flat_delta"`
		FlatShare *float64 `json:"flat_share"`
		// FlatProfileShare is of the profiles' change.
		FlatProfileShare *float64   `json:"flat_profile_share"`
		CumOld           float64    `json:"cum_old"`
		CumNew           float64    `json:"cum_new"`
		CumDelta         float64    `json:"cum_delta"`
		CumShare         *float64   `json:"cum_share"`
		CumProfileShare  *float64   `json:"cum_profile_share"`
		Paths            []pathJSON `json:"paths"`
	}
	pathJSON struct {
		Frames []string `json:"frames"`
		Old    float64  `json:"old"`
		New    float64  `json:"new"`
		Delta  float64  `json:"delta"`
	}
)

// WriteJSON writes r as indented JSON (see the README for the fields).
func (r *Report) WriteJSON(w io.Writer) error {
	out := reportJSON{Comparisons: []comparisonJSON{}}
	for _, c := range r.Comparisons {
		cj := comparisonJSON{Pkg: c.Pkg, OldName: c.OldName, NewName: c.NewName,
			OldRuns: orEmpty(c.OldRuns), NewRuns: orEmpty(c.NewRuns), Results: []resultJSON{}}
		for _, res := range c.Results {
			cj.Results = append(cj.Results, resultJSON{
				Kind: res.Kind, Unit: res.Unit,
				Old: sideToJSON(res.Old), New: sideToJSON(res.New),
				Change: finite(res.Change), ChangeSource: res.ChangeSource,
				Functions:  functionsJSON(res, res.Functions),
				Cumulative: functionsJSON(res, res.Cumulative),
			})
		}
		out.Comparisons = append(out.Comparisons, cj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func sideToJSON(s SideSummary) sideJSON {
	j := sideJSON{Label: s.Label, Profiles: s.Profiles, Iters: s.Iters, SetupIters: s.SetupIters, Total: finite(s.Total)}
	if !math.IsNaN(s.Measured) && !math.IsInf(s.Measured, 0) {
		m := s.Measured
		j.Measured = &m
	}
	return j
}

func functionsJSON(r *Result, fs []Function) []functionJSON {
	out := []functionJSON{}
	for _, f := range fs {
		fj := functionJSON{Name: f.Name, File: f.File,
			FlatOld: finite(f.FlatOld), FlatNew: finite(f.FlatNew), FlatDelta: finite(f.FlatDelta()),
			CumOld: finite(f.CumOld), CumNew: finite(f.CumNew), CumDelta: finite(f.CumDelta()),
			Paths: []pathJSON{}}
		if s, ok := r.Share(f.FlatDelta()); ok && !math.IsInf(s, 0) {
			fj.FlatShare = &s
		}
		if s, ok := r.Share(f.CumDelta()); ok && !math.IsInf(s, 0) {
			fj.CumShare = &s
		}
		if s, ok := r.ProfileShare(f.FlatDelta()); ok && !math.IsInf(s, 0) {
			fj.FlatProfileShare = &s
		}
		if s, ok := r.ProfileShare(f.CumDelta()); ok && !math.IsInf(s, 0) {
			fj.CumProfileShare = &s
		}
		for _, p := range f.Paths {
			fj.Paths = append(fj.Paths, pathJSON{Frames: p.Frames, Old: finite(p.Old), New: finite(p.New), Delta: finite(p.Delta())})
		}
		out = append(out, fj)
	}
	return out
}

// finite maps NaN and infinities to 0: JSON has neither.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
