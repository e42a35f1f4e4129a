package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
)

// WriteCSV writes c in benchstat's CSV layout with one more column per
// compared group: for each table, its key changes as one-cell rows, a
// row of column keys, a header row (UNIT, CI, then "vs base", P,
// verdict for each column after the first), one row per benchmark with
// the center in base units at full precision, and a geomean row.
// Warnings are not written; the caller shows Warnings() elsewhere (the
// CLI prints them to standard error, as benchstat does).
func (c *Comparison) WriteCSV(w io.Writer) error {
	o := csv.NewWriter(w)
	var prev *Table
	for i, t := range c.Tables {
		if i > 0 {
			o.Write([]string{""})
		}
		for j, kv := range t.Config() {
			if prev == nil || j >= len(prev.Config()) || prev.Config()[j] != kv {
				o.Write([]string{kv[0] + ": " + kv[1]})
			}
		}
		prev = t
		start := func(col int) int {
			if col == 0 {
				return 1
			}
			return 3 + (col-1)*5
		}
		width := start(len(t.Columns))
		row := make([]string, 0, width)
		pad := func(to int) {
			for len(row) < to {
				row = append(row, "")
			}
		}
		emit := func() {
			pad(width)
			o.Write(row)
			row = row[:0]
		}
		for col, name := range t.ColumnNames() {
			pad(start(col))
			row = append(row, name)
		}
		emit()
		for col := range t.Columns {
			pad(start(col))
			row = append(row, t.Unit, "CI")
			if col > 0 {
				row = append(row, "vs base", "P", "verdict")
			}
		}
		emit()
		for _, r := range t.Rows {
			row = append(row, r.Name)
			for col, cell := range r.Cells {
				if cell == nil {
					continue
				}
				pad(start(col))
				row = append(row, fmt.Sprint(cell.Summary.Center), cell.Summary.PctRangeString())
				if d := r.Deltas[col]; d != nil {
					row = append(row, d.Text(), d.PText(), d.Verdict.String())
				}
			}
			emit()
		}
		if g := t.Geomean; g != nil {
			row = append(row, "geomean")
			for col := range t.Columns {
				pad(start(col))
				if !math.IsNaN(g.Centers[col]) {
					row = append(row, fmt.Sprint(g.Centers[col]))
				}
				if col > 0 {
					pad(start(col) + 2)
					if math.IsNaN(g.Pcts[col]) {
						row = append(row, "?")
					} else {
						row = append(row, fmt.Sprintf("%+.2f%%", g.Pcts[col]))
					}
				}
			}
			emit()
		}
	}
	o.Flush()
	return o.Error()
}
