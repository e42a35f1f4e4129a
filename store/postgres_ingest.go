package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pgCopyRows is the number of result_group rows (or new names) an
// ingest on PostgreSQL gathers before it sends them with one COPY.
const pgCopyRows = 2048

// pgBeginIngest begins an ingest's transaction on a connection of its
// own, so that the samples can be sent with PostgreSQL's COPY protocol
// (pgx's CopyFrom) inside the same transaction. release returns the
// connection to the pool; call it after the transaction ends. release
// is never nil.
func (db *DB) pgBeginIngest(ctx context.Context) (tx *sql.Tx, cp *pgCopy, release func(), err error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, nil, func() {}, err
	}
	tx, err = conn.BeginTx(ctx, nil) // takes pgWriteLock
	if err != nil {
		conn.Close()
		return nil, nil, func() {}, err
	}
	return tx, &pgCopy{ctx: ctx, conn: conn}, func() { conn.Close() }, nil
}

// A pgCopy sends the rows of one run's ingest to PostgreSQL by COPY: the
// result_group rows, and the names they use that the store did not have.
//
// New names get their ids here, as max(id)+1, max(id)+2, ...: the
// ids SQLite's INTEGER PRIMARY KEY would give them. That is safe because
// the ingest holds pgWriteLock, which every writer of the store takes
// before it writes. A name waits in pending until its COPY, so that a
// lookup in the database that cannot find it yet finds it there.
type pgCopy struct {
	ctx  context.Context
	conn *sql.Conn // the connection of the ingest's transaction

	nextName int64            // id of the next new name; 0 until read
	pending  map[string]int64 // new names not yet sent
	names    [][]any          // their rows: id, name
	rows     [][]any          // result_group rows not yet sent
}

// copyFrom runs one COPY into table on the transaction's connection.
func (c *pgCopy) copyFrom(table string, cols []string, rows [][]any) error {
	return c.conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("copy into %s: connection is a %T, not PostgreSQL", table, dc)
		}
		n, err := pc.Conn.Conn().CopyFrom(c.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		if int(n) != len(rows) {
			return fmt.Errorf("copy into %s: %d rows stored of %d", table, n, len(rows))
		}
		return nil
	})
}

// name returns the id of name n when the runWriter's cache lacks it:
// a name waiting for its COPY, one stored (looked up unless the cache
// holds every stored name), or a new id.
func (c *pgCopy) name(w *runWriter, n string) (int64, error) {
	if id, ok := c.pending[n]; ok {
		return id, nil
	}
	if !w.namesAll {
		var id int64
		err := w.nameID.QueryRowContext(w.ctx, n).Scan(&id)
		if err == nil {
			return id, nil
		}
		if err != sql.ErrNoRows {
			return 0, err
		}
	}
	if c.nextName == 0 {
		if err := w.tx.QueryRowContext(w.ctx, `SELECT coalesce(max(id), 0) + 1 FROM name`).Scan(&c.nextName); err != nil {
			return 0, err
		}
	}
	id := c.nextName
	c.nextName++
	if c.pending == nil {
		c.pending = make(map[string]int64)
	}
	c.pending[n] = id
	c.names = append(c.names, []any{id, pgEscapeText(n)})
	if len(c.names) >= pgCopyRows {
		if err := c.sendNames(); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// sendNames copies the pending names.
func (c *pgCopy) sendNames() error {
	if len(c.names) == 0 {
		return nil
	}
	if err := c.copyFrom("name", []string{"id", "name"}, c.names); err != nil {
		return err
	}
	c.names = c.names[:0]
	clear(c.pending)
	return nil
}

// row queues one result_group row: run id, then the runWriter's
// resultCols values.
func (c *pgCopy) row(runID int64, vals ...any) error {
	c.rows = append(c.rows, append([]any{runID}, vals...))
	if len(c.rows) >= pgCopyRows {
		return c.send()
	}
	return nil
}

// send copies the pending names, then the pending rows.
func (c *pgCopy) send() error {
	if err := c.sendNames(); err != nil {
		return err
	}
	if len(c.rows) == 0 {
		return nil
	}
	if err := c.copyFrom("result_group", []string{"run_id", "line", "name_id", "unit_set_id", "n", "iters", "vals", "lines"}, c.rows); err != nil {
		return err
	}
	c.rows = c.rows[:0]
	return nil
}
