package store

import (
	"database/sql"
	"fmt"

	"golang.org/x/perf/benchfmt"
)

// nameBatch is the number of new names inserted by one statement on
// SQLite.
const nameBatch = 128

// maxNameCache bounds the benchmark names an ingest remembers, so that
// memory stays flat on inputs with millions of distinct names.
const maxNameCache = 1 << 16

func (w *runWriter) setUnits(vals []benchfmt.Value) error {
	w.units = w.units[:0]
	for _, v := range vals {
		_, u := origValue(v)
		w.units = append(w.units, u)
	}
	key := unitsJSON(w.units)
	if id, ok := w.unitIDs[key]; ok {
		w.unitsID = id
		return nil
	}
	id, err := w.intern(sqlUnitSetID, sqlInsertUnitSet, key, nil)
	if err != nil {
		return fmt.Errorf("store units: %w", err)
	}
	w.unitIDs[key] = id
	w.unitsID = id
	return nil
}

// intern returns the id of the row holding key, inserting it (and
// calling fill with the new id) if there is none.
func (w *runWriter) intern(get, insert, key string, fill func(int64) error) (int64, error) {
	var id int64
	err := w.tx.QueryRowContext(w.ctx, get, key).Scan(&id)
	if err == nil {
		return id, nil
	}
	if err != sql.ErrNoRows {
		return 0, sqliteError(err)
	}
	if err := w.tx.QueryRowContext(w.ctx, insert, key).Scan(&id); err != nil {
		return 0, sqliteError(err)
	}
	if fill != nil {
		if err := fill(id); err != nil {
			return 0, sqliteError(err)
		}
	}
	return id, nil
}

func (w *runWriter) name(n benchfmt.Name) (int64, error) {
	if id, ok := w.names[string(n)]; ok {
		return id, nil
	}
	var id int64
	err := sql.ErrNoRows
	if w.pg != nil {
		id, err = w.pg.name(w, string(n))
	} else if nid, ok := w.newNames[string(n)]; ok {
		id, err = nid, nil
	} else if !w.namesAll {
		err = w.nameID.QueryRowContext(w.ctx, string(n)).Scan(&id)
	}
	if err == sql.ErrNoRows {
		id, err = w.newName(string(n))
	}
	if err != nil {
		return 0, fmt.Errorf("store name %s: %w", n, sqliteError(err))
	}
	if len(w.names) >= w.maxNames {
		clear(w.names)
		w.namesAll = false
	}
	w.names[string(n)] = id
	return id, nil
}

// newName numbers a name the store does not have and queues its insert.
func (w *runWriter) newName(n string) (int64, error) {
	if w.nextName == 0 {
		if err := w.tx.QueryRowContext(w.ctx, sqlNextNameID).Scan(&w.nextName); err != nil {
			return 0, err
		}
		w.newNames = make(map[string]int64)
	}
	id := w.nextName
	w.nextName++
	w.newNames[n] = id
	w.nameRows = append(w.nameRows, id, n)
	if len(w.nameRows) == 2*nameBatch {
		if _, err := w.insertNames.ExecContext(w.ctx, w.nameRows...); err != nil {
			return 0, err
		}
		w.nameRows = w.nameRows[:0]
		clear(w.newNames)
	}
	return id, nil
}

// loadNames fills the name cache with every stored name if there are few
// enough: then the benchmarks of a store's usual runs need no query, and
// new names only an insert. The write lock keeps the table as it is.
func (w *runWriter) loadNames() error {
	var n int
	if err := w.tx.QueryRowContext(w.ctx, sqlCountNames).Scan(&n); err != nil {
		return sqliteError(err)
	}
	if n > w.maxNames/2 {
		return nil
	}
	rows, err := w.tx.QueryContext(w.ctx, sqlAllNames)
	if err != nil {
		return sqliteError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		w.names[name] = id
	}
	if err := rows.Err(); err != nil {
		return sqliteError(err)
	}
	w.namesAll = true
	return nil
}
