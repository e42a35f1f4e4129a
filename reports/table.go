package reports

import (
	"fmt"
	"slices"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// A Comparison is a set of comparison tables.
type Comparison struct {
	// Tables are ordered by their key (benchstat's order).
	Tables []*Table
	// Options are the options the tables were built with, defaults
	// filled in.
	Options Options
}

// A Table compares the samples of one unit (and one value of the table
// projection) in a grid of rows and columns. The first column is the
// baseline of every delta.
type Table struct {
	// Key is the table's projected key; its last field is .unit.
	Key benchproc.Key
	// Unit is the tidied unit of every value in the table (sec/op,
	// B/op, ...).
	Unit string
	// Better is +1 when higher values are better, -1 when lower are.
	Better int
	// Assumption is the distributional assumption used for the unit.
	Assumption benchmath.Assumption
	// Columns are the column keys, baseline first. Tables with the
	// same columns may share the slice: it must not be modified.
	Columns []benchproc.Key
	// Rows are in benchstat's order, or by delta with SortByDelta.
	Rows []*Row
	// Geomean summarizes every column. The text and Markdown formats
	// show it only for tables of two or more rows, as benchstat does.
	Geomean *Geomean
}

// Config returns the table key's fields other than .unit, as name and
// value pairs, for headers such as "goos: linux".
func (t *Table) Config() [][2]string { return t.appendConfig(nil) }

// appendConfig appends Config's pairs to out.
func (t *Table) appendConfig(out [][2]string) [][2]string {
	fields := t.Key.Projection().FlattenedFields()
	out = slices.Grow(out, len(fields))
	for _, f := range fields {
		if f.Name == ".unit" {
			continue
		}
		out = append(out, [2]string{f.Name, t.Key.Get(f)})
	}
	return out
}

// ColumnNames returns the display names of the columns.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.StringValues()
	}
	return names
}

// A Row is one row of a Table. Cells and Deltas have one entry per
// column; an entry is nil where the column has no data (and, for
// Deltas, always for the baseline column and where the baseline has no
// data).
type Row struct {
	Key    benchproc.Key
	Name   string
	Cells  []*Cell
	Deltas []*Delta
}

// A Cell summarizes one sample.
type Cell struct {
	Sample  *benchmath.Sample
	Summary benchmath.Summary
	// Warnings are the sample's and the summary's warnings, including
	// "benchmarks vary in KEY" when results that differ in an
	// unprojected key were pooled, and a count of NaN values.
	Warnings []error

	// nan counts the NaN values left out of Sample: NaN has no order,
	// so no median, interval or rank test can use it (benchmath's
	// Mann-Whitney test on NaN grows without bound). A cell of NaN
	// alone has an empty Sample, a NaN center and no delta.
	nan int
}

// A Delta compares a cell with the baseline cell of its row.
type Delta struct {
	Comparison benchmath.Comparison
	// Old and New are the centers of the baseline and of this cell.
	Old, New float64
	// Pct is the change in percent, (New/Old-1)*100; 0 when Old ==
	// New, ±Inf when Old is 0.
	Pct float64
	// P is the p-value used to decide significance: the test's own,
	// or the Benjamini-Hochberg adjusted one with Options.FDR.
	P float64
	// Significant reports P <= alpha, benchstat's rule.
	Significant bool
	Verdict     Verdict
}

// Text formats the delta as benchstat does: "~" when not significant,
// else "+x.xx%", "0.00%" or "?" (baseline 0).
func (d *Delta) Text() string {
	switch {
	case !d.Significant:
		return "~"
	case d.Old == d.New:
		return "0.00%"
	case d.Old == 0:
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", d.Pct)
}

// PText formats the test as benchstat does: "p=0.PPP n=N" or
// "p=0.PPP n=N1+N2", without p when it is exactly 0.
func (d *Delta) PText() string {
	c := d.Comparison
	c.P = d.P
	return c.String()
}

// Geomean is the summary row of a Table: benchstat's geomean of each
// column's centers and of each column's ratios to the baseline.
type Geomean struct {
	// Centers are the geomeans of each column's centers; NaN where
	// undefined (a center <= 0).
	Centers []float64
	// Pcts are (geomean of ratios - 1) * 100 for each non-baseline
	// column; NaN for the baseline and where undefined.
	Pcts []float64
	// Warnings are per column.
	Warnings [][]error
}
