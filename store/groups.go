package store

import (
	"container/heap"
	"context"
	"database/sql"
	"fmt"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store/storedata"
)

// A ResultGroup is results of one benchmark of one run with the same
// configuration and units (storedata.ResultGroup).
type ResultGroup = storedata.ResultGroup

// ResultGroups calls fn for the results of the runs ids, run after run
// in the order given, in groups: each stored result_group row at the
// place of its first result, in the order of the input lines, carrying
// its later results with it (see storedata.ResultGroup). A row whose
// results do not all tidy to the same units (a 0 ns/op among sec/op
// values keeps ns/op, as benchfmt.Reader keeps it) is handed out as one
// group for each run of results with the same units, each at the place
// of its first result. The configuration and values are those Results
// gives. fn must not retain g, which is reused. An error from fn stops
// the iteration and is returned. A missing run is an error wrapping
// ErrNoRun.
func (db *DB) ResultGroups(ctx context.Context, ids []int64, fn func(runID int64, g *ResultGroup) error) error {
	rd := &groupReader{db: db, units: map[int64][]unitInfo{}}
	for _, id := range ids {
		if err := db.exists(ctx, id); err != nil {
			return err
		}
		if err := rd.run(ctx, id, fn); err != nil {
			return err
		}
	}
	return nil
}

// A groupReader reads a run's groups (result_group rows on PostgreSQL,
// run blocks on SQLite) as ResultGroups.
type groupReader struct {
	db    *DB
	units map[int64][]unitInfo

	id  int64
	fn  func(int64, *ResultGroup) error
	ops []configOp // configuration lines not yet applied
	cfg *benchfmt.Result
	gen int
	// later holds the parts of rows after a change of units, until
	// their place.
	later segHeap
	g     ResultGroup

	// On SQLite: names of the run blocks' groups, and the decoder of
	// their chunks (runblock.go).
	names   *nameCache
	cd      chunkDecoder
	nameBuf []byte
}

// A groupSeg is results of a row that come later than its first, with
// their own units.
type groupSeg struct {
	line  int
	name  []byte
	units []unitInfo
	n     int
	vals  []float64 // as stored, n*len(units)
}

