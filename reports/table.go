package reports

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"
)

// Defaults for Options, as benchstat has them.
const (
	DefaultTable      = ".config"
	DefaultRow        = ".fullname"
	DefaultConfidence = 0.95
	DefaultAlpha      = 0.05
)

// SelectorKey is the configuration key that Compare sets on every result
// to the name of the selector that read it. The default column
// projection is this key, so each selector is one column.
const SelectorKey = ".sel"

// FileKey is benchstat's name for the column of an input file. Compare
// sets it to the same value as SelectorKey: the two are aliases. Like
// run labels, neither is file configuration, so neither splits tables
// nor causes "benchmarks vary in" warnings.
const FileKey = ".file"

// Options say how results are grouped and compared. The projection and
// filter fields use benchproc's syntax and mirror benchstat's flags; an
// empty string means the default.
type Options struct {
	Table  string // split into tables by this projection (DefaultTable)
	Row    string // split into rows by this projection (DefaultRow)
	Col    string // split into columns by this projection (SelectorKey)
	Filter string // keep only results matching this filter ("*")
	Ignore string // ignore variation in these keys (no "benchmarks vary in" warning)

	// Confidence is the confidence level of the intervals around each
	// median, in [0, 1]; 0 means DefaultConfidence unless
	// ConfidenceSet.
	Confidence float64
	// Alpha is the significance level of the Mann-Whitney U test, in
	// [0, 1]; 0 means DefaultAlpha unless AlphaSet.
	Alpha float64
	// ConfidenceSet and AlphaSet make a Confidence or Alpha of 0 mean
	// 0 (as benchstat's -confidence 0 and -alpha 0 do) rather than the
	// default.
	ConfidenceSet, AlphaSet bool
	// Threshold is a minimum effect in percent: a significant change
	// whose size is below it gets the verdict Unchanged.
	Threshold float64
	// FDR applies Benjamini-Hochberg adjustment to the p-values of each
	// column of each table before deciding significance.
	FDR bool
	// SortByDelta orders rows worst regression first, by the delta of
	// the last column, instead of benchstat's order.
	SortByDelta bool
}

func (o Options) withDefaults() Options {
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if o.Row == "" {
		o.Row = DefaultRow
	}
	if o.Col == "" {
		o.Col = SelectorKey
	}
	if o.Filter == "" {
		o.Filter = "*"
	}
	if o.Confidence == 0 && !o.ConfidenceSet {
		o.Confidence = DefaultConfidence
	}
	if o.Alpha == 0 && !o.AlphaSet {
		o.Alpha = DefaultAlpha
	}
	return o
}

// An OptionError is an invalid option value. Option is the flag name
// (table, row, col, filter, ignore, confidence, alpha, threshold).
type OptionError struct {
	Option string
	Value  string
	Err    error
}

// Error returns a one-line message. benchproc's syntax errors come with
// a caret under the query; that becomes "(at column N)".
func (e *OptionError) Error() string {
	return fmt.Sprintf("--%s %q: %s", e.Option, e.Value, syntaxLine(e.Err, e.Value))
}

func (e *OptionError) Unwrap() error { return e.Err }

// A Builder groups benchmark results into tables. Add results with Add,
// then call Tables once. A Builder is not safe for concurrent use.
type Builder struct {
	opts       Options
	thresholds benchmath.Thresholds
	filter     *benchproc.Filter

	tableBy, rowBy, colBy, residue *benchproc.Projection
	unitField                      *benchproc.Field
	// userFields are the fields named in the projections, by option,
	// checked for existence in the data.
	userFields map[string][]*benchproc.Field

	tables  map[benchproc.Key]*builderTable
	results int

	// matchAll is set when the filter is "*".
	matchAll bool
	// cache maps benchmark names to their cells for addGen.
	cache    map[string]*cacheEntry
	cacheGen int
}

