package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
)

// TestSchema_newer checks that every command refuses a database written by
// a newer benchdb (a higher schema version) with exit status 2 and a
// one-line message naming both versions, and leaves the file as it was,
// byte for byte.
func TestSchema_newer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "benchdb.sqlite")
	mustRunCLI(t, "--db", db, "ingest", "testdata/runs/basic.txt")
	raw, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	var current int
	if err := raw.QueryRow(`SELECT version FROM schema_version`).Scan(&current); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE schema_version SET version = version + 1`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "new.txt")
	if err := os.WriteFile(input, []byte("BenchmarkNew 1 1 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "benchdb: open store " + db + ": schema version " + strconv.Itoa(current+1) +
		" is newer than this benchdb supports (" + strconv.Itoa(current) + ")\n"
	for _, args := range [][]string{
		{"ingest", input},
		{"runs"},
		{"show", "1"},
		{"export", "1"},
		{"compare", "1"},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db}, args...)...)
			if code != 2 || stderr != want || stdout != "" {
				t.Errorf("benchdb %s: exit %d, stdout %q, stderr %q; want 2, nothing, %q", strings.Join(args, " "), code, stdout, stderr, want)
			}
		})
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("the database file changed (%d bytes before, %d after)", len(before), len(after))
	}
}

// TestSchema_older opens a store written at schema version 1 (the store
// package's fixture) with the commands: the read-only ones refuse it,
// naming benchdb migrate, and leave it byte for byte; benchdb migrate
// upgrades it, and every run, label and result is there.
func TestSchema_older(t *testing.T) {
	script, err := os.ReadFile("../../store/testdata/migrate/v1-two-runs.sql")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "old.sqlite")
	raw, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(string(script)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"runs"}, {"show", "1"}, {"export", "1"}, {"compare", "1"}, {"report"}} {
		code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db}, args...)...)
		want := "benchdb: open store " + db + ": schema version 1: schema is older than this benchdb's (" + strconv.Itoa(store.LatestSchemaVersion) + "); reading does not upgrade it: run benchdb migrate, or any ingest, once with write access\n"
		if code != 2 || stdout != "" || !strings.HasSuffix(stderr, want) {
			t.Errorf("benchdb %s on an old store: exit %d, stdout %q, stderr %q; want 2 and %q", args[0], code, stdout, stderr, want)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Fatalf("a read-only command changed the old store")
	}
	if out := mustRunCLI(t, "--db", db, "migrate"); out != db+": schema version "+strconv.Itoa(store.LatestSchemaVersion)+"\n" {
		t.Errorf("migrate printed %q", out)
	}
	runs := mustRunsJSON(t, db)
	if len(runs) != 2 || runs[0].Results != 9 || runs[1].Results != 9 ||
		runs[0].Labels["commit"] != "abc123" || runs[1].Labels["commit"] != "def456" {
		t.Fatalf("runs after migration: %+v", runs)
	}
	out := mustRunCLI(t, "--db", db, "export", "1")
	if n := strings.Count(out, "\nBenchmark"); n != 9 {
		t.Errorf("export 1: %d result lines, want 9:\n%s", n, out)
	}
	mustRunCLI(t, "--db", db, "compare", "old=branch:main", "new=latest")
}
