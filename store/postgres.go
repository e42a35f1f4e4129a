package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgWriteLock is the key of the transaction-level advisory lock that
// every read-write transaction on a PostgreSQL store takes first: "bdb3"
// as applicationID. It serialises writers and migrations as SQLite's
// write lock does.
const pgWriteLock = applicationID

// pgConnectTimeout bounds how long Open waits for the server.
const pgConnectTimeout = 10 * time.Second

// pgSchema creates a PostgreSQL store at LatestSchemaVersion: the tables
// and views of SQLite's migrations 1 to 5 and 7, with the differences
// dialect.go lists. Versions 6 and 8 (SQLite's value blocks and run
// blocks) change nothing here: a PostgreSQL store keeps result_group's
// iters, vals and lines as JSON text, which its own SQL reads, its
// config_line rows, and its run digests (version 7, the binary chunks
// SQLite kept until version 8), which Samples reads.
const pgSchema = `
CREATE TABLE schema_version (
	version        INTEGER NOT NULL,
	application_id BIGINT  NOT NULL -- applicationID: a benchdb store
);

CREATE TABLE run (
	id            BIGINT  PRIMARY KEY,
	time          TEXT    COLLATE "C" NOT NULL,
	source        TEXT    COLLATE "C" NOT NULL,
	content_hash  TEXT    COLLATE "C" NOT NULL,
	results       INTEGER NOT NULL DEFAULT 0,
	skipped_lines INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX run_content_hash ON run (content_hash);
CREATE INDEX run_time ON run (time, id);

CREATE TABLE label (
	run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT   COLLATE "C" NOT NULL,
	value  TEXT   COLLATE "C" NOT NULL,
	PRIMARY KEY (run_id, key)
);
CREATE INDEX label_key_value ON label (key, value);

CREATE TABLE run_config (
	run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT   COLLATE "C" NOT NULL,
	value  TEXT   COLLATE "C" NOT NULL,
	PRIMARY KEY (run_id, key)
);

CREATE TABLE name (
	id   BIGINT PRIMARY KEY,
	name TEXT   COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE unit_set (
	id    BIGINT PRIMARY KEY,
	units TEXT   COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE result_group (
	run_id      BIGINT  NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	line        INTEGER NOT NULL,
	name_id     BIGINT  NOT NULL, -- name (id)
	unit_set_id BIGINT  NOT NULL, -- unit_set (id)
	n           INTEGER NOT NULL,
	iters       TEXT    NOT NULL, -- JSON array of n integers
	vals        TEXT    NOT NULL, -- JSON array of n arrays of numbers
	lines       TEXT,             -- JSON array of n line offsets, NULL if consecutive
	PRIMARY KEY (run_id, line)
);
CREATE INDEX result_group_name ON result_group (name_id);

CREATE TABLE unit_metadata (
	run_id BIGINT  NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	line   INTEGER NOT NULL,
	unit   TEXT    COLLATE "C" NOT NULL,
	key    TEXT    COLLATE "C" NOT NULL,
	value  TEXT    COLLATE "C" NOT NULL,
	PRIMARY KEY (run_id, line, key)
);

CREATE TABLE config_line (
	run_id BIGINT  NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,
	line   INTEGER NOT NULL,
	key    TEXT    COLLATE "C" NOT NULL,
	value  TEXT    COLLATE "C" NOT NULL,
	PRIMARY KEY (run_id, seq)
);
CREATE INDEX config_line_key ON config_line (run_id, key, line);

CREATE VIEW result_line AS
SELECT g.run_id                              AS run_id,
       g.line + coalesce((g.lines::jsonb ->> (r.ord - 1)::integer)::integer, (r.ord - 1)::integer) AS line,
       g.name_id                             AS name_id,
       g.unit_set_id                         AS unit_set_id,
       (g.iters::jsonb ->> (r.ord - 1)::integer) AS iters,
       r.value                               AS vals
  FROM result_group g,
       jsonb_array_elements(g.vals::jsonb) WITH ORDINALITY r(value, ord);

CREATE VIEW sample AS
SELECT rl.run_id           AS run_id,
       run.time            AS time,
       rl.line             AS line,
       (SELECT c.value FROM config_line c
         WHERE c.run_id = rl.run_id AND c.key = 'pkg' AND c.line < rl.line
         ORDER BY c.line DESC, c.seq DESC LIMIT 1) AS pkg,
       n.name              AS name,
       rl.iters            AS iters,
       u.value #>> '{}'    AS unit,
       v.value::text       AS value
  FROM result_line rl
  JOIN run           ON run.id = rl.run_id
  JOIN name n        ON n.id = rl.name_id
  JOIN unit_set us   ON us.id = rl.unit_set_id,
       jsonb_array_elements(rl.vals) WITH ORDINALITY v(value, ord),
       jsonb_array_elements(us.units::jsonb) WITH ORDINALITY u(value, ord)
 WHERE u.ord = v.ord;

CREATE VIEW run_summary AS
SELECT run.id            AS run_id,
       run.time          AS time,
       run.source        AS source,
       run.results       AS results,
       run.skipped_lines AS skipped_lines,
       (SELECT string_agg(l.key || '=' || l.value, ' ' ORDER BY l.key)
          FROM label l WHERE l.run_id = run.id) AS labels
  FROM run;

CREATE TABLE run_digest (
	run_id BIGINT  NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,
	data   BYTEA   NOT NULL,
	PRIMARY KEY (run_id, seq)
);

CREATE TABLE profile (
	run_id BIGINT  NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	pkg    TEXT    COLLATE "C" NOT NULL,
	name   TEXT    COLLATE "C" NOT NULL,
	side   TEXT    COLLATE "C" NOT NULL DEFAULT '',
	kind   TEXT    COLLATE "C" NOT NULL,
	setup  INTEGER NOT NULL DEFAULT 0,
	iters  BIGINT  NOT NULL,
	size   BIGINT  NOT NULL,
	sha256 TEXT    NOT NULL,
	data   BYTEA   NOT NULL,
	PRIMARY KEY (run_id, pkg, name, side, kind, setup)
);
`

