package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// mustLoadSQL writes a SQLite file at path from the SQL script in file,
// the way an older benchdb left it, and returns path.
func mustLoadSQL(tb testing.TB, file, path string) string {
	tb.Helper()
	script, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(script)); err != nil {
		tb.Fatalf("load %s: %v", file, err)
	}
	return path
}

// currentSchemaVersion returns the schema version of a new store.
func currentSchemaVersion(tb testing.TB) int {
	tb.Helper()
	v, err := storetest.Open(tb).SchemaVersion(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// mustQueryInt runs a query that returns one integer on the SQLite file at
// path, read only.
func mustQueryInt(tb testing.TB, path, query string) int {
	tb.Helper()
	db, err := sql.Open(store.SQLiteDriver, "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestDB_Open_migrate opens a store written at schema version 1 and checks
// that the migrated store holds every run, label, configuration line,
// result and Unit metadata line as before, that its content hashes still
// find duplicates, and that the newer schema's additions work.
func TestDB_Open_migrate(t *testing.T) {
	ctx := context.Background()
	current := currentSchemaVersion(t)
	path := mustLoadSQL(t, "testdata/migrate/v1-two-runs.sql", filepath.Join(t.TempDir(), "old.sqlite"))
	if v := mustQueryInt(t, path, `SELECT version FROM schema_version`); v != 1 || current <= 1 {
		t.Fatalf("fixture at version %d, current %d: the test needs 1 < current", v, current)
	}

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != current {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, current)
	}

	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"testdata/roundtrip/basic.txt", "testdata/roundtrip/config-change.txt"}
	commits := []string{"abc123", "def456"}
	if len(runs) != len(files) {
		t.Fatalf("%d runs after migration, want %d", len(runs), len(files))
	}
	for i, file := range files {
		r := runs[i]
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want := mustReadRecords(t, bytes.NewReader(text), file)
		wantTime := time.Date(2026, 1, 2+i, 3, 4, 5, 0, time.UTC)
		if r.ID != int64(i+1) || !r.Time.Equal(wantTime) || r.Results != len(want.results) {
			t.Errorf("run %d: id %d, time %v, %d results; want %d, %v, %d", i, r.ID, r.Time, r.Results, i+1, wantTime, len(want.results))
		}
		if !equalMaps(r.Labels, map[string]string{"branch": "main", "commit": commits[i]}) {
			t.Errorf("run %d: labels %v", r.ID, r.Labels)
		}
		if r.Config["goos"] != "linux" || r.Config["pkg"] == "" {
			t.Errorf("run %d: config %v", r.ID, r.Config)
		}
		if d := diffResults(mustStoredResults(t, db, r.ID), want.results); d != "" {
			t.Errorf("run %d: results differ from %s:\n%s", r.ID, file, d)
		}
		var exp bytes.Buffer
		if err := db.Export(ctx, &exp, r.ID); err != nil {
			t.Fatal(err)
		}
		back := mustReadRecords(t, &exp, "export")
		if d := diffResults(back.results, want.results); d != "" {
			t.Errorf("run %d: export differs from %s:\n%s", r.ID, file, d)
		}
		if len(back.units) != len(want.units) {
			t.Errorf("run %d: export has %d Unit metadata, want %d", r.ID, len(back.units), len(want.units))
		}
		// The content hash written by the old version still finds the
		// same content.
		dup := mustIngestFile(t, db, file, store.IngestOptions{})
		if dup.DuplicateOf != r.ID {
			t.Errorf("%s ingested again: DuplicateOf = %d, want %d", file, dup.DuplicateOf, r.ID)
		}
	}

	// New runs go in beside the old ones.
	got, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "new.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != 3 || got.Results != 2 {
		t.Errorf("new run: %+v, want id 3 with 2 results", got)
	}
	// The views of the newer schema read the old rows: basic.txt has 6
	// results of 3 units and 3 of 4, config-change.txt 4 of 2, 3 of 3
	// and 2 of 3.
	const samples = 6*3 + 3*4 + 4*2 + 3*3 + 2*3
	if n := mustQueryInt(t, path, `SELECT count(*) FROM sample WHERE run_id IN (1, 2)`); n != samples {
		t.Errorf("sample view: %d rows for the old runs, want %d", n, samples)
	}
	if n := mustQueryInt(t, path, `SELECT count(*) FROM run_summary WHERE labels = 'branch=main commit=abc123'`); n != 1 {
		t.Errorf("run_summary view: %d rows with run 1's labels, want 1", n)
	}
	checkIntegrity(t, path)
}

// TestDB_Open_migrateConcurrently opens one old store from several
// goroutines at once: each migration runs once and nothing is lost.
func TestDB_Open_migrateConcurrently(t *testing.T) {
	ctx := context.Background()
	current := currentSchemaVersion(t)
	path := mustLoadSQL(t, "testdata/migrate/v1-two-runs.sql", filepath.Join(t.TempDir(), "old.sqlite"))
	const openers = 8
	var wg sync.WaitGroup
	errs := make([]error, openers)
	for i := range openers {
		wg.Go(func() {
			db, err := store.Open(ctx, path)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			_, errs[i] = db.Runs(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opener %d: %v", i, err)
		}
	}
	if v := mustQueryInt(t, path, `SELECT version FROM schema_version`); v != current {
		t.Errorf("schema version %d, want %d", v, current)
	}
	if n := mustQueryInt(t, path, `SELECT count(*) FROM schema_version`); n != 1 {
		t.Errorf("schema_version has %d rows, want 1", n)
	}
	if n := mustQueryInt(t, path, `SELECT count(*) FROM result_line`); n != 18 {
		t.Errorf("%d results after migration, want 18", n)
	}
	checkIntegrity(t, path)
}

// checkIntegrity fails the test unless SQLite's integrity and foreign key
// checks find nothing wrong with the file at path.
func checkIntegrity(tb testing.TB, path string) {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		tb.Errorf("integrity_check: %q, %v", res, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		tb.Errorf("foreign_key_check finds violations")
	}
}

// TestDB_Open_migrateV2 opens a store written at schema version 2, whose
// configuration was kept as whole sets, and checks that version 3's
// configuration lines give every result of every run exactly the
// configuration benchfmt reads from the original file, in order (keys
// deleted, re-added and changed, in churn.txt), that export and the views
// agree, that the old content hashes still find duplicates, and that the
// set tables are gone.
func TestDB_Open_migrateV2(t *testing.T) {
	ctx := context.Background()
	path := mustLoadSQL(t, "testdata/migrate/v2-three-runs.sql", filepath.Join(t.TempDir(), "v2.sqlite"))
	if v := mustQueryInt(t, path, `SELECT version FROM schema_version`); v != 2 {
		t.Fatalf("fixture at version %d, want 2", v)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchemaVersion {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, store.LatestSchemaVersion)
	}
	files := []string{"testdata/roundtrip/basic.txt", "testdata/roundtrip/config-change.txt", "testdata/migrate/churn.txt"}
	for i, file := range files {
		id := int64(i + 1)
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want := mustReadRecords(t, bytes.NewReader(text), file)
		if d := diffResults(mustStoredResults(t, db, id), want.results); d != "" {
			t.Errorf("run %d: results differ from %s:\n%s", id, file, d)
		}
		var exp bytes.Buffer
		if err := db.Export(ctx, &exp, id); err != nil {
			t.Fatal(err)
		}
		if d := diffResults(mustReadRecords(t, &exp, "export").results, want.results); d != "" {
			t.Errorf("run %d: export differs from %s:\n%s", id, file, d)
		}
		if dup := mustIngestFile(t, db, file, store.IngestOptions{}); dup.DuplicateOf != id {
			t.Errorf("%s ingested again: DuplicateOf = %d, want %d", file, dup.DuplicateOf, id)
		}
		// The same file ingested into a new store reads back the same.
		fresh := storetest.Open(t)
		got := mustIngestFile(t, fresh, file, store.IngestOptions{})
		if d := diffResults(mustStoredResults(t, fresh, got.ID), want.results); d != "" {
			t.Errorf("%s in a new store:\n%s", file, d)
		}
	}
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[2].Labels["n"] != "3" || runs[2].Config["goos"] != "linux" || runs[2].Config["k3"] != "c" {
		t.Errorf("runs after migration: %+v", runs)
	}
	if n := mustQueryInt(t, path, `SELECT count(*) FROM sqlite_master WHERE name IN ('config_set', 'config')`); n != 0 {
		t.Errorf("%d of the version 2 tables config_set and config left", n)
	}
	if n := mustQueryInt(t, path, `PRAGMA application_id`); n != 0x62646233 {
		t.Errorf("application_id %#x after migration", n)
	}
	// churn.txt's last two results are in package example.com/b.
	if n := mustQueryInt(t, path, `SELECT count(*) FROM sample WHERE run_id = 3 AND pkg = 'example.com/b'`); n != 2 {
		t.Errorf("sample view: %d values of run 3 in example.com/b, want 2", n)
	}
	checkIntegrity(t, path)
}
