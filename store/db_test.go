package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// mustExecFile runs a SQL script on a new SQLite file, outside the store.
func mustExecFile(tb testing.TB, path, script string) {
	tb.Helper()
	text, err := os.ReadFile(script)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(text)); err != nil {
		tb.Fatalf("%s: %v", script, err)
	}
}

func TestOpen_migrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.sqlite")
	mustExecFile(t, path, "testdata/migrate/v1.sql")

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != store.LatestSchemaVersion {
		t.Errorf("schema version %d after Open, want %d", v, store.LatestSchemaVersion)
	}
	run, err := db.Run(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if run.Results != 3 || run.SkippedLines != 0 || run.Labels["branch"] != "main" || run.Config["pkg"] != "example.com/old" || run.Source != "old.txt" {
		t.Errorf("migrated run: %+v", run)
	}
	var buf bytes.Buffer
	if err := db.Export(ctx, &buf, 1); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/migrate/v1.export")
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("export of the migrated run:\n%s\nwant\n%s", buf.String(), want)
	}
	// The views of version 2 work on version 1 data.
	got := querySamples(t, path, `SELECT line, name, unit, value, iters FROM sample ORDER BY line, unit`)
	wantSamples := "4 Old-2 B/op 16 1000\n4 Old-2 ns/op 120.5 1000\n5 Old-2 B/op 16 1000\n5 Old-2 ns/op 121 1000\n" +
		"6 Older/n=1-2 ns/op 2.5e+06 50\n6 Older/n=1-2 widgets/op 3 50\n"
	if got != wantSamples {
		t.Errorf("sample view:\n%s\nwant\n%s", got, wantSamples)
	}
	// New runs go in beside the old one.
	mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{})
}

// querySamples runs query on the SQLite file at path, as a SQL user
// would through store.SQLiteDriver (the views' functions), and prints
// the rows.
func querySamples(tb testing.TB, path, query string) string {
	tb.Helper()
	db, err := sql.Open(store.SQLiteDriver, "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var sb strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				sb.WriteByte(' ')
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprint(&sb, v)
		}
		sb.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return sb.String()
}

func TestOpen_badFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.sqlite")
	mustExecFile(t, other, "testdata/migrate/other.sql")
	newer := filepath.Join(dir, "newer.sqlite")
	mustExecFile(t, newer, "testdata/migrate/v1.sql")
	raw, err := sql.Open("sqlite3", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	tests := []struct {
		name, path, wantErr string
	}{
		{"not SQLite", notDB, "open store " + notDB + ": read schema: not a SQLite database"},
		{"directory", dir, "open store " + dir + ": is a directory"},
		{"parent is a file", filepath.Join(notDB, "x.sqlite"), "open store " + notDB + "/x.sqlite: read schema: unable to open database file: not a directory"},
		{"another program's database", other, "open store " + other + ": not a benchdb store (no schema_version table)"},
		{"newer schema", newer, "open store " + newer + ": schema version 99 is newer than this benchdb supports (" + strconv.Itoa(store.LatestSchemaVersion) + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			db, err := store.Open(ctx, tt.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded, want %q", tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error:\n got %q\nwant %q", err, tt.wantErr)
			}
			if after, _ := os.ReadFile(tt.path); !bytes.Equal(before, after) {
				t.Errorf("Open changed %s", tt.path)
			}
		})
	}
}

func TestOpen_walAndViews(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	db := storetest.Open(t)
	mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{Labels: map[string]string{"branch": "main", "a": "1"}})
	// Another connection, as the sqlite3 tool would open the file.
	if got := querySamples(t, db.Path(), `PRAGMA journal_mode`); got != "wal\n" {
		t.Errorf("journal_mode %q, want wal", got)
	}
	// basic.txt: 6 results with 3 units, 3 with 4.
	if got := querySamples(t, db.Path(), `SELECT count(*), count(DISTINCT line) FROM sample WHERE run_id = 1`); got != "30 9\n" {
		t.Errorf("sample rows, lines of run 1: %q, want 30 9", got)
	}
	got := querySamples(t, db.Path(), `SELECT pkg, name, iters, value FROM sample WHERE unit = 'MB/s' ORDER BY line`)
	want := "example.com/fib Copy-2 500000 443.3\nexample.com/fib Copy-2 500000 447.17\nexample.com/fib Copy-2 500000 435.74\n"
	if got != want {
		t.Errorf("MB/s samples:\n%s\nwant\n%s", got, want)
	}
	if got := querySamples(t, db.Path(), `SELECT run_id, results, skipped_lines, labels FROM run_summary`); got != "1 9 0 a=1 branch=main\n" {
		t.Errorf("run_summary: %q", got)
	}
}
