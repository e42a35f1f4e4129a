package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Samples calls fn for the values of the runs ids, run after run in the
// order given: once for each stored group of results of one benchmark
// (package pkg, full name name) and each unit, with the group's values
// in that unit. Units and values are tidied as Results tidies them (a
// value that tidying leaves unchanged, such as 0 ns/op, keeps its
// unit, so a group's values of one unit may come in two calls). Calls
// for one run come in no particular order, and one benchmark and unit
// may come in several. fn must not retain values, which is reused; the
// strings may be kept. An error from fn stops the iteration and is
// returned. A missing run is an error wrapping ErrNoRun.
//
// Samples is what a report reads: on SQLite, a run's blocks
// (runblock.go), a few rows, without building a Result per line; on
// PostgreSQL, the run's digest.
func (db *DB) Samples(ctx context.Context, ids []int64, fn func(runID int64, pkg, name, unit string, values []float64) error) error {
	sr := &sampleReader{
		db:    db,
		units: &resultReader{db: db, units: map[int64][]unitInfo{}},
		names: map[int64]string{},
		pkgs:  map[string]string{},
	}
	query := sqlRunDigest
	if !db.pg {
		query = sqlRunBlocks
		sr.cache = newNameCache(db.db, maxNameCache)
	}
	stmt, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read samples: %w", sqliteError(err))
	}
	defer stmt.Close()
	for _, id := range ids {
		if err := sr.run(ctx, stmt, id, fn); err != nil {
			return err
		}
	}
	return nil
}

// A sampleReader reads run digests for Samples, caching unit sets and
// names.
type sampleReader struct {
	db      *DB
	units   *resultReader
	names   map[int64]string
	pkgs    map[string]string
	entries []digestEntry
	vals    []float64
	out     [2][]float64 // values in the tidied unit, in the unit as stored
	dd      digestDecoder
	missing []any
	cache   *nameCache // SQLite
	cd      chunkDecoder
	b       block
}

func (sr *sampleReader) run(ctx context.Context, stmt *sql.Stmt, id int64, fn func(int64, string, string, string, []float64) error) error {
	if !sr.db.pg {
		return sr.runBlocks(ctx, stmt, id, fn)
	}
	sr.entries, sr.vals = sr.entries[:0], sr.vals[:0]
	rows, err := stmt.QueryContext(ctx, id)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, sqliteError(err))
	}
	chunks := 0
	for rows.Next() {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		if sr.entries, sr.vals, err = sr.dd.decode(data, sr.entries, sr.vals, sr.pkgs); err != nil {
			rows.Close()
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		chunks++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, sqliteError(err))
	}
	if chunks == 0 {
		// No digest: a run must have one from version 7 on, but the
		// result_group rows are the truth; read them.
		if err := sr.db.exists(ctx, id); err != nil {
			return err
		}
		err := digestRun(ctx, sr.db.db, sr.db.pg, id, func(chunk []byte) error {
			var err error
			sr.entries, sr.vals, err = sr.dd.decode(chunk, sr.entries, sr.vals, sr.pkgs)
			return err
		})
		if err != nil {
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
	}
	if err := sr.loadNames(ctx); err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, err)
	}
	for _, e := range sr.entries {
		if err := sr.group(ctx, id, e.pkg, sr.names[e.nameID], e.unitSet, e.n, e.units, sr.vals[e.off:e.off+e.n*e.units], fn); err != nil {
			return err
		}
	}
	return nil
}

// group calls fn for the values of a group of n results of nunits
// values each (vals, result by result) in unit set unitSet.
func (sr *sampleReader) group(ctx context.Context, id int64, pkg, name string, unitSet int64, n, nunits int, vals []float64, fn func(int64, string, string, string, []float64) error) error {
	units, err := sr.units.unitSet(ctx, unitSet)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, err)
	}
	if len(units) != nunits {
		return fmt.Errorf("read samples of run %d: %d values for %d units", id, nunits, len(units))
	}
	for j, u := range units {
		tidy, orig := sr.out[0][:0], sr.out[1][:0]
		for i := range n {
			f := vals[i*nunits+j]
			// As groupCursor.result: a value tidying leaves as it
			// is keeps its unit.
			if t := f * u.factor; t == f {
				orig = append(orig, f)
			} else {
				tidy = append(tidy, t)
			}
		}
		sr.out[0], sr.out[1] = tidy, orig
		if len(tidy) > 0 {
			if err := fn(id, pkg, name, u.tidy, tidy); err != nil {
				return err
			}
		}
		if len(orig) > 0 {
			if err := fn(id, pkg, name, u.orig, orig); err != nil {
				return err
			}
		}
	}
	return nil
}

// runBlocks is run on SQLite: it reads the run's blocks.
func (sr *sampleReader) runBlocks(ctx context.Context, stmt *sql.Stmt, id int64, fn func(int64, string, string, string, []float64) error) error {
	rows, err := stmt.QueryContext(ctx, id)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	br := runBlockReader{rows: rows, names: sr.cache, cd: &sr.cd}
	var rec runRecord
	for {
		ok, err := br.next(ctx, &rec)
		if err != nil {
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		if !ok {
			if br.chunks == 0 {
				// Every run stored has results: is there a run?
				return sr.db.exists(ctx, id)
			}
			return nil
		}
		if rec.config {
			continue
		}
		if err := sr.b.decode(rec.block); err != nil {
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		pkg, ok := sr.pkgs[string(br.pkg)]
		if !ok {
			pkg = string(br.pkg)
			sr.pkgs[pkg] = pkg
		}
		if err := sr.group(ctx, id, pkg, sr.cache.names[rec.nameID], rec.unitSet, sr.b.n, sr.b.units, sr.b.vals, fn); err != nil {
			return err
		}
	}
}

// namesPerQuery is how many names loadNames asks for in one query.
const namesPerQuery = 256

// loadNames reads the names of the entries that are not cached.
func (sr *sampleReader) loadNames(ctx context.Context) error {
	sr.missing = sr.missing[:0]
	asked := map[int64]bool{}
	for _, e := range sr.entries {
		if _, ok := sr.names[e.nameID]; !ok && !asked[e.nameID] {
			asked[e.nameID] = true
			sr.missing = append(sr.missing, e.nameID)
		}
	}
	for len(sr.missing) > 0 {
		k := min(len(sr.missing), namesPerQuery)
		q := sqlNamesByID + "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
		rows, err := sr.db.db.QueryContext(ctx, q, sr.missing[:k]...)
		if err != nil {
			return fmt.Errorf("read names: %w", sqliteError(err))
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return fmt.Errorf("read names: %w", err)
			}
			sr.names[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read names: %w", sqliteError(err))
		}
		for _, id := range sr.missing[:k] {
			if _, ok := sr.names[id.(int64)]; !ok {
				return fmt.Errorf("read names: no name %d", id)
			}
		}
		sr.missing = sr.missing[k:]
	}
	return nil
}
