package reports

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// TextOptions adjust the text format.
type TextOptions struct {
	// Verdicts adds, below each table, one line per regression and
	// improvement (benchstat's layout has no verdicts).
	Verdicts bool
}

// WriteText writes c in benchstat's text layout: for each table, the
// table key's changes ("goos: linux"), a header with the column keys and
// the unit, one row per benchmark with the median ± the confidence
// interval, and for every column after the first the delta against the
// first ("~" when not significant) and the test "(p=0.PPP n=N)", then a
// geomean row and numbered footnotes for warnings.
func (c *Comparison) WriteText(w io.Writer, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	var prev *Table
	for i, t := range c.Tables {
		if i > 0 {
			bw.WriteString("\n")
		}
		for j, kv := range t.Config() {
			if prev == nil || j >= len(prev.Config()) || prev.Config()[j] != kv {
				fmt.Fprintf(bw, "%s: %s\n", termsafe.Escape(kv[0]), termsafe.Escape(kv[1]))
			}
		}
		prev = t
		writeTextTable(bw, t, opts)
	}
	return bw.Flush()
}

// footnotes numbers distinct warning messages within one table.
type footnotes struct {
	list []string
	idx  map[string]int
}

func (f *footnotes) mark(errs ...[]error) string {
	none := true
	for _, es := range errs {
		none = none && len(es) == 0
	}
	if none {
		return ""
	}
	if f.idx == nil {
		f.idx = map[string]int{}
	}
	var marks []string
	for _, es := range errs {
		for _, e := range es {
			s := e.Error()
			i, ok := f.idx[s]
			if !ok {
				i = len(f.list)
				f.idx[s] = i
				f.list = append(f.list, s)
			}
			marks = append(marks, superscript(i+1))
		}
	}
	return strings.Join(marks, " ")
}

