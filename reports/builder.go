package reports

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

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

	tables map[benchproc.Key]*builderTable
	// tableOrder holds the tables in the order they were made, mostly
	// their sorted order: sorting it takes a pass over it then.
	tableOrder []*builderTable
	results    int
	// Tables, cells and the first values of cells are allocated in
	// chunks: a comparison may hold a table or a cell per result.
	tableSlab []builderTable
	cellSlab  []builderCell
	valueSlab []float64
	// cellPtrSlab holds the lists of cells place returns.
	cellPtrSlab []*builderCell

	// matchAll is set when the filter is "*".
	matchAll bool
	// cols is addGroup's list of the columns a filter keeps.
	cols []int
	// cache maps benchmark names to their cells for addGroup.
	cache    map[string]*cacheEntry
	cacheGen int
	// cacheHint is the size cache was made for; last is the entry of
	// the previous result, in the same gen.
	cacheHint int
	last      *cacheEntry
	// tableNameFree and colNameFree are set when the table or column
	// projection reads no part of a result's name; projCache holds
	// their keys for the results of one gen.
	tableNameFree, colNameFree bool
	// colSelOnly is set when the column projection reads only
	// SelectorKey and FileKey; selCache holds its last key and the
	// values it was made from.
	colSelOnly bool
	selCache   struct {
		ok        bool
		sel, file []byte
		col       benchproc.Key
	}
	projCache projCache
	// tableCache holds the tables of each file configuration seen, when
	// the table projection reads only that and the units.
	tableCache tableCache
	// cells counts the cells made, maxCells is the most a table has;
	// presized counts the cells index maps were made for beyond their
	// need (indexHint).
	cells, maxCells, presized int
	// rowNameOnly is set when the row projection reads nothing but a
	// result's name; rowKeys then remembers the row key of each name.
	rowNameOnly bool
	rowKeys     nameKeys
	// keyFields counts the fields of the table keys made so far (see
	// maxKeyFields); err is set when they are too many, and every later
	// result is dropped.
	keyFields int
	err       error
}

// maxKeyFields bounds the fields of all table keys a comparison holds,
// at least, and keyFieldsPerResult per result added beyond that. Each
// table key keeps a value for every field the table projection knows
// when it is made, and the default table projection (.config) gains a
// field with every new configuration key: input with a new key before
// each result (no real benchmark prints that, but anyone can store it)
// makes n tables of up to n fields, memory quadratic in its size (20,000
// such lines took 17 GB). 1<<21 fields are 32 MiB of key values.
const (
	maxKeyFields       = 1 << 21
	keyFieldsPerResult = 32
)

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
	b.tableCache.on = tableCacheable(b.tableBy)
	b.rowNameOnly = nameOnly(b.rowBy)
	b.tableNameFree, b.colNameFree = nameFree(b.tableBy), nameFree(b.colBy)
	b.colSelOnly = true
	for _, f := range b.colBy.Fields() {
		if f.IsTuple || f.Name != SelectorKey && f.Name != FileKey {
			b.colSelOnly = false
		}
	}
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
	if b.err != nil {
		return
	}
	if !b.matchAll {
		if ok, _ := b.filter.Apply(r); !ok {
			return
		}
	}
	b.results++
	b.place(r, -1, 1)
}

