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

	// format's scratch space, kept for the next table.
	margins, widths, offs, grow []int
	order                       []uint64
}

// reset empties g for another table, keeping its memory.
func (g *grid) reset() {
	clear(g.cells) // drop the strings
	g.cells = g.cells[:0]
	g.shrink = g.shrink[:0]
	g.cols, g.curRow, g.curCol = 0, 0, 0
}

// ints returns s resized to n zeros.
func ints(s []int, n int) []int {
	s = slices.Grow(s[:0], n)[:n]
	clear(s)
	return s
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
	g.margins = ints(g.margins, g.cols)
	margins := g.margins
	for _, c := range g.cells {
		margins[c.col] = max(margins[c.col], utf8.RuneCountInString(c.margin))
	}
	g.widths = ints(g.widths, g.cols)
	widths := g.widths
	// Single cells first, then wider spans, in the order of benchstat's
	// unstable sort.Slice by span, so that ties fall the same way:
	// slices.SortFunc is generated from the same pdqsort template as
	// sort.Slice, so equal comparisons give the same permutation, here
	// of indices, which are cheap to swap.
	// Each entry is span<<32 | index; only the span is compared.
	order := slices.Grow(g.order[:0], len(g.cells))[:len(g.cells)]
	g.order = order
	for i := range order {
		order[i] = uint64(g.cells[i].span)<<32 | uint64(i)
	}
	slices.SortFunc(order, func(a, b uint64) int { return int(a>>32) - int(b>>32) })
	grow := g.grow[:0]
	defer func() { g.grow = grow }()
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
	g.offs = ints(g.offs, g.cols+1)
	offs := g.offs
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
		writeBlanks(w, abs(offs[col]-pos)) // as blanks does
		writeBlanks(w, margins[col]-utf8.RuneCountInString(c.margin))
		w.WriteString(c.margin)
		pos = offs[col] + margins[col]
		total := offs[col+int(c.span)] - offs[col] - margins[col]
		s := c.value
		n := utf8.RuneCountInString(s)
		switch c.align {
		case alignCenter:
			b := (total - n) / 2
			writeBlanks(w, abs(b))
			pos += abs(b)
			w.WriteString(s)
		case alignRight:
			if total < 0 {
				w.WriteString(s)
				writeBlanks(w, -total-n)
				pos += max(0, -total-n)
			} else {
				writeBlanks(w, total-n)
				pos += max(0, total-n)
				w.WriteString(s)
			}
		default:
			w.WriteString(s)
		}
		pos += n
	}
	if len(g.cells) > 0 {
		w.WriteByte('\n')
	}
}

// spaces is a run of blanks that writeBlanks writes from.
const spaces = "                                                                "

// writeBlanks writes max(0, n) spaces. Where benchstat writes
// fmt.Sprintf("%*s", n, "") (before a cell, and to center one), the
// callers pass abs(n): for a negative n (a cell wider than the columns
// it spans, which happens when every one of them is a shrink column)
// fmt writes -n spaces, since it reads a negative width as
// left-justified.
func writeBlanks(w *bufio.Writer, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		w.WriteString(spaces[:k])
		n -= k
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
