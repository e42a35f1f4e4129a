package reports

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/internal/mdtext"
)

// WriteMarkdown writes c as GitHub-flavoured Markdown, for CI job
// summaries and pull requests: per table a heading with the unit and
// the table key, then a table with one row per benchmark, the median ±
// interval per column and, after each column but the first, the delta
// with its test and verdict (regressions in bold). Warnings are
// footnotes below each table.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, t := range c.Tables {
		if i > 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "### %s", mdtext.Escape(t.Unit))
		var cfg []string
		for _, kv := range t.Config() {
			cfg = append(cfg, kv[0]+": "+kv[1])
		}
		if len(cfg) > 0 {
			fmt.Fprintf(bw, " (%s)", mdtext.Escape(strings.Join(cfg, ", ")))
		}
		bw.WriteString("\n\n")
		names := t.ColumnNames()
		head := []string{"benchmark"}
		align := []string{":--"}
		for col, name := range names {
			head = append(head, mdtext.Escape(name))
			align = append(align, "--:")
			if col > 0 {
				head = append(head, "vs "+mdtext.Escape(names[0]))
				align = append(align, ":--")
			}
		}
		mdRow(bw, head)
		mdRow(bw, align)
		var notes footnotes
		for _, r := range t.Rows {
			cells := []string{mdtext.Escape(r.Name)}
			scaler := unitScaler(r, t.Unit)
			for col, cell := range r.Cells {
				s := ""
				if cell != nil {
					s = scaler.Format(cell.Summary.Center) + " ± " + cell.Summary.PctRangeString()
					if m := notes.mark(cell.Warnings); m != "" {
						s += " " + m
					}
				}
				cells = append(cells, s)
				if col == 0 {
					continue
				}
				s = ""
				if d := r.Deltas[col]; d != nil {
					s = d.Text() + " (" + d.PText() + ")"
					switch d.Verdict {
					case Regression:
						s = "**" + s + " regression**"
					case Improvement:
						s += " improvement"
					}
					if m := notes.mark(d.Comparison.Warnings); m != "" {
						s += " " + m
					}
				}
				cells = append(cells, s)
			}
			mdRow(bw, cells)
		}
		if g := t.Geomean; g != nil && len(t.Rows) > 1 {
			cells := []string{"geomean"}
			for col := range t.Columns {
				s := ""
				if !math.IsNaN(g.Centers[col]) {
					s = benchunit.Scale(g.Centers[col], benchunit.ClassOf(t.Unit))
				}
				if col == 0 {
					if m := notes.mark(g.Warnings[col]); m != "" {
						s += " " + m
					}
					cells = append(cells, s)
					continue
				}
				cells = append(cells, s)
				s = "?"
				if !math.IsNaN(g.Pcts[col]) {
					s = fmt.Sprintf("%+.2f%%", g.Pcts[col])
				}
				if m := notes.mark(g.Warnings[col]); m != "" {
					s += " " + m
				}
				cells = append(cells, s)
			}
			mdRow(bw, cells)
		}
		if len(notes.list) > 0 {
			bw.WriteString("\n")
			for i, msg := range notes.list {
				fmt.Fprintf(bw, "%s %s  \n", superscript(i+1), mdtext.Escape(msg))
			}
		}
	}
	return bw.Flush()
}

func mdRow(w *bufio.Writer, cells []string) {
	w.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}