func (rd *groupReader) run(ctx context.Context, id int64, fn func(int64, *ResultGroup) error) error {
	if !rd.db.pg {
		return rd.runBlocks(ctx, id, fn)
	}
	rr := resultReader{db: rd.db, units: rd.units}
	ops, err := rr.configLines(ctx, id)
	if err != nil {
		return fmt.Errorf("read results of run %d: %w", id, err)
	}
	rd.id, rd.fn, rd.ops = id, fn, ops
	rd.cfg = new(benchfmt.Result)
	rd.gen++
	rd.later = rd.later[:0]
	rows, err := rd.db.db.QueryContext(ctx, sqlResults, id)
	if err != nil {
		return fmt.Errorf("read results of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	var (
		name, lines sql.RawBytes
		iters, vals sql.RawBytes // PostgreSQL; data on SQLite
		n, line     int
		unitID      int64
		g           groupCursor
	)
	for rows.Next() {
		if rd.db.pg {
			err = rows.Scan(&name, &line, &unitID, &n, &iters, &vals, &lines)
		} else {
			err = rows.Scan(&name, &line, &unitID, &n, &vals)
		}
		if err != nil {
			return fmt.Errorf("read results of run %d: %w", id, err)
		}
		units, err := rr.unitSet(ctx, unitID)
		if err != nil {
			return fmt.Errorf("read results of run %d: %w", id, err)
		}
		if rd.db.pg {
			err = g.resetJSON(name, line, n, iters, vals, lines, units)
		} else {
			err = g.reset(name, line, n, vals, units)
		}
		if err != nil {
			return fmt.Errorf("read results of run %d: %s: %w", id, name, err)
		}
		for len(rd.later) > 0 && rd.later[0].line < line {
			if err := rd.emitSeg(heap.Pop(&rd.later).(*groupSeg)); err != nil {
				return err
			}
		}
		if err := rd.row(&g); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read results of run %d: %w", id, sqliteError(err))
	}
	for len(rd.later) > 0 {
		if err := rd.emitSeg(heap.Pop(&rd.later).(*groupSeg)); err != nil {
			return err
		}
	}
	return nil
}

// runBlocks is run on SQLite (schema version 8): it reads the run's
// blocks, whose groups and configuration lines come in the order of
// their lines, as run reads result_group rows.
func (rd *groupReader) runBlocks(ctx context.Context, id int64, fn func(int64, *ResultGroup) error) error {
	rr := resultReader{db: rd.db, units: rd.units}
	if rd.names == nil {
		rd.names = newNameCache(rd.db.db, maxNameCache)
	}
	rd.id, rd.fn, rd.ops = id, fn, rd.ops[:0]
	rd.cfg = new(benchfmt.Result)
	rd.gen++
	rd.later = rd.later[:0]
	rows, err := rd.db.db.QueryContext(ctx, sqlRunBlocks, id)
	if err != nil {
		return fmt.Errorf("read results of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	br := runBlockReader{rows: rows, names: rd.names, cd: &rd.cd}
	var (
		rec runRecord
		g   groupCursor
	)
	for {
		ok, err := br.next(ctx, &rec)
		if err != nil {
			return fmt.Errorf("read results of run %d: %w", id, err)
		}
		if !ok {
			break
		}
		if rec.config {
			// It applies to the groups after it, read later.
			rd.ops = append(rd.ops, configOp{line: rec.line, key: string(rec.key), value: string(rec.value)})
			continue
		}
		units, err := rr.unitSet(ctx, rec.unitSet)
		if err != nil {
			return fmt.Errorf("read results of run %d: %w", id, err)
		}
		name := rd.names.names[rec.nameID]
		n, err := blockResults(rec.block)
		if err == nil {
			rd.nameBuf = append(rd.nameBuf[:0], name...)
			err = g.reset(rd.nameBuf, rec.line, n, rec.block, units)
		}
		if err != nil {
			return fmt.Errorf("read results of run %d: %s: %w", id, name, err)
		}
		for len(rd.later) > 0 && rd.later[0].line < rec.line {
			if err := rd.emitSeg(heap.Pop(&rd.later).(*groupSeg)); err != nil {
				return err
			}
		}
		if err := rd.row(&g); err != nil {
			return err
		}
	}
	for len(rd.later) > 0 {
		if err := rd.emitSeg(heap.Pop(&rd.later).(*groupSeg)); err != nil {
			return err
		}
	}
	return nil
}

// row hands out the results of g: those with the units of its first
// result up to the first with other units at once, and the later runs
// of results with the same units at their places.
func (rd *groupReader) row(g *groupCursor) error {
	b, nu := &g.b, len(g.units)
	k0 := 0
	for k := 1; k <= b.n; k++ {
		if k < b.n && sameTidyUnits(g.units, b.vals[k0*nu:(k0+1)*nu], b.vals[k*nu:(k+1)*nu]) {
			continue
		}
		if k0 == 0 {
			if err := rd.emit(g.line, g.name, g.units, k, b.vals[:k*nu]); err != nil {
				return err
			}
		} else {
			line := g.first + k0
			if b.offsets != nil {
				line = g.first + b.offsets[k0]
			}
			heap.Push(&rd.later, &groupSeg{
				line: line, name: append([]byte(nil), g.name...), units: g.units,
				n: k - k0, vals: append([]float64(nil), b.vals[k0*nu:k*nu]...),
			})
		}
		k0 = k
	}
	return nil
}

func (rd *groupReader) emitSeg(s *groupSeg) error {
	return rd.emit(s.line, s.name, s.units, s.n, s.vals)
}

// emit applies the configuration lines before line and hands out n
// results of name with the stored values vals, all tidying to the same
// units.
func (rd *groupReader) emit(line int, name []byte, units []unitInfo, n int, vals []float64) error {
	changed := false
	for len(rd.ops) > 0 && rd.ops[0].line < line {
		setFileConfig(rd.cfg, rd.ops[0].key, rd.ops[0].value)
		rd.ops = rd.ops[1:]
		changed = true
	}
	if changed {
		rd.gen++
	}
	g := &rd.g
	g.Config, g.ConfigGen, g.Name, g.N = rd.cfg.Config, rd.gen, name, n
	g.Units, g.OrigUnits = g.Units[:0], g.OrigUnits[:0]
	for j, u := range units {
		if f := vals[j]; f*u.factor == f {
			g.Units = append(g.Units, u.orig)
			g.OrigUnits = append(g.OrigUnits, "")
		} else {
			g.Units = append(g.Units, u.tidy)
			g.OrigUnits = append(g.OrigUnits, u.orig)
		}
	}
	// A value that tidying leaves unchanged is f*factor too.
	g.Values = g.Values[:0]
	for k := range n {
		for j, u := range units {
			g.Values = append(g.Values, vals[k*len(units)+j]*u.factor)
		}
	}
	return rd.fn(rd.id, g)
}

// sameTidyUnits reports whether the values a and b of two results tidy
// to the same units: tidying keeps the unit of a value it leaves
// unchanged (0, ±Inf).
func sameTidyUnits(units []unitInfo, a, b []float64) bool {
	for j, u := range units {
		if u.factor != 1 && (a[j]*u.factor == a[j]) != (b[j]*u.factor == b[j]) {
			return false
		}
	}
	return true
}

// A segHeap orders groupSegs by line (container/heap).
type segHeap []*groupSeg

func (h segHeap) Len() int           { return len(h) }
func (h segHeap) Less(i, j int) bool { return h[i].line < h[j].line }
func (h segHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *segHeap) Push(x any)        { *h = append(*h, x.(*groupSeg)) }
func (h *segHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}
