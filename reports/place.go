package reports

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
)

// maxClearedCache is the largest cache that addGroup clears for the
// next gen rather than making a new one.
const maxClearedCache = 64

// addGroup adds n results of one benchmark with the same configuration
// and units: r holds the name, configuration and units, and the first
// result's values; vals holds every result's values, len(r.Values) a
// result. Callers promise that every group passed with the same gen has
// the same configuration (a different gen resets the cache). A group
// with a name seen before in the same gen skips the projections and
// goes straight to its cells: the projections and the filter depend
// only on the name, the configuration and the units, which are checked.
// addGroup may rewrite r.Values but keeps no reference to r or vals.
func (b *Builder) addGroup(r *benchfmt.Result, gen, n int, vals []float64) {
	if b.err != nil {
		return
	}
	nu := len(r.Values)
	// cols are the columns of vals the filter keeps, in order; nil for
	// all of them.
	var cols []int
	if !b.matchAll {
		m, _ := b.filter.Match(r)
		if !m.Any() {
			return
		}
		if !m.All() {
			cols = b.cols[:0]
			for j := range nu {
				if m.Test(j) {
					cols = append(cols, j)
				}
			}
			b.cols = cols
			m.Apply(r)
		}
	}
	b.results += n
	if gen != b.cacheGen || b.cache == nil {
		if b.cache != nil && len(b.cache) <= maxClearedCache && b.cacheHint <= maxClearedCache {
			// A configuration per result (or few results): a small
			// map is cleared faster than a new one is made.
			clear(b.cache)
		} else {
			// The next configuration usually has as many names.
			b.cacheHint = len(b.cache)
			b.cache = make(map[string]*cacheEntry, b.cacheHint)
		}
		b.cacheGen = gen
		b.last = nil
	}
	// append appends the values of results k0 to n to cells.
	appendVals := func(cells []*builderCell, k0 int) {
		for i, c := range cells {
			j := i
			if cols != nil {
				j = cols[i]
			}
			for k := k0; k < n; k++ {
				c.values = append(c.values, vals[k*nu+j])
			}
		}
	}
	// Results of one benchmark are mostly consecutive.
	e := b.last
	if e == nil || e.name != string(r.Name) {
		e = b.cache[string(r.Name)]
	}
	if e != nil && sameUnits(e.units, r.Values) {
		appendVals(e.cells, 0)
		b.last = e
		return
	}
	cells := b.place(r, gen, n)
	if cells == nil && b.err != nil {
		return
	}
	appendVals(cells, 1)
	if e == nil {
		e = &cacheEntry{name: string(r.Name)}
		b.cache[e.name] = e
	}
	b.last = e
	e.units = e.units[:0]
	for _, v := range r.Values {
		e.units = append(e.units, v.Unit)
	}
	e.cells = cells
}

type projCache struct {
	gen            int
	tableOK, colOK bool
	units          []string // the units tables are for
	tables         *tableSet
	col            benchproc.Key
}

// nameFree reports whether p reads no part of a result's name: none of
// its fields is .name, .fullname or a name key (/key). (The fields of
// the tuple .config, which grow with the data, are file keys.)
func nameFree(p *benchproc.Projection) bool {
	for _, f := range p.Fields() {
		if f.Name == ".name" || f.Name == ".fullname" || strings.HasPrefix(f.Name, "/") {
			return false
		}
	}
	return true
}

// lastConfig returns the value of the last entry of cfg with key k, as
// benchfmt.Result.ConfigIndex finds it, or nil.
func lastConfig(cfg []benchfmt.Config, k string) []byte {
	for i := len(cfg) - 1; i >= 0; i-- {
		if cfg[i].Key == k {
			return cfg[i].Value
		}
	}
	return nil
}

// sameUnits reports whether vs has exactly the units units, in order.
func sameUnits(units []string, vs []benchfmt.Value) bool {
	if len(units) != len(vs) {
		return false
	}
	for i, u := range units {
		if vs[i].Unit != u {
			return false
		}
	}
	return true
}

type cacheEntry struct {
	name  string
	units []string
	cells []*builderCell
}

