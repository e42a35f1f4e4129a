package reports

import (
	"bufio"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// A grid lays out text in columns for a fixed-width font, the way
// benchstat's (internal) text table does, so that the text format is
// benchstat's byte for byte: cells may span columns, carry a left
// margin (the largest margin in a column sets its indent), and align
// left, center or right; spanning cells widen the columns under them,
// except "shrink" columns, which only ever fit their own cells. The
// algorithm, including the order in which spanning cells are
// considered, is benchstat's; only the code is ours.
type grid struct {
	cells          []gridCell
	cols           int
	shrink         []bool
	curRow, curCol int
}

type gridCell struct {
	value    string
	margin   string
	row, col int32
	span     int32
	align    gridAlign
}

type gridAlign uint8

const (
	alignLeft gridAlign = iota
	alignCenter
	alignRight
)

// A cellOpt adjusts a cell as it is added.
type cellOpt func(*gridCell)

func margin(m string) cellOpt { return func(c *gridCell) { c.margin = m } }

var (
	left   cellOpt = func(c *gridCell) { c.align = alignLeft }
	middle cellOpt = func(c *gridCell) { c.align = alignCenter }
	right  cellOpt = func(c *gridCell) { c.align = alignRight }
)

// row starts a new row (the first call starts row 0).
func (g *grid) row() *grid {
	if len(g.cells) > 0 {
		g.curRow++
	}
	g.curCol = 0
	return g
}

// col moves to column c of the current row; it never moves back.
func (g *grid) col(c int) *grid {
	if c < g.curCol {
		panic("grid: column moves back")
	}
	g.curCol = c
	return g
}

func (g *grid) cell(value string, opts ...cellOpt) *grid { return g.span(1, value, opts...) }

// span adds a cell spanning n columns. A cell has a margin of one
// space unless it is empty or in the first column.
func (g *grid) span(n int, value string, opts ...cellOpt) *grid {
	m := " "
	if g.curCol == 0 || value == "" {
		m = ""
	}
	g.cells = append(g.cells, gridCell{value: value, margin: m, row: int32(g.curRow), col: int32(g.curCol), span: int32(n)})
	for _, o := range opts {
		o(&g.cells[len(g.cells)-1])
	}
	g.curCol += n
	g.cols = max(g.cols, g.curCol)
	return g
}

func (g *grid) setShrink(c int) {
	for len(g.shrink) <= c {
		g.shrink = append(g.shrink, false)
	}
	g.shrink[c] = true
}

func (g *grid) isShrink(c int) bool { return c < len(g.shrink) && g.shrink[c] }

// format writes the grid, one line per row, without trailing blanks
// after the last non-empty cell of a row.
func (g *grid) format(w *bufio.Writer) {
	margins := make([]int, g.cols)
	for _, c := range g.cells {
		margins[c.col] = max(margins[c.col], utf8.RuneCountInString(c.margin))
	}
	widths := make([]int, g.cols)
	// Single cells first, then wider spans, in the order of benchstat's
	// unstable sort.Slice by span, so that ties fall the same way:
	// slices.SortFunc is generated from the same pdqsort template as
	// sort.Slice, so equal comparisons give the same permutation, here
	// of indices, which are cheap to swap.
	// Each entry is span<<32 | index; only the span is compared.
	order := make([]uint64, len(g.cells))
	for i := range order {
		order[i] = uint64(g.cells[i].span)<<32 | uint64(i)
	}
	slices.SortFunc(order, func(a, b uint64) int { return int(a>>32) - int(b>>32) })
	var grow []int
	for _, k := range order {
		c := &g.cells[uint32(k)]
		col, span := int(c.col), int(c.span)
		need := utf8.RuneCountInString(c.value) + margins[col]
		if span == 1 {
			widths[col] = max(widths[col], need)
			continue
		}
		have := 0
		for i := col; i < col+span; i++ {
			have += widths[i]
		}
		if have >= need {
			continue
		}
		// Share what is missing among the columns that may grow,
		// widest first, each getting at least the average of what
		// is left.
		grow = grow[:0]
		for i := col; i < col+span; i++ {
			if g.isShrink(i) {
				need -= widths[i]
			} else {
				grow = append(grow, i)
			}
		}
		sort.Slice(grow, func(i, j int) bool { return widths[grow[i]] > widths[grow[j]] })
		n := len(grow)
		for _, i := range grow {
			avg := (need + n - 1) / n
			widths[i] = max(widths[i], avg)
			need -= widths[i]
			n--
		}
	}
	offs := make([]int, g.cols+1)
	for i, wd := range widths {
		offs[i+1] = offs[i] + wd
	}

	// Cells were added row by row, left to right, and are still in
	// that order (benchstat sorts them back into it).
	row, pos := int32(0), 0
	for i := range g.cells {
		c := &g.cells[i]
		col := int(c.col)
		if strings.TrimSpace(c.value) == "" && strings.TrimSpace(c.margin) == "" {
			continue
		}
		for ; row < c.row; row++ {
			w.WriteByte('\n')
			pos = 0
		}
		w.WriteString(blanks(offs[col] - pos))
		w.WriteString(padLeft(c.margin, margins[col]))
		pos = offs[col] + margins[col]
		total := offs[col+int(c.span)] - offs[col] - margins[col]
		s := c.value
		switch c.align {
		case alignCenter:
			s = blanks((total-utf8.RuneCountInString(s))/2) + s
		case alignRight:
			if total < 0 {
				s = padRight(s, -total)
			} else {
				s = padLeft(s, total)
			}
		}
		w.WriteString(s)
		pos += utf8.RuneCountInString(s)
	}
	if len(g.cells) > 0 {
		w.WriteByte('\n')
	}
}

// blanks returns what benchstat's fmt.Sprintf("%*s", n, "") does: n
// spaces, and for a negative n (a cell wider than the columns it
// spans, which happens when every one of them is a shrink column) -n
// spaces, since fmt reads a negative width as left-justified.
func blanks(n int) string {
	if n < 0 {
		n = -n
	}
	return strings.Repeat(" ", n)
}
