package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// LatestSchemaVersion is the schema version Open migrates databases to.
const LatestSchemaVersion = 3

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
}

// Open opens the store in the SQLite file at path, creating the file if
// it does not exist and migrating an older schema to the current one. It
// fails if the file is not a SQLite database, if its schema is newer than
// this package knows, or if the file cannot be written.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenOptions(ctx, path, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, path string, opts Options) (_ *DB, err error) {
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
	// Check the schema before anything is written: a file that is not
	// ours, or is newer than this code, is left as it is.
	err = retryBusy(ctx, func() error {
		v, err := db.version(ctx, db.db)
		if err == nil && v > LatestSchemaVersion {
			err = fmt.Errorf("schema version %d is newer than this benchdb supports (%d)", v, LatestSchemaVersion)
		}
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

// escapePath makes path safe inside a SQLite "file:" URI.
func escapePath(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(path)
}

// Path returns the file name the store was opened with.
func (db *DB) Path() string { return db.path }

// Close closes the store.
func (db *DB) Close() error {
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
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
	// A quick read-only check first, so that opening an up-to-date
	// database takes no write lock.
	if v, err := db.version(ctx, db.db); err == nil && v == len(migrations) {
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
	if v > len(migrations) {
		return false, fmt.Errorf("schema version %d is newer than this benchdb supports (%d)", v, LatestSchemaVersion)
	}
	if v == len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
	}
	if _, err := tx.ExecContext(ctx, sqlSetSchemaVersion, v+1); err != nil {
		return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate schema to version %d: %w", v+1, sqliteError(err))
	}
	return false, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// version returns the schema version, 0 for an empty database. A database
// that holds tables but no schema_version is not a benchdb store.
func (db *DB) version(ctx context.Context, q querier) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, sqlHasSchemaTable).Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema: %w", sqliteError(err))
	}
	if n == 0 {
		var tables int
		if err := q.QueryRowContext(ctx, sqlCountTables).Scan(&tables); err != nil {
			return 0, fmt.Errorf("read schema: %w", sqliteError(err))
		}
		if tables > 0 {
			return 0, errors.New("not a benchdb store (no schema_version table)")
		}
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, sqlSchemaVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", sqliteError(err))
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