// pgStatements replaces the statements of schema.go that PostgreSQL
// cannot run as they are (after rebind).
var pgStatements = map[string]string{
	// SQLite's INTEGER PRIMARY KEY assigns max(id)+1; so do these,
	// under pgWriteLock.
	sqlInsertRun:     `INSERT INTO run (id, time, source, content_hash) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM run), $1, $2, $3) RETURNING id`,
	sqlInsertUnitSet: `INSERT INTO unit_set (id, units) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM unit_set), $1) RETURNING id`,
	// PostgreSQL keeps the JSON text columns of version 5.
	sqlResults: `SELECT n.name, g.line, g.unit_set_id, g.n, g.iters, g.vals, g.lines
  FROM result_group g JOIN name n ON n.id = g.name_id
 WHERE g.run_id = $1
 ORDER BY g.line`,
}

// pgQuery returns the PostgreSQL form of a statement written for SQLite.
func pgQuery(q string) string {
	if s, ok := pgStatements[q]; ok {
		return s
	}
	return rebind(q)
}

// openPostgres opens the PostgreSQL store at addr (a postgres:// URL),
// creating its tables in an empty database unless readOnly. Like the
// SQLite Open, it identifies the database before it writes anything: a
// database holding other tables, or a newer benchdb schema, is left as
// it is. Errors name the address with its password redacted.
func openPostgres(ctx context.Context, addr string, readOnly bool) (_ *DB, err error) {
	name := RedactAddress(addr)
	cfg, err := pgx.ParseConfig(addr)
	if err != nil {
		// pgx's message may quote the address, password included.
		return nil, fmt.Errorf("open store %s: invalid PostgreSQL address", name)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > pgConnectTimeout {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	cfg.RuntimeParams["application_name"] = "benchdb"
	sdb := sql.OpenDB(pgConnector{c: stdlib.GetConnector(*cfg), readOnly: readOnly})
	db := &DB{db: sdb, path: name, now: time.Now, maxNames: maxNameCache, readOnly: readOnly, pg: true}
	defer func() {
		if err != nil {
			sdb.Close()
		}
	}()
	if err := sdb.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("open store %s: %w", name, pgError(err))
	}
	v, err := db.pgVersion(ctx, sdb)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", name, err)
	}
	if readOnly {
		if v == 0 {
			return nil, fmt.Errorf("open store %s: empty database, not yet a benchdb store (benchdb ingest creates one)", name)
		}
		return db, nil
	}
	if err := db.migrate(ctx); err != nil {
		return nil, fmt.Errorf("open store %s: %w", name, err)
	}
	return db, nil
}

