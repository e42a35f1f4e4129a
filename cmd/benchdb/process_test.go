package main

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
)

// openRaw opens the SQLite file at path with database/sql, bypassing the
// store, to look at what is really there. It is closed when the test ends.
func openRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(store.SQLiteDriver, "file:"+path+"?_busy_timeout=60000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustQueryInt returns the one integer a query returns.
func mustQueryInt(tb testing.TB, db *sql.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkIntegrity fails the test unless SQLite's integrity and foreign key
// checks find nothing wrong.
func checkIntegrity(tb testing.TB, db *sql.DB) {
	tb.Helper()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		tb.Errorf("integrity_check: %q, %v", res, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		tb.Errorf("foreign_key_check finds violations")
		break
	}
}

// benchFile returns benchmark output with n results whose first
// configuration line, "file: id", makes its content unique.
func benchFile(id string, n int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "file: %s\ngoos: linux\ngoarch: amd64\npkg: example.com/proc\n", id)
	for i := range n {
		fmt.Fprintf(&sb, "BenchmarkProc/case=%d-2 \t 1000\t %d ns/op\t %d B/op\t 1 allocs/op\n", i%50, 1000+(i*7919)%613, i%3)
	}
	return sb.String()
}
