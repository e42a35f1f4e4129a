package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/benchdb/benchdb/store/storedata"
)

// LatestSchemaVersion is the schema version Open migrates databases to.
const LatestSchemaVersion = 8

func init() {
	if len(migrations) != LatestSchemaVersion {
		panic("store: LatestSchemaVersion does not match the migrations")
	}
}

// DefaultBusyTimeout is how long a connection waits for another process's
// write lock before it gives up. An ingest holds the lock only while it
// inserts (the input is read and checked before), so a minute covers a
// queue of several large ingests.
const DefaultBusyTimeout = 60 * time.Second

// A DB is an open benchdb store. It is safe for concurrent use by
// multiple goroutines, and several processes may use the same file at
// once: writes are serialised by SQLite's write lock (WAL mode).
type DB struct {
	db   *sql.DB
	path string

	// now returns the time of a run ingested without IngestOptions.Time.
	now func() time.Time

	// maxNames bounds the benchmark names an ingest caches
	// (maxNameCache; tests make it small).
	maxNames int

	// maxPending, if not 0, replaces maxPendingGroups for ingests
	// (tests make it small).
	maxPending int

	// readOnly is set by OpenReadOnly.
	readOnly bool

	// pg is set for a PostgreSQL store (postgres.go).
	pg bool
}

