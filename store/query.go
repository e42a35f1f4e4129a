package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// Runs returns every stored run, oldest first (by time, then id).
func (db *DB) Runs(ctx context.Context) ([]Run, error) {
	rows, err := db.db.QueryContext(ctx, sqlRuns)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", sqliteError(err))
	}
	defer rows.Close()
	var runs []Run
	index := make(map[int64]int)
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		index[r.ID] = len(runs)
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", sqliteError(err))
	}
	for _, q := range []struct {
		sql string
		m   func(*Run) map[string]string
	}{
		{sqlAllLabels, func(r *Run) map[string]string { return r.Labels }},
		{sqlAllRunConfig, func(r *Run) map[string]string { return r.Config }},
	} {
		if err := db.keyValues(ctx, q.sql, nil, func(id int64, k, v string) {
			if i, ok := index[id]; ok {
				q.m(&runs[i])[k] = v
			}
		}); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
	}
	return runs, nil
}

// Run returns the run with the given id. If there is none, the error
// wraps ErrNoRun.
func (db *DB) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(db.db.QueryRowContext(ctx, sqlRun, id))
	if err == sql.ErrNoRows {
		return Run{}, fmt.Errorf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return Run{}, fmt.Errorf("read run %d: %w", id, err)
	}
	for _, q := range []struct {
		sql string
		m   map[string]string
	}{{sqlLabels, r.Labels}, {sqlRunConfig, r.Config}} {
		if err := db.keyValues(ctx, q.sql, []any{id}, func(_ int64, k, v string) { q.m[k] = v }); err != nil {
			return Run{}, fmt.Errorf("read run %d: %w", id, err)
		}
	}
	return r, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(s scanner) (Run, error) {
	var r Run
	var t string
	if err := s.Scan(&r.ID, &t, &r.Results, &r.Source, &r.SkippedLines); err != nil {
		return Run{}, err
	}
	tt, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		return Run{}, fmt.Errorf("run %d: bad time %q: %w", r.ID, t, err)
	}
	r.Time = tt
	r.Labels = map[string]string{}
	r.Config = map[string]string{}
	return r, nil
}

// keyValues runs a query of (key, value) or (run_id, key, value) rows.
func (db *DB) keyValues(ctx context.Context, query string, args []any, fn func(id int64, k, v string)) error {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return sqliteError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var k, v string
		if len(cols) == 3 {
			err = rows.Scan(&id, &k, &v)
		} else {
			err = rows.Scan(&k, &v)
		}
		if err != nil {
			return err
		}
		fn(id, k, v)
	}
	return rows.Err()
}

// Results calls fn for each result of the runs ids, run after run in the
// order given, each run's results in the order they were ingested. The
// Result's Config holds the configuration lines in effect for it, as
// benchfmt.Reader would give them; its values are tidied as
// benchfmt.Reader tidies them. fn must not retain r, which is reused:
// Clone what you keep. An error from fn stops the iteration and is
// returned. A missing run is an error wrapping ErrNoRun.
func (db *DB) Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error {
	rd := &resultReader{db: db, units: map[int64][]unitInfo{}}
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

func (db *DB) exists(ctx context.Context, id int64) error {
	var one int
	err := db.db.QueryRowContext(ctx, `SELECT 1 FROM run WHERE id = ?`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return fmt.Errorf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return fmt.Errorf("read run %d: %w", id, sqliteError(err))
	}
	return nil
}

// unitInfo is a unit as stored and its tidied form.
type unitInfo struct {
	orig, tidy string
	factor     float64
}

// resultReader decodes result rows, caching unit sets (and names, on
// SQLite).
type resultReader struct {
	db    *DB
	units map[int64][]unitInfo
	names *nameCache
	cd    chunkDecoder
}

func (rd *resultReader) run(ctx context.Context, id int64, fn func(int64, *benchfmt.Result) error) error {
	if !rd.db.pg {
		return rd.runBlocks(ctx, id, fn)
	}
	ops, err := rd.configLines(ctx, id)
	if err != nil {
		return fmt.Errorf("read results of run %d: %w", id, err)
	}
	rows, err := rd.db.db.QueryContext(ctx, sqlResults, id)
	if err != nil {
		return fmt.Errorf("read results of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	var (
		name, lines sql.RawBytes
		iters, vals sql.RawBytes
		n, line     int
		unitID      int64
		m           = groupMerge{ops: ops}
	)
	// read returns the next group, or nil after the last.
	read := func() (*groupCursor, error) {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("read results of run %d: %w", id, sqliteError(err))
			}
			return nil, nil
		}
		if err := rows.Scan(&name, &line, &unitID, &n, &iters, &vals, &lines); err != nil {
			return nil, fmt.Errorf("read results of run %d: %w", id, err)
		}
		units, err := rd.unitSet(ctx, unitID)
		if err != nil {
			return nil, fmt.Errorf("read results of run %d: %w", id, err)
		}
		g := m.cursor()
		if err := g.resetJSON(name, line, n, iters, vals, lines, units); err != nil {
			return nil, fmt.Errorf("read results of run %d: %s: %w", id, name, err)
		}
		return g, nil
	}
	return m.merge(id, read, fn)
}