// pgVersion identifies a PostgreSQL database as version does a SQLite
// one: 0 for a database whose current schema holds no tables or views,
// else the version of a benchdb store, or an error saying why it is not
// one (or is newer than this package).
func (db *DB) pgVersion(ctx context.Context, q querier) (int, error) {
	var tables int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
 WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'v', 'p', 'm', 'f')`).Scan(&tables)
	if err != nil {
		return 0, fmt.Errorf("read schema: %w", pgError(err))
	}
	if tables == 0 {
		return 0, nil
	}
	var has bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&has); err != nil {
		return 0, fmt.Errorf("read schema: %w", pgError(err))
	}
	if !has {
		return 0, fmt.Errorf("%s (database holds %d tables, none of them schema_version)", errNotStore, tables)
	}
	var cols int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns
 WHERE table_schema = current_schema() AND table_name = 'schema_version'
   AND column_name IN ('version', 'application_id')`).Scan(&cols); err != nil {
		return 0, fmt.Errorf("read schema: %w", pgError(err))
	}
	if cols != 2 {
		return 0, fmt.Errorf("%s (schema_version without benchdb's application_id)", errNotStore)
	}
	var (
		rows     int
		v, appID sql.NullInt64
	)
	err = q.QueryRowContext(ctx, `SELECT count(*), min(version), min(application_id) FROM schema_version`).Scan(&rows, &v, &appID)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", pgError(err))
	}
	if rows != 1 || !v.Valid {
		return 0, fmt.Errorf("%s (schema_version holds %d rows, want one)", errNotStore, rows)
	}
	if appID.Int64 != applicationID {
		return 0, fmt.Errorf("%s (application_id %#x, want %#x)", errNotStore, appID.Int64, applicationID)
	}
	if v.Int64 < 1 {
		return 0, fmt.Errorf("%s (schema version %d)", errNotStore, v.Int64)
	}
	if v.Int64 > LatestSchemaVersion {
		return 0, fmt.Errorf("schema version %d is newer than this benchdb supports (%d)", v.Int64, LatestSchemaVersion)
	}
	return int(v.Int64), nil
}

// pgMigration5 is SQLite's migration5 for a PostgreSQL store made at
// version 4.
const pgMigration5 = `
ALTER TABLE result_group ADD COLUMN lines TEXT;
CREATE OR REPLACE VIEW result_line AS
SELECT g.run_id                              AS run_id,
       g.line + coalesce((g.lines::jsonb ->> (r.ord - 1)::integer)::integer, (r.ord - 1)::integer) AS line,
       g.name_id                             AS name_id,
       g.unit_set_id                         AS unit_set_id,
       (g.iters::jsonb ->> (r.ord - 1)::integer) AS iters,
       r.value                               AS vals
  FROM result_group g,
       jsonb_array_elements(g.vals::jsonb) WITH ORDINALITY r(value, ord);
`

// pgMigration7 is SQLite's migration7 for a PostgreSQL store made at
// version 4 to 6; migrateDigests then fills it.
const pgMigration7 = `
CREATE TABLE run_digest (
	run_id BIGINT  NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,
	data   BYTEA   NOT NULL,
	PRIMARY KEY (run_id, seq)
);
`

