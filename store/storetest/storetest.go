// Package storetest helps tests that need a benchdb store.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for PostgresAddr

	"github.com/benchdb/benchdb/store"
)

// BackendEnv names the environment variable that chooses the store Open
// returns: unset or "sqlite", a SQLite file; "postgres", a fresh
// PostgreSQL database (OpenPostgres), so that a package's whole test
// suite runs on PostgreSQL: BENCHDB_TEST_BACKEND=postgres go test ./store.
const BackendEnv = "BENCHDB_TEST_BACKEND"

// OnPostgres reports whether Open returns PostgreSQL stores.
func OnPostgres() bool { return os.Getenv(BackendEnv) == "postgres" }

// SQLiteOnly skips a test of what only a SQLite file has (its path, its
// file on disk, its locks) when Open returns PostgreSQL stores.
func SQLiteOnly(tb testing.TB) {
	tb.Helper()
	if OnPostgres() {
		tb.Skipf("storetest: a SQLite file's behaviour; %s=postgres", BackendEnv)
	}
}

// Open returns a new, empty store in a SQLite file under tb.TempDir(), or
// in a fresh PostgreSQL database when BENCHDB_TEST_BACKEND is postgres. It
// is closed when the test ends.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	if OnPostgres() {
		return OpenPostgres(tb)
	}
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "benchdb.sqlite"))
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return db
}

// PostgresEnv names the environment variable holding the address of a
// PostgreSQL server for tests (postgres://...), as .ci/postgres.sh sets
// it. Without it, PostgreSQL tests skip.
const PostgresEnv = "BENCHDB_TEST_POSTGRES"

// PostgresAddr creates a fresh, empty database on the server named by
// BENCHDB_TEST_POSTGRES and returns its address; the database is dropped
// when the test ends. Without the variable the test is skipped.
func PostgresAddr(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		tb.Skipf("storetest: %s is not set: PostgreSQL tests skipped (. .ci/postgres.sh; pg_start sets it)", PostgresEnv)
	}
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("storetest: %s: %v", PostgresEnv, err)
	}
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	var b [8]byte
	rand.Read(b[:])
	name := "benchdb_test_" + hex.EncodeToString(b[:])
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		adb.Close()
		tb.Fatalf("storetest: create database: %v", err)
	}
	tb.Cleanup(func() {
		defer adb.Close()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// OpenPostgres returns a new, empty store in a fresh PostgreSQL database
// (PostgresAddr). It is closed when the test ends.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	addr := PostgresAddr(tb)
	db, err := store.Open(context.Background(), addr)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return db
}

// A Backend opens a new, empty store of one kind.
type Backend struct {
	Name string
	// Addr returns the address of a new, empty store (a SQLite path or
	// a PostgreSQL URL); it may skip the test.
	Addr func(tb testing.TB) string
}

// Backends are SQLite and PostgreSQL, for tests that run on both.
var Backends = []Backend{
	{"sqlite", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "benchdb.sqlite") }},
	{"postgres", PostgresAddr},
}