// runBlocks is run on SQLite: it reads the run's blocks (runblock.go),
// record by record, replaying the configuration lines and merging the
// groups by line as run merges result_group rows.
func (rd *resultReader) runBlocks(ctx context.Context, id int64, fn func(int64, *benchfmt.Result) error) error {
	if rd.names == nil {
		rd.names = newNameCache(rd.db.db, maxNameCache)
	}
	rows, err := rd.db.db.QueryContext(ctx, sqlRunBlocks, id)
	if err != nil {
		return fmt.Errorf("read results of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	br := runBlockReader{rows: rows, names: rd.names, cd: &rd.cd}
	var (
		rec     runRecord
		m       groupMerge
		nameBuf []byte
	)
	// read reads records up to the next group and returns it (nil after
	// the last); configuration lines go to m.ops.
	read := func() (*groupCursor, error) {
		for {
			ok, err := br.next(ctx, &rec)
			if err != nil {
				return nil, fmt.Errorf("read results of run %d: %w", id, err)
			}
			if !ok {
				return nil, nil
			}
			if rec.config {
				m.ops = append(m.ops, configOp{line: rec.line, key: string(rec.key), value: string(rec.value)})
				continue
			}
			units, err := rd.unitSet(ctx, rec.unitSet)
			if err != nil {
				return nil, fmt.Errorf("read results of run %d: %w", id, err)
			}
			g := m.cursor()
			name := rd.names.names[rec.nameID]
			n, err := blockResults(rec.block)
			if err == nil {
				nameBuf = append(nameBuf[:0], name...)
				err = g.reset(nameBuf, rec.line, n, rec.block, units)
			}
			if err != nil {
				return nil, fmt.Errorf("read results of run %d: %s: %w", id, name, err)
			}
			return g, nil
		}
	}
	return m.merge(id, read, fn)
}

// configLines returns the configuration lines of run id, in order.
func (rd *resultReader) configLines(ctx context.Context, id int64) ([]configOp, error) {
	return queryConfigLines(ctx, rd.db.db, id)
}

// queryConfigLines returns the configuration lines of run id, in order.
func queryConfigLines(ctx context.Context, q rowsQuerier, id int64) ([]configOp, error) {
	rows, err := q.QueryContext(ctx, sqlConfigLines, id)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", sqliteError(err))
	}
	defer rows.Close()
	var ops []configOp
	for rows.Next() {
		var op configOp
		if err := rows.Scan(&op.line, &op.key, &op.value); err != nil {
			return nil, fmt.Errorf("read configuration: %w", err)
		}
		ops = append(ops, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read configuration: %w", sqliteError(err))
	}
	return ops, nil
}

func (rd *resultReader) unitSet(ctx context.Context, id int64) ([]unitInfo, error) {
	if u, ok := rd.units[id]; ok {
		return u, nil
	}
	var text string
	if err := rd.db.db.QueryRowContext(ctx, sqlUnitSet, id).Scan(&text); err != nil {
		return nil, fmt.Errorf("read unit set %d: %w", id, sqliteError(err))
	}
	names, err := parseUnits(text)
	if err != nil {
		return nil, fmt.Errorf("read unit set %d: %w", id, err)
	}
	units := make([]unitInfo, len(names))
	for i, n := range names {
		tv, tu := benchunit.Tidy(1, n)
		units[i] = unitInfo{orig: n, tidy: tu, factor: tv}
	}
	rd.units[id] = units
	return units, nil
}

// parseUnits decodes unitsJSON's output.
func parseUnits(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("bad unit list %q", s)
	}
	var units []string
	rest := s[1 : len(s)-1]
	for len(rest) > 0 {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, fmt.Errorf("bad unit list %q: %w", s, err)
		}
		u, err := strconv.Unquote(q)
		if err != nil {
			return nil, fmt.Errorf("bad unit list %q: %w", s, err)
		}
		units = append(units, u)
		rest = rest[len(q):]
		if len(rest) > 0 {
			if rest[0] != ',' {
				return nil, fmt.Errorf("bad unit list %q", s)
			}
			rest = rest[1:]
		}
	}
	return units, nil
}

// parseFloat parses a number written by appendFloat, with a fast path
// for integers (most benchmark values).
func parseFloat(b []byte) (float64, error) {
	if len(b) > 0 && len(b) < 16 {
		var n int64
		ok := true
		for _, c := range b {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if ok {
			return float64(n), nil
		}
	}
	return strconv.ParseFloat(string(b), 64)
}

// UnitMetadata returns the Unit metadata lines of the runs ids, in order,
// without repeats of the same unit, key and value. Their positions are
// not kept.
func (db *DB) UnitMetadata(ctx context.Context, ids []int64) ([]*benchfmt.UnitMetadata, error) {
	var out []*benchfmt.UnitMetadata
	seen := map[benchfmt.UnitMetadata]bool{}
	for _, id := range ids {
		if err := db.exists(ctx, id); err != nil {
			return nil, err
		}
		rows, err := db.db.QueryContext(ctx, sqlUnitMD, id)
		if err != nil {
			return nil, fmt.Errorf("read unit metadata of run %d: %w", id, sqliteError(err))
		}
		for rows.Next() {
			var unit, key, value string
			if err := rows.Scan(&unit, &key, &value); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read unit metadata of run %d: %w", id, err)
			}
			_, tidy := benchunit.Tidy(1, unit)
			m := benchfmt.UnitMetadata{
				UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: tidy, Key: key},
				OrigUnit:        unit,
				Value:           value,
			}
			if seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, &m)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read unit metadata of run %d: %w", id, sqliteError(err))
		}
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