func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var d []string
	for _, r := range digits {
		d = append(d, string(r))
	}
	s := ""
	for {
		s = d[n%10] + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

// textRow holds the strings of one row, per column group.
type textRow struct {
	name                string
	center, ci, warn    []string
	delta, ptext, dwarn []string
	geomean             bool
}

func writeTextTable(w *bufio.Writer, t *Table, opts TextOptions) {
	n := len(t.Columns)
	var notes footnotes
	mk := func() textRow {
		// One allocation for the six per-column slices.
		all := make([]string, 6*n)
		return textRow{
			center: all[0:n:n], ci: all[n : 2*n : 2*n], warn: all[2*n : 3*n : 3*n],
			delta: all[3*n : 4*n : 4*n], ptext: all[4*n : 5*n : 5*n], dwarn: all[5*n : 6*n],
		}
	}
	rows := make([]textRow, 0, len(t.Rows)+1)
	cls := benchunit.ClassOf(t.Unit)
	for _, r := range t.Rows {
		tr := mk()
		tr.name = termsafe.Escape(r.Name)
		scaler := unitScaler(r, t.Unit)
		for i, cell := range r.Cells {
			if cell == nil {
				continue
			}
			tr.center[i] = scaler.Format(cell.Summary.Center)
			tr.ci[i] = cell.Summary.PctRangeString()
			tr.warn[i] = notes.mark(cell.Warnings)
			if d := r.Deltas[i]; d != nil {
				tr.delta[i] = d.Text()
				tr.ptext[i] = "(" + d.PText() + ")"
				tr.dwarn[i] = notes.mark(d.Comparison.Warnings)
			}
		}
		rows = append(rows, tr)
	}
	if g := t.Geomean; g != nil && len(t.Rows) > 1 {
		tr := mk()
		tr.name, tr.geomean = "geomean", true
		for i := range n {
			if !math.IsNaN(g.Centers[i]) {
				tr.center[i] = benchunit.Scale(g.Centers[i], cls)
			}
			if i > 0 {
				tr.delta[i] = "?"
				if !math.IsNaN(g.Pcts[i]) {
					tr.delta[i] = fmt.Sprintf("%+.2f%%", g.Pcts[i])
				}
			}
			if i == 0 {
				tr.warn[i] = notes.mark(g.Warnings[i])
			} else {
				tr.dwarn[i] = notes.mark(g.Warnings[i])
			}
		}
		rows = append(rows, tr)
	}

	// Names, units and column keys are user data: they are measured and
	// printed escaped.
	unit := termsafe.Escape(t.Unit)
	kh := benchproc.NewKeyHeader(t.Columns)
	for nodes := kh.Top; len(nodes) > 0; {
		var next []*benchproc.KeyHeaderNode
		for _, node := range nodes {
			node.Value = termsafe.Escape(node.Value)
			next = append(next, node.Children...)
		}
		nodes = next
	}

	// Widths of each part of each column group.
	nameW := 0
	cw, ciw, ww := make([]int, n), make([]int, n), make([]int, n)
	dw, pw, dww := make([]int, n), make([]int, n), make([]int, n)
	for _, r := range rows {
		nameW = max(nameW, width(r.name))
		for i := range n {
			cw[i] = max(cw[i], width(r.center[i]))
			ciw[i] = max(ciw[i], width(r.ci[i]))
			ww[i] = max(ww[i], width(r.warn[i]))
			dw[i] = max(dw[i], width(r.delta[i]))
			pw[i] = max(pw[i], width(r.ptext[i]))
			dww[i] = max(dww[i], width(r.dwarn[i]))
		}
	}
	// Each group is "   " + center + " ± " + ci [+ " " + warn]
	// [+ "  " + delta + " " + ptext [+ " " + dwarn]].
	centerPart := func(i int) int {
		x := cw[i] + 3 + ciw[i]
		if ww[i] > 0 {
			x += 1 + ww[i]
		}
		return x
	}
	deltaPart := func(i int) int {
		if i == 0 {
			return 0
		}
		x := 2 + dw[i]
		if pw[i] > 0 {
			x += 1 + pw[i]
		}
		if dww[i] > 0 {
			x += 1 + dww[i]
		}
		return x
	}
	// Widen groups so that the unit, "vs base" and column headers fit.
	for i := range n {
		if d := width(unit) - centerPart(i); d > 0 {
			cw[i] += d
		}
		if i > 0 {
			if d := 2 + width("vs base") - deltaPart(i); d > 0 {
				pw[i] += d
			}
		}
	}
	groupW := func(i int) int { return centerPart(i) + deltaPart(i) }
	for nodes := kh.Top; len(nodes) > 0; {
		var next []*benchproc.KeyHeaderNode
		for _, node := range nodes {
			span := 0
			for i := node.Start; i < node.Start+node.Len; i++ {
				span += 3 + groupW(i)
			}
			if d := width(node.Value) - (span - 3); d > 0 {
				cw[node.Start+node.Len-1] += d
			}
			next = append(next, node.Children...)
		}
		nodes = next
	}

	var line strings.Builder
	emit := func() {
		w.WriteString(strings.TrimRight(line.String(), " "))
		w.WriteString("\n")
		line.Reset()
	}
	// Column key header levels, then the unit line.
	for nodes := kh.Top; len(nodes) > 0; {
		var next []*benchproc.KeyHeaderNode
		line.WriteString(strings.Repeat(" ", nameW))
		for _, node := range nodes {
			span := 0
			for i := node.Start; i < node.Start+node.Len; i++ {
				span += 3 + groupW(i)
			}
			line.WriteString(" │ ")
			line.WriteString(center(node.Value, span-3))
			next = append(next, node.Children...)
		}
		line.WriteString(" │")
		emit()
		nodes = next
	}
	line.WriteString(strings.Repeat(" ", nameW))
	for i := range n {
		line.WriteString(" │ ")
		line.WriteString(center(unit, centerPart(i)))
		if i > 0 {
			line.WriteString(padRight("  vs base", deltaPart(i)))
		}
	}
	line.WriteString(" │")
	emit()

	for _, r := range rows {
		line.WriteString(padRight(r.name, nameW))
		for i := range n {
			line.WriteString("   ")
			switch {
			case r.center[i] == "" && r.warn[i] == "" && r.delta[i] == "" && r.dwarn[i] == "":
				line.WriteString(strings.Repeat(" ", groupW(i)))
				continue
			case r.geomean:
				line.WriteString(padLeft(r.center[i], cw[i]))
				line.WriteString(strings.Repeat(" ", 3+ciw[i]))
				if ww[i] > 0 {
					line.WriteString(" " + padRight(r.warn[i], ww[i]))
				}
			default:
				line.WriteString(padLeft(r.center[i], cw[i]))
				line.WriteString(" ± ")
				line.WriteString(padLeft(r.ci[i], ciw[i]))
				if ww[i] > 0 {
					line.WriteString(" " + padRight(r.warn[i], ww[i]))
				}
			}
			if i > 0 {
				line.WriteString("  " + padLeft(r.delta[i], dw[i]))
				if pw[i] > 0 {
					line.WriteString(" " + padRight(r.ptext[i], pw[i]))
				}
				if dww[i] > 0 {
					line.WriteString(" " + padRight(r.dwarn[i], dww[i]))
				}
			}
		}
		emit()
	}
	for i, msg := range notes.list {
		fmt.Fprintf(w, "%s %s\n", superscript(i+1), termsafe.Escape(msg))
	}
	if opts.Verdicts {
		for _, r := range t.Rows {
			for i, d := range r.Deltas {
				if d != nil && d.Verdict != Unchanged {
					fmt.Fprintf(w, "%s: %s [%s vs %s]: %s (%s)\n", d.Verdict, termsafe.Escape(r.Name),
						termsafe.Escape(t.Columns[i].StringValues()), termsafe.Escape(t.Columns[0].StringValues()), d.Text(), d.PText())
				}
			}
		}
	}
}

func width(s string) int { return utf8.RuneCountInString(s) }

func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-width(s))) + s
}

func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-width(s)))
}

func center(s string, w int) string {
	l := max(0, (w-width(s))/2)
	return padRight(strings.Repeat(" ", l)+s, w)
}
