package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
)

// TestProcesses runs the benchdb binary as separate processes, built once
// for all its subtests: ingests killed with SIGKILL at random points
// (crash_test.go), and many writers and readers at once
// (concurrent_test.go).
func TestProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchdb and runs it as processes")
	}
	bin := mustBuildBenchdb(t)
	t.Run("IngestKilled", func(t *testing.T) { testIngestKilled(t, bin) })
	t.Run("ConcurrentWritersAndReaders", func(t *testing.T) { testConcurrent(t, bin) })
}

// mustBuildBenchdb builds this command into a temporary directory and
// returns the binary's path.
func mustBuildBenchdb(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "benchdb")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchdbProc returns a command that runs the benchdb binary bin with args,
// its temporary files under tmp. The test owns the process it starts.
func benchdbProc(ctx context.Context, bin, tmp string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// mustRunProc runs the benchdb binary and returns its standard output,
// failing the test unless it exits 0 with nothing on standard error.
func mustRunProc(tb testing.TB, bin, tmp string, args ...string) string {
	tb.Helper()
	var out, errOut bytes.Buffer
	cmd := benchdbProc(context.Background(), bin, tmp, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		tb.Fatalf("benchdb %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

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
