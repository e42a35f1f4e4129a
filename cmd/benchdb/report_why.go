package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"path/filepath"
	"strings"

	"github.com/benchdb/benchdb/internal/benchname"
	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/profdiff/stored"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/store"
)

// whyPagePath is where the report written to out keeps its why page:
// report.html gives report.why.html.
func whyPagePath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".why.html"
}

// addWhy adds the explanations of the report's regressions to the report
// in buf: a Markdown section, or for HTML a section before </body> and,
// when the report goes to the file out, a page of icicle graphs beside
// it that the section links to. JSON is left as it is. The explanations
// themselves are stored.Explain's; this renders them.
func addWhy(ctx context.Context, db *store.DB, rep *nightly.Report, format, out string, buf *bytes.Buffer) error {
	if format == "json" || len(rep.Regressions) == 0 {
		return nil
	}
	regs := make([]stored.Regression, len(rep.Regressions))
	for i, ch := range rep.Regressions {
		regs[i] = stored.Regression{Pkg: ch.Package, Name: ch.Name, Unit: ch.Unit, Good: ch.Good.ID, Change: ch.Change.ID}
	}
	whys, err := stored.Explain(ctx, db, regs, profdiff.Options{Top: 3})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if len(whys) == 0 {
		return nil
	}
	line := func(w stored.Explanation, f profdiff.Function) (delta, share string) {
		r := w.Comparison.Results[0]
		delta = r.Signed(f.FlatDelta())
		if s, ok := r.ProfileShare(f.FlatDelta()); ok {
			share = fmt.Sprintf("%.0f%%", 100*s)
		}
		return delta, share
	}
	if format != "html" {
		fmt.Fprintf(buf, "\n## Why: functions that grew, from stored profiles\n\n")
		for _, w := range whys {
			base, _ := benchname.SplitProcs(w.Name)
			fmt.Fprintf(buf, "- `%s` %s (runs %d → %d; `benchdb why %d %d --bench '%s'`):", mdName(w.Name), w.Unit,
				w.Good, w.Change, w.Good, w.Change,
				mdName(strings.ReplaceAll(benchname.ExactPattern("Benchmark"+base), "'", `'\''`)))
			for i, f := range w.Comparison.Results[0].Functions {
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
			page.Comparisons = append(page.Comparisons, w.Comparison)
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
		fmt.Fprintf(&sec, "<li><code>%s</code> %s, runs %d → %d:", html.EscapeString(w.Name), html.EscapeString(w.Unit), w.Good, w.Change)
		for _, f := range w.Comparison.Results[0].Functions {
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