type builderTable struct {
	cells map[cellKey]*builderCell
	// rows and cols are filled from cells by Tables.
	rows, cols map[benchproc.Key]struct{}
}

type cellKey struct{ row, col benchproc.Key }

type builderCell struct {
	values []float64
	// last is the residue key of the latest value; residue holds every
	// distinct residue key once there are two.
	residue map[benchproc.Key]struct{}
	last    benchproc.Key
}

// NewBuilder parses the projections and filter of opts. Errors are
// *OptionError values naming the option.
func NewBuilder(opts Options) (*Builder, error) {
	opts = opts.withDefaults()
	if !(opts.Confidence >= 0 && opts.Confidence <= 1) {
		return nil, &OptionError{"confidence", fmt.Sprint(opts.Confidence), errors.New("must be in [0, 1]")}
	}
	if !(opts.Alpha >= 0 && opts.Alpha <= 1) {
		return nil, &OptionError{"alpha", fmt.Sprint(opts.Alpha), errors.New("must be in [0, 1]")}
	}
	if opts.Threshold < 0 || math.IsNaN(opts.Threshold) {
		return nil, &OptionError{"threshold", fmt.Sprint(opts.Threshold), errors.New("must be a percentage >= 0")}
	}
	b := &Builder{
		opts:       opts,
		thresholds: benchmath.Thresholds{CompareAlpha: opts.Alpha},
		tables:     map[benchproc.Key]*builderTable{},
		userFields: map[string][]*benchproc.Field{},
	}
	var err error
	if b.filter, err = benchproc.NewFilter(opts.Filter); err != nil {
		return nil, &OptionError{"filter", opts.Filter, err}
	}
	// A fixed order in a projection (/profile@(a b)) filters too: it
	// drops results with other values, so only "*" without fixed orders
	// may skip the filter.
	b.matchAll = strings.TrimSpace(opts.Filter) == "*"
	for _, proj := range []string{opts.Table, opts.Row, opts.Col, opts.Ignore} {
		if strings.Contains(proj, "@") {
			b.matchAll = false
		}
	}
	var p benchproc.ProjectionParser
	if b.tableBy, b.unitField, err = p.ParseWithUnit(opts.Table, b.filter); err != nil {
		return nil, &OptionError{"table", opts.Table, err}
	}
	if b.rowBy, err = p.Parse(opts.Row, b.filter); err != nil {
		return nil, &OptionError{"row", opts.Row, err}
	}
	if b.colBy, err = p.Parse(opts.Col, b.filter); err != nil {
		return nil, &OptionError{"col", opts.Col, err}
	}
	ignore, err := p.Parse(opts.Ignore, b.filter)
	if err != nil {
		return nil, &OptionError{"ignore", opts.Ignore, err}
	}
	b.residue = p.Residue()
	for name, proj := range map[string]*benchproc.Projection{"table": b.tableBy, "row": b.rowBy, "col": b.colBy, "ignore": ignore} {
		for _, f := range proj.Fields() {
			if f.IsTuple || f.Name == ".fullname" || f.Name == ".name" || f.Name == ".unit" {
				continue
			}
			b.userFields[name] = append(b.userFields[name], f)
		}
	}
	return b, nil
}

// Add adds the measurements of r that pass the filter. It may rewrite
// r.Values (the filter drops measurements in place) but keeps no
// reference to r.
func (b *Builder) Add(r *benchfmt.Result) {
	if !b.matchAll {
		if ok, _ := b.filter.Apply(r); !ok {
			return
		}
	}
	b.results++
	b.place(r)
}

