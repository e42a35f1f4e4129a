package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
	"github.com/benchdb/benchdb/store/storetest"
)

// A swapReader gives one content until it is rewound, then another: a
// file replaced (or appended to) between Ingest's reads.
type swapReader struct {
	*bytes.Reader
	next  []byte
	swaps int
}

func (s *swapReader) Seek(off int64, whence int) (int64, error) {
	if off == 0 && whence == io.SeekStart && s.next != nil {
		s.Reader = bytes.NewReader(s.next)
		s.next = nil
		s.swaps++
	}
	return s.Reader.Seek(off, whence)
}

// TestDB_Ingest_changedInput: an input whose content changes between the
// read that hashes it and the read that stores it (a file swapped for
// another, or appended to) fails with ErrInputChanged, naming it, and
// stores nothing; then the new content is not "already stored" under
// the old one's hash.
func TestDB_Ingest_changedInput(t *testing.T) {
	ctx := context.Background()
	a := "pkg: a\nBenchmarkA-2 10 100 ns/op\n"
	b := "pkg: b\nBenchmarkB-2 10 200 ns/op\nBenchmarkB-2 10 201 ns/op\n"
	tests := []struct{ name, first, then string }{
		{"swapped", a, b},
		{"appended", a, a + "BenchmarkA-2 10 101 ns/op\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t)
			mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{})
			before := mustDump(t, db.Path())
			r := &swapReader{Reader: bytes.NewReader([]byte(tt.first)), next: []byte(tt.then)}
			_, err := db.Ingest(ctx, r, store.IngestOptions{Name: "f.txt"})
			if !errors.Is(err, store.ErrInputChanged) || !strings.HasPrefix(err.Error(), "f.txt: changed while it was being read") {
				t.Fatalf("Ingest of a changing input: %v, want ErrInputChanged naming f.txt", err)
			}
			if r.swaps != 1 {
				t.Fatalf("the input was rewound %d times, want 1", r.swaps)
			}
			if after := mustDump(t, db.Path()); after != before {
				t.Errorf("database changed:\n%s", after)
			}
			// Both contents go in afterwards, as themselves.
			for _, text := range []string{tt.first, tt.then} {
				got, err := db.Ingest(ctx, strings.NewReader(text), store.IngestOptions{Name: "f.txt"})
				if err != nil || got.DuplicateOf != 0 || got.Results != strings.Count(text, "Benchmark") {
					t.Errorf("Ingest %q: %+v, %v; want a new run", text, got, err)
				}
			}
		})
	}
}

// TestOpen_foreignSQLite: SQLite files that are not benchdb stores are
// refused by Open and OpenReadOnly with a one-line error, byte for byte
// untouched (no WAL switch, no migration), and never panic.
func TestOpen_foreignSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mk := func(name string, stmts ...string) string {
		path := filepath.Join(dir, name)
		raw, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, s := range stmts {
			if _, err := raw.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		return path
	}
	tests := []struct {
		name, path, want string
	}{
		{"schema_version table, nothing else", mk("sv.sqlite", `CREATE TABLE schema_version (version INTEGER)`, `INSERT INTO schema_version VALUES (1)`),
			"not a benchdb store (schema_version without benchdb's tables)"},
		{"schema_version -1", mk("neg.sqlite", `CREATE TABLE schema_version (version INTEGER)`, `INSERT INTO schema_version VALUES (-1)`),
			"not a benchdb store (schema version -1)"},
		{"schema_version empty", mk("empty.sqlite", `CREATE TABLE schema_version (version INTEGER)`),
			"not a benchdb store (schema_version holds 0 rows, want one integer)"},
		{"schema_version text", mk("text.sqlite", `CREATE TABLE schema_version (version TEXT)`, `INSERT INTO schema_version VALUES ('two')`),
			"not a benchdb store (schema_version holds 1 rows, want one integer)"},
		{"another application_id", mk("app.sqlite", `PRAGMA application_id = 42`, `CREATE TABLE t (x)`),
			"not a benchdb store (SQLite application_id 0x2a, want 0x62646233)"},
		{"version 3 without application_id", mk("v3.sqlite", `CREATE TABLE schema_version (version INTEGER)`, `INSERT INTO schema_version VALUES (3)`,
			`CREATE TABLE run (id)`, `CREATE TABLE label (x)`, `CREATE TABLE name (x)`, `CREATE TABLE result_group (x)`),
			"not a benchdb store (schema version 3 without benchdb's application_id)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			for _, open := range []func(context.Context, string) (*store.DB, error){store.Open, store.OpenReadOnly} {
				db, err := open(ctx, tt.path)
				if err == nil {
					db.Close()
					t.Fatalf("opened %s", tt.path)
				}
				if want := "open store " + tt.path + ": " + tt.want; err.Error() != want {
					t.Errorf("error:\n got %q\nwant %q", err, want)
				}
			}
			after, _ := os.ReadFile(tt.path)
			if !bytes.Equal(before, after) {
				t.Errorf("%s changed", tt.path)
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				if _, err := os.Stat(tt.path + suffix); err == nil {
					t.Errorf("%s%s left behind", tt.path, suffix)
				}
			}
		})
	}
}

