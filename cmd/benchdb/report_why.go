package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"path/filepath"
	"strings"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/profdiff/stored"

	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
)

// regressionWhy is benchdb why's explanation of one regression of a
// nightly report: the profiles of its last good run against those of the
// run where it changed.
type regressionWhy struct {
	change *nightly.Change
	cmp    profdiff.Comparison
}

// explainRegressions returns, for each regression in sec/op or B/op
// whose last good run and change run both hold profiles of the
// benchmark, the difference of those profiles. A regression without
// profiles is left out; a profile that cannot be read is an error.
func explainRegressions(ctx context.Context, db *store.DB, rep *nightly.Report) ([]regressionWhy, error) {
	var out []regressionWhy
	for _, ch := range rep.Regressions {
		kind := ""
		switch ch.Unit {
		case "sec/op":
			kind = store.ProfileCPU
		case "B/op":
			kind = store.ProfileAlloc
		default:
			continue
		}
		k := stored.Bench{Pkg: ch.Package, Name: ch.Name}
		var sides [2]profdiff.Side
		ok := true
		for i, id := range []int64{ch.Good.ID, ch.Change.ID} {
			ps, err := db.Profiles(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			var mine []store.Profile
			for _, p := range ps {
				if !p.Setup && p.Kind == kind && p.Pkg == k.Pkg && p.Name == k.Name {
					mine = append(mine, p)
				}
			}
			if len(mine) == 0 {
				ok = false
				break
			}
			if sides[i], err = stored.ReadSide(ctx, db, k, mine, kind); err != nil {
				return nil, fmt.Errorf("report: why: %w", err)
			}
		}
		if !ok {
			continue
		}
		res, err := profdiff.Diff(kind, sides[0], sides[1], profdiff.Options{Top: 3})
		if err != nil {
			return nil, fmt.Errorf("report: why %s: %w", ch.Name, err)
		}
		out = append(out, regressionWhy{change: ch, cmp: profdiff.Comparison{
			Pkg: k.Pkg, OldName: k.Name, NewName: k.Name,
			OldRuns: []int64{ch.Good.ID}, NewRuns: []int64{ch.Change.ID}, Results: []*profdiff.Result{res},
		}})
	}
	return out, nil
}

// whyPagePath is where the report written to out keeps its why page:
// report.html gives report.why.html.
func whyPagePath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".why.html"
}

// addWhy adds the explanations of the report's regressions to the report
// in buf: a Markdown section, or for HTML a section before </body> and,
// when the report goes to the file out, a page of icicle graphs beside
// it that the section links to. JSON is left as it is.
func addWhy(ctx context.Context, db *store.DB, rep *nightly.Report, format, out string, buf *bytes.Buffer) error {
	if format == "json" || len(rep.Regressions) == 0 {
		return nil
	}
	whys, err := explainRegressions(ctx, db, rep)
	if err != nil || len(whys) == 0 {
		return err
	}
	line := func(w regressionWhy, f profdiff.Function) (delta, share string) {
		r := w.cmp.Results[0]
		delta = r.Signed(f.FlatDelta())
		if s, ok := r.ProfileShare(f.FlatDelta()); ok {
			share = fmt.Sprintf("%.0f%%", 100*s)
		}
		return delta, share
	}
	if format != "html" {
		fmt.Fprintf(buf, "\n## Why: functions that grew, from stored profiles\n\n")
		for _, w := range whys {
			base, _ := stored.SplitProcs(w.change.Name)
			fmt.Fprintf(buf, "- `%s` %s (runs %d → %d; `benchdb why %d %d --bench '%s'`):", mdName(w.change.Name), w.change.Unit,
				w.change.Good.ID, w.change.Change.ID, w.change.Good.ID, w.change.Change.ID,
				mdName(strings.ReplaceAll(runner.ExactPattern("Benchmark"+base), "'", `'\''`)))
			for i, f := range w.cmp.Results[0].Functions {
				delta, share := line(w, f)
				sep := ","
				if i == 0 {
					sep = ""
				}
				fmt.Fprintf(buf, "%s `%s` %s/op (%s of the profiles' change)", sep, mdName(profdiff.ShortName(f.Name)), delta, share)
			}
			buf.WriteString("\n")
		}
		return nil
	}
	var sec strings.Builder
	sec.WriteString("<section id=\"why\"><h2>Why: functions that grew, from stored profiles</h2><ul>\n")
	link := ""
	if out != "" {
		page := &profdiff.Report{}
		for _, w := range whys {
			page.Comparisons = append(page.Comparisons, w.cmp)
		}
		var pb bytes.Buffer
		if err := page.WriteHTML(&pb); err != nil {
			return err
		}
		path := whyPagePath(out)
		if err := outfile.WriteFile(path, pb.Bytes()); err != nil {
			return fmt.Errorf("-o %s: %w", path, err)
		}
		link = filepath.Base(path)
	}
	for _, w := range whys {
		fmt.Fprintf(&sec, "<li><code>%s</code> %s, runs %d → %d:", html.EscapeString(w.change.Name), html.EscapeString(w.change.Unit), w.change.Good.ID, w.change.Change.ID)
		for _, f := range w.cmp.Results[0].Functions {
			delta, share := line(w, f)
			fmt.Fprintf(&sec, " <code>%s</code> %s/op (%s);", html.EscapeString(profdiff.ShortName(f.Name)), html.EscapeString(delta), share)
		}
		sec.WriteString("</li>\n")
	}
	sec.WriteString("</ul>")
	if link != "" {
		fmt.Fprintf(&sec, "<p><a href=\"%s\">icicle graphs of the differences</a></p>", html.EscapeString(link))
	}
	sec.WriteString("</section>\n")
	b := buf.Bytes()
	i := bytes.LastIndex(b, []byte("</body>"))
	if i < 0 {
		buf.WriteString(sec.String())
		return nil
	}
	rest := append([]byte(sec.String()), b[i:]...)
	buf.Truncate(i)
	buf.Write(rest)
	return nil
}

// mdName makes a name safe inside a Markdown code span.
func mdName(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
}