// addGen is Add for callers that promise that every result passed with
// the same gen has the same configuration (a different gen resets the
// cache). Results with a name seen before in the same gen skip the
// projections and go straight to their cells: the projections depend
// only on the name and the configuration, and the table key also on the
// units, which are checked.
func (b *Builder) addGen(r *benchfmt.Result, gen int) {
	if !b.matchAll {
		if ok, _ := b.filter.Apply(r); !ok {
			return
		}
	}
	b.results++
	if gen != b.cacheGen || b.cache == nil {
		// The next configuration usually has as many names.
		b.cache = make(map[string]*cacheEntry, len(b.cache))
		b.cacheGen = gen
	}
	e := b.cache[string(r.Name)]
	if e != nil && len(e.units) == len(r.Values) {
		same := true
		for i, u := range e.units {
			if r.Values[i].Unit != u {
				same = false
				break
			}
		}
		if same {
			for i, c := range e.cells {
				c.values = append(c.values, r.Values[i].Value)
			}
			return
		}
	}
	cells := b.place(r)
	if e == nil {
		e = &cacheEntry{}
		b.cache[string(r.Name)] = e
	}
	e.units = e.units[:0]
	for _, v := range r.Values {
		e.units = append(e.units, v.Unit)
	}
	e.cells = cells
}

type cacheEntry struct {
	units []string
	cells []*builderCell
}

// place projects r and appends its values to their cells, which it
// returns (one per value).
func (b *Builder) place(r *benchfmt.Result) []*builderCell {
	tableKeys := b.tableBy.ProjectValues(r)
	ck := cellKey{b.rowBy.Project(r), b.colBy.Project(r)}
	res := b.residue.Project(r)
	cells := make([]*builderCell, len(tableKeys))
	for i, tk := range tableKeys {
		t := b.tables[tk]
		if t == nil {
			t = &builderTable{cells: map[cellKey]*builderCell{}}
			b.tables[tk] = t
		}
		c := t.cells[ck]
		if c == nil {
			c = &builderCell{last: res, values: make([]float64, 0, 8)}
			t.cells[ck] = c
		} else if c.last != res {
			// The residue set is only needed once it has two keys.
			if c.residue == nil {
				c.residue = map[benchproc.Key]struct{}{c.last: {}}
			}
			c.residue[res] = struct{}{}
			c.last = res
		}
		c.values = append(c.values, r.Values[i].Value)
		cells[i] = c
	}
	return cells
}

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
	// Columns are the column keys, baseline first.
	Columns []benchproc.Key
	// Rows are in benchstat's order, or by delta with SortByDelta.
	Rows []*Row
	// Geomean summarizes every column. The text and Markdown formats
	// show it only for tables of two or more rows, as benchstat does.
	Geomean *Geomean
}

// Config returns the table key's fields other than .unit, as name and
// value pairs, for headers such as "goos: linux".
func (t *Table) Config() [][2]string {
	var out [][2]string
	for _, f := range t.Key.Projection().FlattenedFields() {
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

// dropNaN returns xs without its NaN values (in place) and their count.
func dropNaN(xs []float64) ([]float64, int) {
	out := xs[:0]
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out, len(xs) - len(out)
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

// A Verdict classifies a delta.
type Verdict int

// Verdicts.
const (
	Unchanged Verdict = iota
	Improvement
	Regression
)

// String returns "unchanged", "improvement" or "regression".
func (v Verdict) String() string {
	switch v {
	case Improvement:
		return "improvement"
	case Regression:
		return "regression"
	}
	return "unchanged"
}

// MarshalText implements encoding.TextMarshaler.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

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

// Direction reports whether higher (+1) or lower (-1) values of unit are
// better. Unit metadata (`Unit X better=higher|lower`) decides first;
// otherwise rates (units ending in "/s", such as B/s) are higher-better
// and everything else lower-better.
func Direction(unit string, units benchfmt.UnitMetadataMap) int {
	if m := units.Get(unit, "better"); m != nil {
		switch m.Value {
		case "higher":
			return 1
		case "lower":
			return -1
		}
	}
	if strings.HasSuffix(unit, "/s") {
		return 1
	}
	return -1
}

// AdjustBH returns Benjamini-Hochberg adjusted p-values (q-values) for
// ps, in the same order. NaN entries are kept and not counted.
func AdjustBH(ps []float64) []float64 {
	out := make([]float64, len(ps))
	idx := make([]int, 0, len(ps))
	for i, p := range ps {
		out[i] = p
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case ps[a] < ps[b]:
			return -1
		case ps[a] > ps[b]:
			return 1
		}
		return 0
	})
	m := float64(len(idx))
	prev := 1.0
	for k := len(idx) - 1; k >= 0; k-- {
		q := math.Min(prev, ps[idx[k]]*m/float64(k+1))
		out[idx[k]] = q
		prev = q
	}
	return out
}

// GeoMean returns the geometric mean of xs, NaN if xs is empty or holds
// a value <= 0. It computes exactly what benchstat does, so that
// geomean rows agree to the last digit.
func GeoMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := 0.0
	for i, x := range xs {
		if x <= 0 {
			return math.NaN()
		}
		m += (math.Log(x) - m) / float64(i+1)
	}
	return math.Exp(m)
}