// TestDB_Ingest_strictDuplicate: with Strict, content stored already is
// still judged: a malformed line fails it instead of "already stored".
func TestDB_Ingest_strictDuplicate(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	input := goodLines + "BenchmarkB-2 100 x ns/op\n"
	first, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "in.txt"})
	if err != nil || first.SkippedLines != 1 {
		t.Fatalf("first ingest: %+v, %v", first, err)
	}
	_, err = db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "in.txt", Strict: true})
	if err == nil || err.Error() != "in.txt:5: parsing measurement: invalid syntax (--strict)" {
		t.Errorf("strict ingest of stored content: %v, want the malformed line", err)
	}
	got, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "good.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if dup, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "good.txt", Strict: true}); err != nil || dup.DuplicateOf != got.ID {
		t.Errorf("strict ingest of stored, well-formed content: %+v, %v; want a duplicate of %d", dup, err, got.ID)
	}
}

// TestDB_Ingest_duplicateLabels: ingesting stored content again with
// labels adds those whose key the run lacks, keeps the run's value of a
// key it has (with a warning), and stores no new run.
func TestDB_Ingest_duplicateLabels(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	first, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "a.txt", Labels: map[string]string{"branch": "main"}})
	if err != nil {
		t.Fatal(err)
	}
	dup, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "b.txt", Labels: map[string]string{"branch": "dev", "commit": "abc"}})
	if err != nil {
		t.Fatal(err)
	}
	if dup.DuplicateOf != first.ID || !equalMaps(dup.LabelsAdded, map[string]string{"commit": "abc"}) {
		t.Errorf("duplicate: %+v; want DuplicateOf %d, LabelsAdded commit=abc", dup, first.ID)
	}
	if len(dup.Warnings) != 1 || dup.Warnings[0].Error() != "b.txt: label branch=dev not applied: run 1 already has branch=main" {
		t.Errorf("warnings %v", dup.Warnings)
	}
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || !equalMaps(runs[0].Labels, map[string]string{"branch": "main", "commit": "abc"}) {
		t.Errorf("runs %+v", runs)
	}
	// The same labels again: nothing to add.
	again, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "c.txt", Labels: map[string]string{"commit": "abc"}})
	if err != nil || len(again.LabelsAdded) != 0 || len(again.Warnings) != 0 {
		t.Errorf("again: %+v, %v", again, err)
	}
}

// An endless reader gives its pattern forever and counts the bytes read.
type endless struct {
	pattern []byte
	n       int64
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.pattern[(e.n+int64(i))%int64(len(e.pattern))]
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestDB_Ingest_unboundedInput: input that never ends a line (/dev/zero,
// a stream of text without newlines, `go test -json` output that never
// ends its line) stops at the first line past the limit, having read
// little more than it, with a FILE:LINE error; an endless stream of good
// lines stops within a second of its context's end; and no temporary
// copy is left in the temporary directory at any point.
func TestDB_Ingest_unboundedInput(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	db := storetest.Open(t)
	ctx := context.Background()
	checkNoTemp := func() {
		t.Helper()
		if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
			t.Errorf("temporary files left: %v", ents)
		}
	}
	if zero, err := os.Open("/dev/zero"); err == nil {
		_, err := db.Ingest(ctx, zero, store.IngestOptions{Name: "/dev/zero"})
		zero.Close()
		if err == nil || !strings.HasPrefix(err.Error(), "/dev/zero:1: binary data") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
	jsonHead := []byte(`{"Action":"output","Package":"p","Output":"`)
	tests := []struct {
		name    string
		r       *endless
		wantErr string
	}{
		{"zeros from a pipe", &endless{pattern: []byte{0}}, "-:1: binary data, not benchmark output (NUL bytes, and no newline in the first 65535 bytes)"},
		{"text without newlines", &endless{pattern: []byte("BenchmarkA ")}, "-:1: line longer than 65535 bytes"},
		{"go test -json output without newlines", &endless{pattern: append(append([]byte(nil), jsonHead...), "xxxxxxxxxxxxxxxx\"}\n"...)}, "-:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// io.MultiReader hides Seek: a pipe.
			_, err := db.Ingest(ctx, io.MultiReader(tt.r), store.IngestOptions{Name: "-"})
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if tt.r.n > 8<<20 {
				t.Errorf("read %d bytes before giving up", tt.r.n)
			}
			checkNoTemp()
		})
	}
	t.Run("endless good lines, cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		r := &endless{pattern: []byte("BenchmarkA-2 10 100 ns/op\n")}
		done := make(chan error, 1)
		go func() {
			_, err := db.Ingest(ctx, io.MultiReader(r), store.IngestOptions{Name: "-"})
			done <- err
		}()
		time.Sleep(100 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Ingest went on 5 s after its context was cancelled")
		}
		checkNoTemp()
	})
}