// place projects r, the first of n results of a group, and appends its
// values to their cells, which it returns (one per value).
func (b *Builder) place(r *benchfmt.Result, gen, n int) []*builderCell {
	var (
		ts *tableSet
		ck cellKey
	)
	// Projections that read no part of the name give every result of
	// one configuration (and set of units) the same keys: project them
	// once per gen. Keys are interned and sorted by first observation,
	// which a repeated projection of the same values never changes.
	pc := &b.projCache
	if gen < 0 || pc.gen != gen {
		pc.gen, pc.tableOK, pc.colOK = gen, false, false
	}
	if pc.tableOK && sameUnits(pc.units, r.Values) {
		ts = pc.tables
	} else {
		if ts = b.tableCache.lookup(r); ts == nil {
			if ts = b.newTables(r); ts == nil {
				return nil
			}
		}
		if gen >= 0 && b.tableNameFree {
			pc.tableOK, pc.tables = true, ts
			pc.units = pc.units[:0]
			for _, v := range r.Values {
				pc.units = append(pc.units, v.Unit)
			}
		}
	}
	switch {
	case pc.colOK:
		ck.col = pc.col
	case b.colSelOnly:
		// The column key changes with the selector only, not with
		// each configuration: project it again only then, without
		// benchfmt's index of each configuration.
		sc := &b.selCache
		sel, file := lastConfig(r.Config, SelectorKey), lastConfig(r.Config, FileKey)
		if !sc.ok || !bytes.Equal(sc.sel, sel) || !bytes.Equal(sc.file, file) {
			sc.ok, sc.sel, sc.file = true, bytes.Clone(sel), bytes.Clone(file)
			sc.col = b.colBy.Project(r)
		}
		ck.col = sc.col
		if gen >= 0 {
			pc.colOK, pc.col = true, ck.col
		}
	default:
		ck.col = b.colBy.Project(r)
		if gen >= 0 && b.colNameFree {
			pc.colOK, pc.col = true, ck.col
		}
	}
	if b.rowNameOnly {
		ck.row = b.rowKeys.key(b.rowBy, r)
	} else {
		ck.row = b.rowBy.Project(r)
	}
	res := b.residue.Project(r)
	if len(b.cellPtrSlab) < len(ts.tables) {
		b.cellPtrSlab = make([]*builderCell, max(len(ts.tables), slabSize*4))
	}
	cells := b.cellPtrSlab[:len(ts.tables):len(ts.tables)]
	b.cellPtrSlab = b.cellPtrSlab[len(ts.tables):]
	for i, t := range ts.tables {
		c := t.cell(ck)
		if c == nil {
			c = b.newCell(res, n)
			hint := 0
			if len(t.cells) == maxLinearKeys {
				hint = b.indexHint()
			}
			t.add(ck, c, hint)
			b.cells++
			b.maxCells = max(b.maxCells, len(t.cells))
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

// newTables projects the table keys of r's values and finds or makes
// their tables. It returns nil, with b.err set, if the tables' keys
// are too many (see maxKeyFields).
func (b *Builder) newTables(r *benchfmt.Result) *tableSet {
	keys := b.tableBy.ProjectValues(r)
	ts := b.tableCache.newSet(len(keys))
	for i, tk := range keys {
		t := b.tables[tk]
		if t == nil {
			b.keyFields += len(b.tableBy.FlattenedFields())
			if b.keyFields > max(maxKeyFields, keyFieldsPerResult*b.results) {
				b.err = &OptionError{"table", b.opts.Table, fmt.Errorf(
					"%d tables of up to %d configuration keys each, more than a comparison holds: the results have a configuration of their own with ever more keys; split tables by fewer keys, as in --table goos,goarch,pkg",
					len(b.tables)+1, len(b.tableBy.FlattenedFields()))}
				return nil
			}
			t = b.newTable()
			t.key = tk
			b.tables[tk] = t
			b.tableOrder = append(b.tableOrder, t)
		}
		ts.tables[i] = t
	}
	return ts
}

// indexHint returns the number of cells to make a table's index map
// for, when it is made: tables of one comparison are often of a size
// (a package's benchmarks under each unit), and a map made for its
// final size does not grow cell by cell, rehashing as it goes. The
// hint is the largest table so far, at most the average cells per
// table, and the room made beyond need never exceeds twice the cells:
// one large table followed by many small ones does not give each small
// one a large map.
func (b *Builder) indexHint() int {
	h := min(b.maxCells, b.cells/max(1, len(b.tableOrder)))
	if h <= 2*(maxLinearKeys+1) || b.presized+h > 2*b.cells {
		return 0
	}
	b.presized += h
	return h
}