// Tables summarizes and compares every cell, using units for the
// distributional assumption (`assume=exact`) and direction (`better=`)
// of each unit. Cells are summarized in parallel; every goroutine has
// finished when Tables returns.
func (b *Builder) Tables(units benchfmt.UnitMetadataMap) (*Comparison, error) {
	if b.results == 0 {
		return nil, &OptionError{"filter", b.opts.Filter, errors.New("no results match")}
	}
	for _, t := range b.tables {
		t.rows = map[benchproc.Key]struct{}{}
		t.cols = map[benchproc.Key]struct{}{}
		for ck := range t.cells {
			t.rows[ck.row] = struct{}{}
			t.cols[ck.col] = struct{}{}
		}
	}
	if err := b.checkFields(); err != nil {
		return nil, err
	}
	keys := make([]benchproc.Key, 0, len(b.tables))
	for k := range b.tables {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)

	// Every table's rows come from one projection: sort their union
	// once and order each table by rank.
	rowRank := newRanking(b.tables)
	type job struct {
		cell, base *Cell
		delta      *Delta
		values     *builderCell
		assume     benchmath.Assumption
	}
	ncells := 0
	for _, bt := range b.tables {
		ncells += len(bt.cells)
	}
	jobs := make([]job, 0, ncells)
	cmp := &Comparison{Options: b.opts, Tables: make([]*Table, 0, len(keys))}
	for _, k := range keys {
		bt := b.tables[k]
		unit := k.Get(b.unitField)
		t := &Table{
			Key:        k,
			Unit:       unit,
			Better:     Direction(unit, units),
			Assumption: units.GetAssumption(unit),
			Columns:    sortedKeys(bt.cols),
		}
		colIdx := make(map[benchproc.Key]int, len(t.Columns))
		for i, c := range t.Columns {
			colIdx[c] = i
		}
		rows := rowRank.sort(bt.rows)
		t.Rows = make([]*Row, len(rows))
		rowIdx := make(map[benchproc.Key]int, len(rows))
		for i, rk := range rows {
			t.Rows[i] = &Row{
				Key: rk, Name: rk.StringValues(),
				Cells:  make([]*Cell, len(t.Columns)),
				Deltas: make([]*Delta, len(t.Columns)),
			}
			rowIdx[rk] = i
		}
		for ck, bc := range bt.cells {
			vals, nan := dropNaN(bc.values)
			t.Rows[rowIdx[ck.row]].Cells[colIdx[ck.col]] = &Cell{
				Sample: benchmath.NewSample(vals, &b.thresholds),
				nan:    nan,
			}
		}
		for ck, bc := range bt.cells {
			row := t.Rows[rowIdx[ck.row]]
			ci := colIdx[ck.col]
			j := job{cell: row.Cells[ci], values: bc, assume: t.Assumption}
			if ci > 0 && row.Cells[0] != nil && len(row.Cells[0].Sample.Values) > 0 && len(j.cell.Sample.Values) > 0 {
				j.base = row.Cells[0]
				j.delta = &Delta{}
				row.Deltas[ci] = j.delta
			}
			jobs = append(jobs, j)
		}
		cmp.Tables = append(cmp.Tables, t)
	}

	memo := &uMemo{m: map[string]benchmath.Comparison{}}
	// Summaries first (deltas need both centers), then comparisons.
	conf := b.opts.Confidence
	parallel(len(jobs), func(i int) {
		j := jobs[i]
		if len(j.cell.Sample.Values) == 0 {
			// Every value was NaN: nothing to summarize.
			j.cell.Summary = benchmath.Summary{Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
			return
		}
		j.cell.Summary = j.assume.Summary(j.cell.Sample, conf)
	})
	parallel(len(jobs), func(i int) {
		j := jobs[i]
		if n := j.cell.nan; n > 0 {
			j.cell.Warnings = append(j.cell.Warnings, fmt.Errorf("%d of %d values are NaN and excluded", n, n+len(j.cell.Sample.Values)))
		}
		j.cell.Warnings = append(j.cell.Warnings, j.cell.Sample.Warnings...)
		if len(j.values.residue) > 1 {
			res := make([]benchproc.Key, 0, len(j.values.residue))
			for k := range j.values.residue {
				res = append(res, k)
			}
			benchproc.SortKeys(res)
			if nsk := benchproc.NonSingularFields(res); len(nsk) > 0 {
				names := make([]string, len(nsk))
				for i, f := range nsk {
					names[i] = f.Name
				}
				j.cell.Warnings = append(j.cell.Warnings, errors.New("benchmarks vary in "+strings.Join(names, ", ")))
			}
		}
		j.cell.Warnings = append(j.cell.Warnings, j.cell.Summary.Warnings...)
		if j.delta != nil {
			d := j.delta
			d.Comparison = memo.compare(j.assume, j.base.Sample, j.cell.Sample)
			d.Old, d.New = j.base.Summary.Center, j.cell.Summary.Center
			d.P = d.Comparison.P
			switch {
			case d.Old == d.New:
				d.Pct = 0
			case d.Old == 0:
				d.Pct = math.Inf(int(math.Copysign(1, d.New)))
			default:
				d.Pct = (d.New/d.Old - 1) * 100
			}
		}
	})
	for _, t := range cmp.Tables {
		b.decide(t)
		if b.opts.SortByDelta {
			sortByDelta(t)
		}
		t.Geomean = geomean(t)
	}
	return cmp, nil
}

// decide sets P (adjusted with FDR), Significant and Verdict.
func (b *Builder) decide(t *Table) {
	if b.opts.FDR {
		for c := 1; c < len(t.Columns); c++ {
			ps := make([]float64, len(t.Rows))
			for i, r := range t.Rows {
				ps[i] = math.NaN()
				if d := r.Deltas[c]; d != nil {
					ps[i] = d.Comparison.P
				}
			}
			for i, q := range AdjustBH(ps) {
				if d := t.Rows[i].Deltas[c]; d != nil {
					d.P = q
				}
			}
		}
	}
	for _, r := range t.Rows {
		for _, d := range r.Deltas {
			if d == nil {
				continue
			}
			// benchstat: a change is significant unless p > alpha.
			// The exact assumption leaves Alpha 0 and P 0.
			d.Significant = !(d.P > d.Comparison.Alpha)
			d.Verdict = Unchanged
			if !d.Significant || d.Old == d.New || math.Abs(d.Pct) < b.opts.Threshold {
				continue
			}
			if (d.New > d.Old) == (t.Better > 0) {
				d.Verdict = Improvement
			} else {
				d.Verdict = Regression
			}
		}
	}
}

// sortByDelta orders rows worst regression first by the last column's
// delta; rows without that delta go last, in their previous order.
func sortByDelta(t *Table) {
	last := len(t.Columns) - 1
	score := func(r *Row) (float64, bool) {
		d := r.Deltas[last]
		if d == nil || math.IsNaN(d.Pct) {
			return 0, false
		}
		return d.Pct * float64(-t.Better), true
	}
	slices.SortStableFunc(t.Rows, func(a, b *Row) int {
		sa, oka := score(a)
		sb, okb := score(b)
		switch {
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
}

// geomean computes the summary row the way benchstat does: the geomean
// of the column's centers, and the geomean of the per-row ratios to the
// baseline (not the ratio of geomeans), warning when the benchmark sets
// differ.
func geomean(t *Table) *Geomean {
	n := len(t.Columns)
	g := &Geomean{Centers: make([]float64, n), Pcts: make([]float64, n), Warnings: make([][]error, n)}
	// A cell whose values were all NaN has nothing to contribute: it
	// counts as absent.
	has := func(cell *Cell) bool { return cell != nil && len(cell.Sample.Values) > 0 }
	nBase := 0
	for _, r := range t.Rows {
		if has(r.Cells[0]) {
			nBase++
		}
	}
	for c := range n {
		var centers, ratios []float64
		bad := false
		for _, r := range t.Rows {
			cell := r.Cells[c]
			if !has(cell) {
				continue
			}
			centers = append(centers, cell.Summary.Center)
			if c > 0 && has(r.Cells[0]) {
				a, b := cell.Summary.Center, r.Cells[0].Summary.Center
				switch {
				case a == b:
					ratios = append(ratios, 1)
				case b == 0:
					bad = true
					ratios = append(ratios, 0)
				default:
					ratios = append(ratios, a/b)
				}
			}
		}
		if c > 0 && nBase != len(ratios) {
			g.Warnings[c] = append(g.Warnings[c], errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
		}
		g.Centers[c] = GeoMean(centers)
		if math.IsNaN(g.Centers[c]) {
			g.Warnings[c] = append(g.Warnings[c], errors.New("summaries must be >0 to compute geomean"))
		}
		g.Pcts[c] = math.NaN()
		if c > 0 && !bad {
			if r := GeoMean(ratios); math.IsNaN(r) {
				g.Warnings[c] = append(g.Warnings[c], errors.New("ratios must be >0 to compute geomean"))
			} else {
				g.Pcts[c] = (r - 1) * 100
			}
		}
	}
	return g
}

// checkFields reports a key named in a projection that no result has.
func (b *Builder) checkFields() error {
	seen := map[*benchproc.Field]bool{}
	var mark func(k benchproc.Key, fs []*benchproc.Field)
	mark = func(k benchproc.Key, fs []*benchproc.Field) {
		for _, f := range fs {
			if !seen[f] && k.Get(f) != "" {
				seen[f] = true
			}
		}
	}
	for tk, t := range b.tables {
		mark(tk, b.userFields["table"])
		for rk := range t.rows {
			mark(rk, b.userFields["row"])
		}
		for ck := range t.cols {
			mark(ck, b.userFields["col"])
		}
	}
	for _, opt := range []string{"table", "row", "col"} {
		for _, f := range b.userFields[opt] {
			if !seen[f] {
				val := map[string]string{"table": b.opts.Table, "row": b.opts.Row, "col": b.opts.Col}[opt]
				return &OptionError{opt, val, fmt.Errorf("unknown key %s: no selected result has it", f.Name)}
			}
		}
	}
	return nil
}

func sortedKeys(m map[benchproc.Key]struct{}) []benchproc.Key {
	keys := make([]benchproc.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// parallel calls fn(0..n-1) on up to GOMAXPROCS goroutines and waits for
// all of them.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// unitScaler returns benchunit's common scale for a row's centers.
func unitScaler(r *Row, unit string) benchunit.Scaler {
	var vals []float64
	for _, c := range r.Cells {
		// A cell of NaN values alone has a NaN center that would
		// spoil the scale.
		if c != nil && len(c.Sample.Values) > 0 {
			vals = append(vals, c.Summary.Center)
		}
	}
	return benchunit.CommonScale(vals, benchunit.ClassOf(unit))
}

// A ranking orders row keys by benchproc's sort order, computed once
// for the union of every table's rows.
type ranking map[benchproc.Key]int

func newRanking(tables map[benchproc.Key]*builderTable) ranking {
	all := map[benchproc.Key]struct{}{}
	for _, t := range tables {
		for k := range t.rows {
			all[k] = struct{}{}
		}
	}
	r := make(ranking, len(all))
	for i, k := range sortedKeys(all) {
		r[k] = i
	}
	return r
}

// sort returns the keys of m in rank order.
func (r ranking) sort(m map[benchproc.Key]struct{}) []benchproc.Key {
	type ranked struct {
		rank int
		key  benchproc.Key
	}
	rs := make([]ranked, 0, len(m))
	for k := range m {
		rs = append(rs, ranked{r[k], k})
	}
	slices.SortFunc(rs, func(a, b ranked) int { return a.rank - b.rank })
	keys := make([]benchproc.Key, len(rs))
	for i, x := range rs {
		keys[i] = x.key
	}
	return keys
}

// uMemo remembers Mann-Whitney U test results by the rank structure of
// the two samples. The test's p-value (and so benchmath's Comparison,
// warnings included) depends only on the sample sizes, the sizes of the
// groups of tied values in rank order, and the rank sum of the first
// sample; benchmarks with -count 10 repeat those structures constantly,
// so most comparisons are looked up rather than recomputed. Every value
// in the memo was computed by benchmath itself. It is safe for
// concurrent use.
type uMemo struct {
	mu sync.Mutex
	m  map[string]benchmath.Comparison
}

func (u *uMemo) compare(a benchmath.Assumption, s1, s2 *benchmath.Sample) benchmath.Comparison {
	if a != benchmath.AssumeNothing {
		return a.Compare(s1, s2)
	}
	key, ok := rankKey(s1.Values, s2.Values)
	if !ok {
		return a.Compare(s1, s2)
	}
	u.mu.Lock()
	c, hit := u.m[key]
	u.mu.Unlock()
	if hit {
		return c
	}
	c = a.Compare(s1, s2)
	u.mu.Lock()
	u.m[key] = c
	u.mu.Unlock()
	return c
}

// rankKey encodes the rank structure of two sorted samples: their
// sizes, the size of each group of equal values in the merged order,
// and twice the first sample's rank sum (midranks for ties). It reports
// false for samples holding NaN, whose order is undefined.
func rankKey(x1, x2 []float64) (string, bool) {
	buf := make([]byte, 0, 2*(len(x1)+len(x2))+8)
	buf = binary.AppendUvarint(buf, uint64(len(x1)))
	buf = binary.AppendUvarint(buf, uint64(len(x2)))
	i, j, pos, r2 := 0, 0, 0, 0
	for i < len(x1) || j < len(x2) {
		var v float64
		switch {
		case i == len(x1):
			v = x2[j]
		case j == len(x2):
			v = x1[i]
		default:
			v = min(x1[i], x2[j])
		}
		if math.IsNaN(v) {
			return "", false
		}
		c1, c2 := 0, 0
		for ; i < len(x1) && x1[i] == v; i++ {
			c1++
		}
		for ; j < len(x2) && x2[j] == v; j++ {
			c2++
		}
		if c1+c2 == 0 {
			return "", false // unsorted input
		}
		g := c1 + c2
		r2 += c1 * (2*pos + g + 1)
		pos += g
		buf = binary.AppendUvarint(buf, uint64(g))
	}
	buf = binary.AppendUvarint(buf, uint64(r2))
	return string(buf), true
}
