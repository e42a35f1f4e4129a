package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// CSVOptions adjust the CSV format.
type CSVOptions struct {
	// Verdicts adds a "verdict" column (regression, improvement or
	// unchanged) after the P column of every compared column group.
	// Without it the CSV is benchstat's byte for byte.
	Verdicts bool
}

// WriteCSV writes c in benchstat's CSV layout: for each table, its key
// changes as one-cell rows ("goos: linux"), one row per field of the
// column keys, a header row (UNIT, CI, then "vs base" and P for each
// column after the first), one row per benchmark with the center in
// base units at full precision, and a geomean row. Rows are as short as
// their last cell, except the header and geomean rows, which span the
// whole table, as benchstat writes them.
//
// Warnings go to warnings, one line each, prefixed with the
// spreadsheet cell they belong to, as benchstat writes them ("C4:
// need >= 6 samples ..."); warnings may be nil to drop them.
func (c *Comparison) WriteCSV(w, warnings io.Writer, opts CSVOptions) error {
	if warnings == nil {
		warnings = io.Discard
	}
	o := csv.NewWriter(w)
	line := 1                   // the spreadsheet row of the next record
	var prev, spare [][2]string // the previous table's Config, computed once per table
	for i, t := range c.Tables {
		if i > 0 {
			o.Write([]string{""})
			line++
		}
		// The previous table's pairs stay in prev; cfg reuses the
		// memory of the ones before.
		cfg := t.appendConfig(spare[:0])
		for j, kv := range cfg {
			if i == 0 || j >= len(prev) || prev[j] != kv {
				o.Write([]string{kv[0] + ": " + kv[1]})
				line++
			}
		}
		prev, spare = cfg, prev
		line += writeCSVTable(o, warnings, t, line, opts)
	}
	o.Flush()
	return o.Error()
}

// writeCSVTable writes one table starting at spreadsheet row line and
// returns the number of records written.
func writeCSVTable(o *csv.Writer, warnings io.Writer, t *Table, line int, opts CSVOptions) (records int) {
	deltaCols := 2 // vs base, P
	if opts.Verdicts {
		deltaCols++
	}
	const centerCols = 2 // center, CI
	start := func(col int) int {
		if col == 0 {
			return 1
		}
		return 1 + centerCols + (col-1)*(centerCols+deltaCols)
	}
	row := make([]string, 0, start(len(t.Columns)))
	padTo := func(n int) {
		for len(row) < n {
			row = append(row, "")
		}
	}
	emit := func() {
		o.Write(row)
		row = row[:0]
		records++
	}
	warn := func(errs []error) {
		if len(errs) == 0 {
			return
		}
		ref := cellRef(len(row)) + fmt.Sprint(line+records)
		for _, e := range errs {
			fmt.Fprintf(warnings, "%s: %s\n", ref, termsafe.Escape(e.Error()))
		}
	}

	for _, f := range t.Columns[0].Projection().FlattenedFields() {
		for i, k := range t.Columns {
			padTo(start(i))
			row = append(row, k.Get(f))
		}
		padTo(start(len(t.Columns)))
		emit()
	}
	for i := range t.Columns {
		padTo(start(i))
		row = append(row, t.Unit, "CI")
		if i > 0 {
			row = append(row, "vs base", "P")
			if opts.Verdicts {
				row = append(row, "verdict")
			}
		}
	}
	emit()
	for _, r := range t.Rows {
		row = append(row, r.Name)
		for i, cell := range r.Cells {
			if cell == nil {
				continue
			}
			padTo(start(i))
			warn(cell.Warnings)
			row = append(row, fmt.Sprint(cell.Summary.Center), cell.Summary.PctRangeString())
			if d := r.Deltas[i]; i > 0 && d != nil {
				warn(d.Comparison.Warnings)
				row = append(row, d.Text(), d.PText())
				if opts.Verdicts {
					row = append(row, d.Verdict.String())
				}
			}
		}
		emit()
	}
	if g := t.Geomean; g != nil {
		row = append(row, "geomean")
		for i := range t.Columns {
			padTo(start(i))
			warn(g.Warnings[i])
			if !math.IsNaN(g.Centers[i]) {
				row = append(row, fmt.Sprint(g.Centers[i]))
			}
			if i > 0 {
				padTo(start(i) + centerCols)
				if math.IsNaN(g.Pcts[i]) {
					row = append(row, "?")
				} else {
					row = append(row, fmt.Sprintf("%+.2f%%", g.Pcts[i]))
				}
			}
		}
		padTo(start(len(t.Columns)))
		emit()
	}
	return records
}

// cellRef returns benchstat's spreadsheet column name for the 0-based
// column x: A, B, ..., Z, then (as benchstat computes it) BA, BB, ...
func cellRef(x int) string {
	if x == 0 {
		return "A"
	}
	var b []byte
	for ; x > 0; x /= 26 {
		b = append([]byte{byte('A' + x%26)}, b...)
	}
	return string(b)
}
