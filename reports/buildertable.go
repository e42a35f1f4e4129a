package reports

import (
	"slices"

	"golang.org/x/perf/benchproc"
)

// A builderTable holds a table's cells in the order they were first
// seen: most tables are small (a configuration line per result makes a
// table of one row), where a linear search beats a map; index maps keys
// to cells once there are more than maxLinearKeys.
type builderTable struct {
	key   benchproc.Key
	cells []tableCell
	index map[cellKey]*builderCell
	// rows and cols are the distinct row and column keys, in no
	// particular order, filled from cells by Tables.
	rows, cols []benchproc.Key
}

type tableCell struct {
	key  cellKey
	cell *builderCell
}

// cell returns the cell of k, or nil.
func (t *builderTable) cell(k cellKey) *builderCell {
	if t.index != nil {
		return t.index[k]
	}
	for i := range t.cells {
		if t.cells[i].key == k {
			return t.cells[i].cell
		}
	}
	return nil
}

// add adds the cell c of k, which t does not have. The index map, and
// the list of cells, are made for hint cells at least once t has more
// than maxLinearKeys.
func (t *builderTable) add(k cellKey, c *builderCell, hint int) {
	t.cells = append(t.cells, tableCell{k, c})
	switch {
	case t.index != nil:
		t.index[k] = c
	case len(t.cells) > maxLinearKeys:
		t.cells = slices.Grow(t.cells, max(0, hint-len(t.cells)))
		t.index = make(map[cellKey]*builderCell, max(2*len(t.cells), hint))
		for _, tc := range t.cells {
			t.index[tc.key] = tc.cell
		}
	}
}

type cellKey struct{ row, col benchproc.Key }

// slabSize is the number of tables or cells allocated at once.
const slabSize = 256

// cellValues is the capacity of a new cell's values, enough for
// -count 8 before a cell's values are reallocated.
const cellValues = 8

func (b *Builder) newTable() *builderTable {
	if len(b.tableSlab) == 0 {
		b.tableSlab = make([]builderTable, slabSize)
	}
	t := &b.tableSlab[0]
	b.tableSlab = b.tableSlab[1:]
	return t
}

// newCell returns a new cell with residue key res and room for n
// values at least.
func (b *Builder) newCell(res benchproc.Key, n int) *builderCell {
	if len(b.cellSlab) == 0 {
		b.cellSlab = make([]builderCell, slabSize)
	}
	c := &b.cellSlab[0]
	b.cellSlab = b.cellSlab[1:]
	c.last = res
	if n > cellValues {
		c.values = make([]float64, 0, n)
		return c
	}
	if len(b.valueSlab) < cellValues {
		b.valueSlab = make([]float64, slabSize*cellValues)
	}
	c.values = b.valueSlab[:0:cellValues]
	b.valueSlab = b.valueSlab[cellValues:]
	return c
}

type builderCell struct {
	values []float64
	// last is the residue key of the latest value; residue holds every
	// distinct residue key once there are two.
	residue map[benchproc.Key]struct{}
	last    benchproc.Key
}
