package reports

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

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
	var prev, spare [][2]string // the previous table's Config, computed once per table
	// One grid and one set of footnotes for every table, emptied before
	// each: a comparison may hold a table per result.
	var (
		g     grid
		notes footnotes
		kh    keyHeaders
		pt    pTexts
	)
	for i, t := range c.Tables {
		if i > 0 {
			bw.WriteString("\n")
		}
		// The previous table's pairs stay in prev; cfg reuses the
		// memory of the ones before.
		cfg := t.appendConfig(spare[:0])
		for j, kv := range cfg {
			if i == 0 || j >= len(prev) || prev[j] != kv {
				bw.WriteString(termsafe.Escape(kv[0]))
				bw.WriteString(": ")
				bw.WriteString(termsafe.Escape(kv[1]))
				bw.WriteByte('\n')
			}
		}
		prev, spare = cfg, prev
		g.reset()
		notes.reset()
		writeTextTable(bw, t, opts, &g, &notes, kh.of(t.Columns), &pt)
	}
	return bw.Flush()
}

// footnotes numbers distinct warning messages within one table.
type footnotes struct {
	list []string
	idx  map[string]int
}

// reset empties f, keeping its memory.
func (f *footnotes) reset() {
	f.list = f.list[:0]
	clear(f.idx)
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

var superDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")

// smallSuperscripts are the superscripts of 0 to 9, made once: most
// tables have a footnote or two.
var smallSuperscripts = func() (s [10]string) {
	for i := range s {
		s[i] = string(superDigits[i])
	}
	return s
}()

// superscript writes n ≥ 0 in superscript digits, as benchstat numbers
// its footnotes.
func superscript(n int) string {
	if n < len(smallSuperscripts) {
		return smallSuperscripts[n]
	}
	var buf [20]rune
	i := len(buf)
	for {
		i--
		buf[i] = superDigits[n%10]
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

// keyHeaders remembers the header of the last columns asked for: most
// tables have the same columns.
type keyHeaders struct {
	cols []benchproc.Key
	kh   *benchproc.KeyHeader
}

func (k *keyHeaders) of(cols []benchproc.Key) *benchproc.KeyHeader {
	if k.kh == nil || !slices.Equal(k.cols, cols) {
		k.cols, k.kh = cols, benchproc.NewKeyHeader(cols)
	}
	return k.kh
}

// pTexts remembers the "(p=0.PPP n=N)" texts written, by p-value and
// sample sizes: most rows repeat one of a few (samples of one
// benchmark's -count, p=1.000 for samples of one value).
type pTexts map[pTextKey]string

type pTextKey struct {
	p      uint64 // bits
	n1, n2 int
}

// maxPTexts bounds a pTexts; it is emptied when full.
const maxPTexts = 4096

// of returns "(" + d.PText() + ")".
func (m *pTexts) of(d *Delta) string {
	if *m == nil {
		*m = pTexts{}
	}
	k := pTextKey{math.Float64bits(d.P), d.Comparison.N1, d.Comparison.N2}
	s, ok := (*m)[k]
	if !ok {
		if len(*m) == maxPTexts {
			clear(*m)
		}
		s = "(" + d.PText() + ")"
		(*m)[k] = s
	}
	return s
}

// writeTextTable writes t with g and notes, which must be empty, kh,
// the header of t.Columns, and pt.
func writeTextTable(w *bufio.Writer, t *Table, opts TextOptions, g *grid, notes *footnotes, kh *benchproc.KeyHeader, pt *pTexts) {
	// Each column group has a center part (center, "± CI", footnotes)
	// and, after the baseline, a delta part (delta, "(p=... n=...)",
	// footnotes): benchstat's layout.
	const centerCols, deltaCols = 3, 3
	start := func(col int) int {
		if col == 0 {
			return 1
		}
		return 1 + centerCols + (col-1)*(centerCols+deltaCols)
	}
	warn := func(errs ...[]error) { g.cell(notes.mark(errs...)) }
	// At most one label and six cells per column and row, plus the
	// header rows.
	g.cells = slices.Grow(g.cells, (len(t.Rows)+4)*(1+6*len(t.Columns)))

	// Column keys are user data: escaped before they are measured.
	redge := start(len(t.Columns) + 1)
	for nodes := kh.Top; len(nodes) > 0; {
		var next []*benchproc.KeyHeaderNode
		g.row()
		for _, node := range nodes {
			l, r := start(node.Start), start(node.Start+node.Len)
			g.col(l).span(r-l, termsafe.Escape(node.Value), middle, margin(" │ "))
			next = append(next, node.Children...)
		}
		g.col(redge).cell("", margin(" │"))
		nodes = next
	}
	unit := termsafe.Escape(t.Unit)
	g.row()
	for i := range t.Columns {
		l := start(i)
		g.col(l)
		g.span(centerCols, unit, middle, margin(" │ "))
		if i > 0 {
			g.span(deltaCols, "vs base", left, margin("  "))
		}
		for j := l + 1; j < g.curCol; j++ {
			g.setShrink(j)
		}
	}
	g.col(redge).cell("", margin(" │"))

	for _, r := range t.Rows {
		g.row()
		g.cell(termsafe.Escape(r.Name))
		scaler := unitScaler(r, t.Unit)
		for i, cell := range r.Cells {
			if cell == nil {
				continue
			}
			g.col(start(i))
			g.cell(scaler.Format(cell.Summary.Center), right)
			g.cell(cell.Summary.PctRangeString(), right, margin(" ± "))
			warn(cell.Warnings)
			if d := r.Deltas[i]; i > 0 && d != nil {
				g.cell(d.Text(), right)
				g.cell(pt.of(d))
				warn(d.Comparison.Warnings)
			}
		}
	}
	if gm := t.Geomean; gm != nil && len(t.Rows) > 1 {
		cls := benchunit.ClassOf(t.Unit)
		g.row()
		g.cell("geomean")
		for i := range t.Columns {
			if !math.IsNaN(gm.Centers[i]) {
				g.col(start(i))
				g.cell(benchunit.Scale(gm.Centers[i], cls), right)
			}
			if i > 0 {
				g.col(start(i) + centerCols)
				if math.IsNaN(gm.Pcts[i]) {
					g.cell("?")
				} else {
					g.cell(fmt.Sprintf("%+.2f%%", gm.Pcts[i]), right)
				}
			}
			g.col(start(i+1) - 1)
			warn(gm.Warnings[i])
		}
	}
	g.format(w)
	for i, msg := range notes.list {
		w.WriteString(superscript(i + 1))
		w.WriteByte(' ')
		w.WriteString(termsafe.Escape(msg))
		w.WriteByte('\n')
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