// Tables summarizes and compares every cell, using units for the
// distributional assumption (`assume=exact`) and direction (`better=`)
// of each unit. Cells are summarized in parallel; every goroutine has
// finished when Tables returns.
func (b *Builder) Tables(units benchfmt.UnitMetadataMap) (*Comparison, error) {
	if b.err != nil {
		return nil, b.err
	}
	if b.results == 0 {
		return nil, &OptionError{"filter", b.opts.Filter, errors.New("no results match")}
	}
	for _, t := range b.tableOrder {
		t.rows = distinctKeys(len(t.cells), func(i int) benchproc.Key { return t.cells[i].key.row })
		t.cols = distinctKeys(len(t.cells), func(i int) benchproc.Key { return t.cells[i].key.col })
	}
	if err := b.checkFields(); err != nil {
		return nil, err
	}
	// Every table's rows come from one projection: sort their union
	// once and order each table by rank. Both are listed in the order
	// they were first seen, mostly their sorted order already.
	rowRank := newRanking(b.tableOrder)
	tables := b.tableOrder
	// Keys are distinct and their order total (benchproc breaks ties
	// between unordered values by their strings): this is the order of
	// benchproc.SortKeys.
	slices.SortFunc(tables, func(a, b *builderTable) int {
		switch {
		case a.key == b.key:
			return 0
		case a.key.Less(b.key):
			return -1
		}
		return 1
	})
	type job struct {
		cell, base *Cell
		delta      *Delta
		values     *builderCell
		assume     benchmath.Assumption
	}
	ncells := 0
	for _, bt := range tables {
		ncells += len(bt.cells)
	}
	jobs := make([]job, 0, ncells)
	cmp := &Comparison{Options: b.opts, Tables: make([]*Table, len(tables))}
	// A comparison may hold a table per result: tables, rows, cells,
	// samples and deltas are allocated once for all tables.
	var (
		tableSlab  = make([]Table, len(tables))
		cellSlab   = make([]Cell, ncells)
		sampleSlab = make([]benchmath.Sample, ncells)
		deltaSlab  []Delta
		rowSlab    []Row
		ptrSlab    []*Cell
		dptrSlab   []*Delta
	)
	var cols []benchproc.Key // the previous table's columns, sorted
	var (
		lastUnit   string
		better     = 0
		assumption benchmath.Assumption
	)
	for ti, bt := range tables {
		k := bt.key
		unit := k.Get(b.unitField)
		if better == 0 || unit != lastUnit {
			lastUnit, better, assumption = unit, Direction(unit, units), units.GetAssumption(unit)
		}
		// Tables mostly have the same columns (old, new): sorted once
		// and shared.
		if !sameKeys(cols, bt.cols) {
			cols = sortedKeys(bt.cols)
		}
		t := &tableSlab[ti]
		*t = Table{
			Key:        k,
			Unit:       unit,
			Better:     better,
			Assumption: assumption,
			Columns:    cols,
		}
		colIdx := newKeyIndex(t.Columns)
		rows := rowRank.sort(bt.rows)
		n := len(t.Columns)
		if len(rowSlab) < len(rows) {
			rowSlab = make([]Row, max(len(rows), slabSize))
		}
		if len(ptrSlab) < len(rows)*n {
			ptrSlab = make([]*Cell, max(len(rows)*n, slabSize*n))
			dptrSlab = make([]*Delta, max(len(rows)*n, slabSize*n))
		}
		t.Rows = make([]*Row, len(rows))
		for i, rk := range rows {
			r := &rowSlab[i]
			*r = Row{
				Key: rk, Name: rowRank.name(rk),
				Cells:  ptrSlab[i*n : (i+1)*n : (i+1)*n],
				Deltas: dptrSlab[i*n : (i+1)*n : (i+1)*n],
			}
			t.Rows[i] = r
		}
		rowSlab = rowSlab[len(rows):]
		ptrSlab, dptrSlab = ptrSlab[len(rows)*n:], dptrSlab[len(rows)*n:]
		rowIdx := newKeyIndex(rows)
		for _, tc := range bt.cells {
			vals, nan := dropNaN(tc.cell.values)
			// benchmath.NewSample, without its allocation.
			sort.Float64s(vals)
			sampleSlab[0] = benchmath.Sample{Values: vals, Thresholds: &b.thresholds}
			cellSlab[0] = Cell{Sample: &sampleSlab[0], nan: nan}
			t.Rows[rowIdx.of(tc.key.row)].Cells[colIdx.of(tc.key.col)] = &cellSlab[0]
			sampleSlab, cellSlab = sampleSlab[1:], cellSlab[1:]
		}
		for _, tc := range bt.cells {
			row := t.Rows[rowIdx.of(tc.key.row)]
			ci := colIdx.of(tc.key.col)
			j := job{cell: row.Cells[ci], values: tc.cell, assume: t.Assumption}
			if ci > 0 && row.Cells[0] != nil && len(row.Cells[0].Sample.Values) > 0 && len(j.cell.Sample.Values) > 0 {
				if len(deltaSlab) == 0 {
					deltaSlab = make([]Delta, max(slabSize, ncells/2))
				}
				j.base = row.Cells[0]
				j.delta = &deltaSlab[0]
				deltaSlab = deltaSlab[1:]
				row.Deltas[ci] = j.delta
			}
			jobs = append(jobs, j)
		}
		cmp.Tables[ti] = t
	}

	memo := &uMemo{m: map[string]benchmath.Comparison{}}
	// Summaries first (deltas need both centers), then comparisons.
	sums := newSummaryMemo(b.opts.Confidence)
	parallel(len(jobs), func(i int) {
		j := jobs[i]
		if len(j.cell.Sample.Values) == 0 {
			// Every value was NaN: nothing to summarize.
			j.cell.Summary = benchmath.Summary{Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
			return
		}
		j.cell.Summary = sums.summary(j.assume, j.cell.Sample)
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
	var geo geomeanAlloc
	for _, t := range cmp.Tables {
		b.decide(t)
		if b.opts.SortByDelta {
			sortByDelta(t)
		}
		t.Geomean = geo.geomean(t)
	}
	return cmp, nil
}

// checkFields reports a key named in a projection that no result has.
func (b *Builder) checkFields() error {
	need := len(b.userFields["table"]) + len(b.userFields["row"]) + len(b.userFields["col"])
	if need == 0 {
		return nil
	}
	seen := map[*benchproc.Field]bool{}
	mark := func(k benchproc.Key, fs []*benchproc.Field) {
		for _, f := range fs {
			if !seen[f] && k.Get(f) != "" {
				seen[f] = true
			}
		}
	}
	for _, t := range b.tableOrder {
		if len(seen) == need {
			// A field named twice counts once: then every table is
			// looked at, as before.
			break
		}
		mark(t.key, b.userFields["table"])
		for _, rk := range t.rows {
			mark(rk, b.userFields["row"])
		}
		for _, ck := range t.cols {
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