// Open opens the store in the SQLite file at path, creating the file if
// it does not exist and migrating an older schema to the current one. It
// fails if the file is not a SQLite database, if it is a SQLite database
// that is not a benchdb store (identified by its application_id and its
// schema_version table), if its schema is newer than this package knows,
// or if the file cannot be written. A file it refuses is left byte for
// byte as it was.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenOptions(ctx, path, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, path string, opts Options) (_ *DB, err error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path, false)
	}
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("open store %s: is a directory", path)
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(DefaultBusyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_cache_size", "-32768")
	// A "file:" URI so that any path works; its '?' and '#' are escaped.
	dsn := "file:" + escapePath(path) + "?" + q.Encode()
	sdb, err := opts.open(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{db: sdb, path: path, now: time.Now, maxNames: maxNameCache}
	defer func() {
		if err != nil {
			sdb.Close()
		}
	}()
	// Identify the file before anything is written: a file that is not
	// ours, or is newer than this code, is left as it is.
	err = retryBusy(ctx, func() error {
		_, err := db.snapshotVersion(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := retryBusy(ctx, func() error { return db.setWAL(ctx) }); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := retryBusy(ctx, func() error { return db.migrate(ctx) }); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// ErrOldSchema is returned (wrapped) by OpenReadOnly for a store whose
// schema is older than this package's: reading it would need a
// migration, which only a writer (Open) makes.
var ErrOldSchema = storedata.ErrOldSchema

// OpenReadOnly opens an existing store for reading only. It never
// creates, migrates or writes the file, and it works where only read
// access is granted (a read-only directory or file): it opens the file
// so that it leaves no -wal or -shm file behind: where this process may
// write the file and its directory, as a connection that only queries
// (query_only), which removes them on close if it is the last one; else
// with mode=ro if a writer's -wal file is there to share; else (no
// writer can be active) as immutable. A store at an older schema version is an
// error wrapping ErrOldSchema that says how to upgrade it. Any write
// through the returned DB fails.
func OpenReadOnly(ctx context.Context, path string) (_ *DB, err error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path, true)
	}
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, unwrapPathError(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("open store %s: is a directory", path)
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(DefaultBusyTimeout.Milliseconds()))
	q.Set("_query_only", "1")
	q.Set("_cache_size", "-32768")
	switch readMode(path) {
	case "immutable":
		q.Set("immutable", "1")
	case "ro":
		q.Set("mode", "ro")
	}
	dsn := "file:" + escapePath(path) + "?" + q.Encode()
	sdb, err := sql.Open(SQLiteDriver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{db: sdb, path: path, now: time.Now, maxNames: maxNameCache, readOnly: true}
	defer func() {
		if err != nil {
			sdb.Close()
		}
	}()
	var v int
	err = retryBusy(ctx, func() error {
		var err error
		v, err = db.version(ctx, db.db)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if v < LatestSchemaVersion {
		if v == 0 {
			return nil, fmt.Errorf("open store %s: empty file, not yet a benchdb store (benchdb ingest creates one)", path)
		}
		return nil, fmt.Errorf("open store %s: schema version %d: %w (%d); reading does not upgrade it: run benchdb migrate, or any ingest, once with write access", path, v, ErrOldSchema, LatestSchemaVersion)
	}
	return db, nil
}

// readMode returns how OpenReadOnly opens the SQLite file at path: ""
// (read-write, query only) if this process may write the file and its
// directory, so that SQLite removes the -wal and -shm files it creates
// on the last close; else "ro" if a -wal file exists (a writer is active,
// or a crashed writer's commits wait in it); else "immutable": nobody
// can be writing, and SQLite needs no -shm file.
func readMode(path string) string {
	if writable(filepath.Dir(path)) && writable(path) {
		return ""
	}
	if _, err := os.Lstat(path + "-wal"); err == nil {
		return "ro"
	}
	return "immutable"
}

// Path returns the file name the store was opened with (for
// PostgreSQL, its address with the password redacted).
func (db *DB) Path() string { return db.path }

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

// Close closes the store.
func (db *DB) Close() error {
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// unwrapPathError drops the operation and path of an *os.PathError,
// which the caller's message names already.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// escapePath makes path safe inside a SQLite "file:" URI.
func escapePath(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(path)
}

// setWAL switches the database to write-ahead logging and checks that
// SQLite agreed (it refuses on some file systems).
func (db *DB) setWAL(ctx context.Context) error {
	var mode string
	if err := db.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("set journal mode: %w", sqliteError(err))
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("set journal mode: got %q, want wal", mode)
	}
	return nil
}

// SchemaVersion returns the schema version of the open database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.db.QueryRowContext(ctx, sqlSchemaVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate brings the schema up to date, one migration per transaction.
// The write lock taken by BEGIN IMMEDIATE makes concurrent openers wait
// for each other, so each migration runs once.
func (db *DB) migrate(ctx context.Context) error {
	for {
		done, err := db.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

func (db *DB) migrateOne(ctx context.Context) (done bool, err error) {
	if db.pg {
		return db.pgMigrateOne(ctx)
	}
	// A quick read-only check first, so that opening an up-to-date
	// database takes no write lock.
	if v, err := db.snapshotVersion(ctx); err == nil && v == len(migrations) {
		return true, nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", sqliteError(err))
	}
	defer tx.Rollback()
	v, err := db.version(ctx, tx)
	if err != nil {
		return false, err
	}
	if v == len(migrations) {
		return true, nil
	}
	m := migrations[v]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
	}
	if m.fn != nil {
		if err := m.fn(ctx, tx); err != nil {
			return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
		}
	}
	if _, err := tx.ExecContext(ctx, sqlSetSchemaVersion, v+1); err != nil {
		return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
	}
	return false, nil
}

// snapshotVersion is version read in one read transaction on one
// connection, so that its several queries see one state of the file: run
// on the pool, another opener's migration could commit between the read
// of application_id and that of schema_version (a version-1 store then
// looked like "schema version 3 without benchdb's application_id").
func (db *DB) snapshotVersion(ctx context.Context) (int, error) {
	if db.pg {
		return db.version(ctx, db.db)
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema: %w", sqliteError(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return 0, fmt.Errorf("read schema: %w", sqliteError(err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	return db.version(ctx, conn)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// errNotStore starts the message for a SQLite file that is not a benchdb
// store.
const errNotStore = "not a benchdb store"

// version identifies the database and returns its schema version: 0 for
// an empty database (no tables, no application_id), to be made a store.
// Anything else must be positively a benchdb store, or the error says
// why not:
//   - its application_id is applicationID, or 0 for stores written
//     before schema version 3, which must then hold the tables every
//     version had (run, label, name, result_group);
//   - it has a schema_version table with exactly one integer row from 1
//     on;
//   - that version is not newer than this package's.
func (db *DB) version(ctx context.Context, q querier) (int, error) {
	if db.pg {
		return db.pgVersion(ctx, q)
	}
	var appID int64
	if err := q.QueryRowContext(ctx, sqlApplicationID).Scan(&appID); err != nil {
		return 0, fmt.Errorf("read schema: %w", sqliteError(err))
	}
	if appID != 0 && appID != applicationID {
		return 0, fmt.Errorf("%s (SQLite application_id %#x, want %#x)", errNotStore, appID, applicationID)
	}
	var tables int
	if err := q.QueryRowContext(ctx, sqlCountTables).Scan(&tables); err != nil {
		return 0, fmt.Errorf("read schema: %w", sqliteError(err))
	}
	if tables == 0 && appID == 0 {
		return 0, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, sqlHasTable, "schema_version").Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema: %w", sqliteError(err))
	}
	if n == 0 {
		return 0, fmt.Errorf("%s (no schema_version table)", errNotStore)
	}
	var (
		rows     int
		typ      sql.NullString
		min, max any
	)
	if err := q.QueryRowContext(ctx, sqlSchemaVersions).Scan(&rows, &typ, &min, &max); err != nil {
		return 0, fmt.Errorf("read schema version: %w", sqliteError(err))
	}
	v64, ok := min.(int64)
	if rows != 1 || typ.String != "integer" || !ok {
		return 0, fmt.Errorf("%s (schema_version holds %d rows, want one integer)", errNotStore, rows)
	}
	v := int(v64)
	if v < 1 {
		return 0, fmt.Errorf("%s (schema version %d)", errNotStore, v)
	}
	if v > LatestSchemaVersion {
		return 0, fmt.Errorf("schema version %d is newer than this benchdb supports (%d)", v, LatestSchemaVersion)
	}
	if appID == 0 {
		// Before version 3, no application_id: check the tables.
		if v >= 3 {
			return 0, fmt.Errorf("%s (schema version %d without benchdb's application_id)", errNotStore, v)
		}
		if err := q.QueryRowContext(ctx, sqlLegacyTables).Scan(&n); err != nil {
			return 0, fmt.Errorf("read schema: %w", sqliteError(err))
		}
		if n != 4 {
			return 0, fmt.Errorf("%s (schema_version without benchdb's tables)", errNotStore)
		}
	}
	return v, nil
}

// isBusy reports whether err is SQLite's "database is locked" or
// "database table is locked".
func isBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}

// retryBusy calls fn until it returns something other than a busy error,
// with a jittered back-off, for at most DefaultBusyTimeout. SQLite's busy
// handler covers most waits; this covers the few places it is not called
// (such as a change of journal mode while another connection opens).
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(DefaultBusyTimeout)
	wait := time.Millisecond
	// Jitter spreads the retries of processes that collided; the process
	// id is random enough for that, and keeps the package free of
	// unseeded randomness.
	jitter := uint64(os.Getpid())
	for {
		err := fn()
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		jitter = jitter*6364136223846793005 + 1442695040888963407
		d := wait + time.Duration((jitter>>33)%uint64(wait))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// sqliteError makes SQLite's errors read better in a one-line message.
func sqliteError(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrNotADB {
		return errors.New("not a SQLite database")
	}
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return ErrFull
	}
	return err
}