// pgMigrateOne creates the schema of an empty PostgreSQL database, in
// one transaction under pgWriteLock, so that of several benchdb
// processes starting at once one creates it and the others find it.
func (db *DB) pgMigrateOne(ctx context.Context) (done bool, err error) {
	if v, err := db.pgVersion(ctx, db.db); err == nil && v == LatestSchemaVersion {
		return true, nil
	}
	tx, err := db.db.BeginTx(ctx, nil) // takes pgWriteLock
	if err != nil {
		return false, fmt.Errorf("migrate: %w", pgError(err))
	}
	defer tx.Rollback()
	v, err := db.pgVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	switch {
	case v == LatestSchemaVersion:
		return true, nil
	case v >= 4 && v <= 7:
		// Version 5 (migration5): result_group.lines. Version 6 (value
		// blocks) is SQLite's alone: a PostgreSQL store keeps its JSON
		// text, so only the version changes. Version 7: run digests.
		// Version 8 (run blocks) is SQLite's alone too: a PostgreSQL
		// store keeps result_group, config_line and run_digest.
		if v == 4 {
			if _, err := tx.ExecContext(ctx, pgMigration5); err != nil {
				return false, fmt.Errorf("migrate schema from version 4: %w", pgError(err))
			}
		}
		if v <= 6 {
			if _, err := tx.ExecContext(ctx, pgMigration7); err != nil {
				return false, fmt.Errorf("migrate schema from version %d: %w", v, pgError(err))
			}
			if err := migrateDigests(ctx, tx, true); err != nil {
				return false, fmt.Errorf("migrate schema from version %d: %w", v, pgError(err))
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = $1`, LatestSchemaVersion); err != nil {
			return false, fmt.Errorf("migrate schema from version %d: %w", v, pgError(err))
		}
		if err := tx.Commit(); err != nil {
			return false, fmt.Errorf("migrate schema from version %d: %w", v, pgError(err))
		}
		return true, nil
	case v != 0:
		// No PostgreSQL store was written before version 3: a later
		// version adds its PostgreSQL migration here.
		return false, fmt.Errorf("migrate schema from version %d: no PostgreSQL migration", v)
	}
	if _, err := tx.ExecContext(ctx, pgSchema); err != nil {
		return false, fmt.Errorf("create schema: %w", pgError(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, application_id) VALUES ($1, $2)`, LatestSchemaVersion, applicationID); err != nil {
		return false, fmt.Errorf("create schema: %w", pgError(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("create schema: %w", pgError(err))
	}
	return true, nil
}

// pgError shortens pgx's errors for a one-line message: a failed
// connection says what failed without pgx's preamble (which names user
// and database, never the password).
func pgError(err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		inner := ce.Unwrap()
		var pe *pgconn.PgError
		if errors.As(inner, &pe) {
			return fmt.Errorf("cannot connect: %s (SQLSTATE %s)", pe.Message, pe.Code)
		}
		// pgx joins the errors of each address and TLS mode it
		// tried, one a line: the first says it.
		msg, _, _ := strings.Cut(inner.Error(), "\n")
		return fmt.Errorf("cannot connect: %s", msg)
	}
	return err
}

// A pgConnector opens pgx connections that speak the store's SQLite
// statements (see pgConn).
type pgConnector struct {
	c        driver.Connector
	readOnly bool
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn), readOnly: c.readOnly}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.c.Driver() }

// A pgConn is a pgx connection that rewrites each statement with
// pgQuery, escapes the text it sends and unescapes the text it reads
// (postgres_text.go), and takes pgWriteLock at the start of each
// read-write transaction.
type pgConn struct {
	*stdlib.Conn
	readOnly bool // opened read-only: its transactions cannot write
}

func (c *pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	s, err := c.Conn.PrepareContext(ctx, pgQuery(q))
	if err != nil {
		return nil, err
	}
	return pgStmt{s}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, pgQuery(q), pgEscapeArgs(args))
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, pgQuery(q), pgEscapeArgs(args))
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

func (c *pgConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil || opts.ReadOnly || c.readOnly {
		return tx, err
	}
	if _, err := c.Conn.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", pgWriteLock), nil); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("take write lock: %w", err)
	}
	return tx, nil
}