// TestDB_Ingest_strayByte: a configuration value with one Latin-1 byte
// is text, stored exactly; binary data is still refused.
func TestDB_Ingest_strayByte(t *testing.T) {
	db := storetest.Open(t)
	input := "goos: linux\nowner: Jos\xe9\nBenchmarkA-2 10 100 ns/op\n"
	got, err := db.Ingest(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "latin1.txt"})
	if err != nil {
		t.Fatal(err)
	}
	want := mustReadRecords(t, strings.NewReader(input), "latin1.txt")
	if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
		t.Error(d)
	}
	_, err = db.Ingest(context.Background(), strings.NewReader("\x8b\x1f\xff\xfeabc\x01\x02\n"), store.IngestOptions{Name: "bin"})
	if err == nil || err.Error() != "bin:1: binary data, not benchmark output" {
		t.Errorf("binary line: %v", err)
	}
}

// TestDB_Ingest_configChurn: a new configuration key before every result
// (churnResults results; 1,500 in the integration tier, as in issue 11)
// makes a store of a size linear in the input: schema version 2 stored
// every key again for every result (79 MB for a 160 KB file); each result
// still reads back with its whole configuration. Reading back is
// quadratic (every result carries every key before it), hence fewer
// results in the default run.
func TestDB_Ingest_configChurn(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	var buf bytes.Buffer
	if err := benchgen.Write(&buf, benchgen.Options{Lines: churnResults, Shape: benchgen.ShapeConfigChurn}); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	fileSize := func() int {
		return mustQueryInt(t, db.Path(), `PRAGMA page_count`) * mustQueryInt(t, db.Path(), `PRAGMA page_size`)
	}
	empty := fileSize()
	got, err := db.Ingest(context.Background(), bytes.NewReader(buf.Bytes()), store.IngestOptions{Name: "churn.txt"})
	if err != nil {
		t.Fatal(err)
	}
	// The empty store's schema is a fixed cost, left out.
	if size := fileSize() - empty; size > 4*buf.Len() {
		t.Errorf("database grew by %d bytes for %d bytes of input, want at most 4 times the input", size, buf.Len())
	}
	want := mustReadRecords(t, bytes.NewReader(buf.Bytes()), "churn.txt")
	stored := mustStoredResults(t, db, got.ID)
	if d := diffResults(stored, want.results); d != "" {
		t.Errorf("results differ:\n%.2000s", d)
	}
	if n := len(stored[len(stored)-1].Config); n != churnResults+4 {
		t.Errorf("last result has %d configuration keys, want %d", n, churnResults+4)
	}
}

// TestOpenReadOnly: a reader opens a store with read access alone, in a
// read-only directory too, never writes it, and leaves no -wal or -shm
// file behind; a write through it fails.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "benchdb.sqlite")
	w, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustIngestFile(t, w, "testdata/roundtrip/basic.txt", store.IngestOptions{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read := func(path string, want int) {
		t.Helper()
		before, _ := os.ReadFile(path)
		db, err := store.OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := db.Runs(ctx)
		if err != nil || len(runs) != want || runs[0].Results != 9 {
			t.Errorf("Runs: %+v, %v", runs, err)
		}
		if _, err := db.Ingest(ctx, strings.NewReader(goodLines), store.IngestOptions{Name: "x"}); err == nil {
			t.Error("Ingest through a read-only store succeeded")
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("the reader changed the file")
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(path + suffix); err == nil {
				t.Errorf("reader left %s%s", path, suffix)
			}
		}
	}
	read(path, 1)

	// With a writer open at the same time, the reader shares its WAL.
	w, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustIngestFile(t, w, "testdata/roundtrip/config-change.txt", store.IngestOptions{})
	r, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if runs, err := r.Runs(ctx); err != nil || len(runs) != 2 {
		t.Errorf("Runs beside a writer: %d runs, %v", len(runs), err)
	}
	r.Close()
	w.Close()

	// A read-only file system (a tmpfs remounted read-only): needs root.
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", ro).CombinedOutput(); err != nil {
		t.Skipf("no tmpfs for the read-only case (needs root): %v %s", err, out)
	}
	defer exec.Command("umount", ro).Run()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ro, "benchdb.sqlite"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-o", "remount,ro", ro).CombinedOutput(); err != nil {
		t.Skipf("remount read-only: %v %s", err, out)
	}
	read(filepath.Join(ro, "benchdb.sqlite"), 2)
}
