package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A runBlockReader reads the chunks of one run in order, record by
// record, loading the names of each chunk's groups into names before
// its records are read.
type runBlockReader struct {
	rows  *sql.Rows
	names *nameCache
	cd    *chunkDecoder // reused from run to run
	cur   chunkCursor
	open  bool // a chunk is being read
	ids   []int64
	// pkg is the pkg configuration in effect after the records read
	// (empty if none or deleted).
	pkg    []byte
	chunks int
}

// next reads the next record into rec; false after the last.
func (br *runBlockReader) next(ctx context.Context, rec *runRecord) (bool, error) {
	for {
		if br.open {
			if br.cur.next(rec) {
				if rec.config && string(rec.key) == "pkg" {
					br.pkg = rec.value
				}
				return true, nil
			}
			if br.cur.d.err != nil {
				return false, br.cur.d.err
			}
			br.open = false
		}
		if !br.rows.Next() {
			return false, sqliteError(br.rows.Err())
		}
		var data sql.RawBytes
		if err := br.rows.Scan(&data); err != nil {
			return false, err
		}
		if err := br.cd.reset(data); err != nil {
			return false, err
		}
		br.chunks++
		br.pkg = br.cd.pkg
		// The names of the chunk's groups, in one query or a few.
		br.ids = br.ids[:0]
		c := br.cd.start
		var r runRecord
		for c.next(&r) {
			if !r.config {
				br.ids = append(br.ids, r.nameID)
			}
		}
		if c.d.err != nil {
			return false, c.d.err
		}
		if err := br.names.load(ctx, br.ids); err != nil {
			return false, err
		}
		br.cur, br.open = br.cd.start, true
	}
}

// A nameCache maps name ids to names, loading them namesPerQuery at a
// time. It holds at most about max names: past that it starts again.
type nameCache struct {
	q       rowsQuerier
	names   map[int64]string
	max     int
	missing []any
	asked   map[int64]bool
}

func newNameCache(q rowsQuerier, max int) *nameCache {
	return &nameCache{q: q, names: map[int64]string{}, max: max, asked: map[int64]bool{}}
}

// load makes sure the names of ids are in the cache.
func (nc *nameCache) load(ctx context.Context, ids []int64) error {
	nc.missing = nc.missing[:0]
	clear(nc.asked)
	for _, id := range ids {
		if _, ok := nc.names[id]; !ok && !nc.asked[id] {
			nc.asked[id] = true
			nc.missing = append(nc.missing, id)
		}
	}
	if len(nc.missing) == 0 {
		return nil
	}
	if len(nc.names)+len(nc.missing) > nc.max {
		// Start again with the ids asked for.
		clear(nc.names)
		nc.missing = nc.missing[:0]
		clear(nc.asked)
		for _, id := range ids {
			if !nc.asked[id] {
				nc.asked[id] = true
				nc.missing = append(nc.missing, id)
			}
		}
	}
	// The names of a run were mostly numbered together (ingest numbers
	// new names in turn): one query for a range of ids that holds
	// them, if it is not much wider than the ids asked for, instead of
	// a query per namesPerQuery ids.
	lo, hi := nc.missing[0].(int64), nc.missing[0].(int64)
	for _, id := range nc.missing {
		lo, hi = min(lo, id.(int64)), max(hi, id.(int64))
	}
	if hi-lo < 4*int64(len(nc.missing))+namesPerQuery {
		if err := nc.query(ctx, sqlNamesByRange, lo, hi); err != nil {
			return err
		}
		for _, id := range nc.missing {
			if _, ok := nc.names[id.(int64)]; !ok {
				return fmt.Errorf("read names: no name %d", id)
			}
		}
		return nil
	}
	missing := nc.missing
	for len(missing) > 0 {
		k := min(len(missing), namesPerQuery)
		q := sqlNamesByID + "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
		if err := nc.query(ctx, q, missing[:k]...); err != nil {
			return err
		}
		for _, id := range missing[:k] {
			if _, ok := nc.names[id.(int64)]; !ok {
				return fmt.Errorf("read names: no name %d", id)
			}
		}
		missing = missing[k:]
	}
	return nil
}

// query caches the names a query of (id, name) rows gives.
func (nc *nameCache) query(ctx context.Context, q string, args ...any) error {
	rows, err := nc.q.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read names: %w", sqliteError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("read names: %w", err)
		}
		nc.names[id] = name
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read names: %w", sqliteError(err))
	}
	return nil
}
