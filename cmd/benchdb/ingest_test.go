package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// runCLI runs benchdb with args and stdin, and returns its exit status,
// standard output and standard error.
func runCLI(tb testing.TB, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	app := newApp(&out, &errOut)
	app.Reader = stdin
	err := app.RunContext(context.Background(), append([]string{"benchdb"}, args...))
	code = report(err, &errOut)
	return code, out.String(), errOut.String()
}

// mustRunCLI runs benchdb and fails the test unless it exits 0.
func mustRunCLI(tb testing.TB, args ...string) string {
	tb.Helper()
	code, stdout, stderr := runCLI(tb, nil, args...)
	if code != 0 {
		tb.Fatalf("benchdb %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// copyDir copies the files of dir into a new temporary directory.
func copyDir(tb testing.TB, dir string) string {
	tb.Helper()
	dst := tb.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// fileState describes a database file and its companions, to check that a
// failed command changed nothing: a digest of each file's bytes, or of
// every row when the file is a readable SQLite database (whose WAL may be
// checkpointed without any change of content).
func fileState(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "<no file>"
	}
	if err != nil {
		return "<" + err.Error() + ">"
	}
	if !bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
		return fmt.Sprintf("file %x", sha256.Sum256(b))
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var sb strings.Builder
	for _, q := range []string{
		`SELECT id, time, source, content_hash, results, skipped_lines FROM run ORDER BY id`,
		`SELECT run_id, key, value FROM label ORDER BY run_id, key`,
		`SELECT run_id, line, name_id, unit_set_id, n, data FROM result_group ORDER BY run_id, line`,
		`SELECT id, name FROM name ORDER BY id`,
		`SELECT run_id, seq, line, key, value FROM config_line ORDER BY run_id, seq`,
		`SELECT run_id, seq, data FROM run_block ORDER BY run_id, seq`,
		`SELECT run_id, line, unit, key, value FROM unit_metadata ORDER BY run_id, line, key`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			// A table of another schema version (result_group and
			// config_line are views from version 8, which need
			// benchdb's SQL functions; run_block is new in it).
			fmt.Fprintln(&sb, q, err)
			continue
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintln(&sb, vals...)
		}
		rows.Close()
	}
	return sb.String()
}

// TestIngest_badInput runs the cases in testdata/ingest/<case>: args holds
// the arguments, one a line ($DIR is a copy of the case directory, $DB a
// database holding one run unless args gives --db), want.stderr the exact
// standard error. Each must exit 2 and leave the database as it was.
func TestIngest_badInput(t *testing.T) {
	cases, err := os.ReadDir("testdata/ingest")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			src := filepath.Join("testdata/ingest", c.Name())
			dir := copyDir(t, src)
			dbFile := filepath.Join(t.TempDir(), "benchdb.sqlite")
			mustRunCLI(t, "--db", dbFile, "ingest", "testdata/runs/basic.txt")

			argText, err := os.ReadFile(filepath.Join(src, "args"))
			if err != nil {
				t.Fatal(err)
			}
			wantText, err := os.ReadFile(filepath.Join(src, "want.stderr"))
			if err != nil {
				t.Fatal(err)
			}
			expand := strings.NewReplacer("$DIR", dir, "$DB", dbFile)
			args := strings.Split(strings.TrimSuffix(expand.Replace(string(argText)), "\n"), "\n")
			target := dbFile
			for i, a := range args {
				if a == "--db" {
					target = args[i+1]
				}
			}
			if target == dbFile {
				args = append([]string{"--db", dbFile}, args...)
			}
			before := fileState(t, target)
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if want := expand.Replace(string(wantText)); stderr != want {
				t.Errorf("stderr:\n got %q\nwant %q", stderr, want)
			}
			if stdout != "" {
				t.Errorf("stdout: %q, want nothing", stdout)
			}
			if after := fileState(t, target); after != before {
				t.Errorf("database changed:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

func TestIngest_json(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.sqlite")
	basic := "testdata/runs/basic.txt"
	changes := "testdata/runs/config-change.txt"
	out := mustRunCLI(t, "ingest", "--db", db, "--format", "json", "--label", "branch=main", basic)
	type entry struct {
		ID           int64  `json:"id"`
		Results      int    `json:"results"`
		DuplicateOf  *int64 `json:"duplicate_of"`
		SkippedLines int    `json:"skipped_lines"`
	}
	var got []entry
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != 1 || got[0].ID != 1 || got[0].Results != 9 || got[0].DuplicateOf != nil || got[0].SkippedLines != 0 {
		t.Errorf("first ingest: %s", out)
	}
	if !strings.Contains(out, `"duplicate_of": null`) {
		t.Errorf("duplicate_of must be null for a new run: %s", out)
	}
	out = mustRunCLI(t, "--db", db, "ingest", "--format", "json", changes, basic)
	got = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != 2 || got[0].ID != 2 || got[0].DuplicateOf != nil ||
		got[1].ID != 1 || got[1].DuplicateOf == nil || *got[1].DuplicateOf != 1 || got[1].Results != 9 {
		t.Errorf("second ingest: %s", out)
	}
}

func TestIngest_stdinAndWarnings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.sqlite")
	input := "pkg: example.com/x\nBenchmarkA-2 1000 1200 ns/op\nBenchmarkA-2 1000 12x0 ns/op\nBenchmarkA-2 1000 1300 ns/op\n"
	code, stdout, stderr := runCLI(t, strings.NewReader(input), "--db", db, "ingest", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "-: stored as run 1: 2 results, 1 malformed line skipped\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if want := "benchdb: warning: -:3: parsing measurement: invalid syntax\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

// TestIngest_stopsAtFailure checks that files before a failing one stay
// stored and files after it are not read.
func TestIngest_stopsAtFailure(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.sqlite")
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, nil, "--db", db, "ingest",
		"testdata/runs/basic.txt", empty, "testdata/runs/config-change.txt")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if want := "benchdb: " + empty + ": empty input\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	if !strings.Contains(stdout, "basic.txt: stored as run 1") {
		t.Errorf("stdout %q does not report the first file", stdout)
	}
	out := mustRunCLI(t, "--db", db, "runs", "--format", "json")
	var runs []map[string]any
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Errorf("%d runs stored, want 1 (the file before the failure)", len(runs))
	}
}

// TestIngest_goTestJSON pipes `go test -json -bench` output to ingest -.
func TestIngest_goTestJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.sqlite")
	f, err := os.Open("testdata/runs/fib.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	code, stdout, stderr := runCLI(t, f, "--db", db, "ingest", "--label", "branch=main", "-")
	if code != 0 || stdout != "-: stored as run 1: 6 results\n" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	out := mustRunCLI(t, "--db", db, "export", "1")
	if want := "pkg: example.com/fib\n"; !strings.Contains(out, want) || strings.Count(out, "BenchmarkFib/n=") != 6 {
		t.Errorf("export of the JSON run:\n%s", out)
	}
}

// TestIngest_failedFirstFile checks that a first file that fails to
// ingest into a store that does not exist yet creates no store (nor its
// journal files), with the error and warnings a real ingest gives, and
// that a store that exists is never removed.
func TestIngest_failedFirstFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.txt", "")
	binary := write("binary.txt", "BenchmarkA 1 1 ns/op\n\x00\x01\x02\n")
	noResults := write("none.txt", "goos: linux\nPASS\n")
	malformed := write("malformed.txt", "BenchmarkA 1 1 ns/op\nBenchmarkA 1 1x ns/op\n")
	for _, tc := range []struct {
		name       string
		stdin      string
		args       []string
		wantStderr string
	}{
		{"empty", "", []string{empty}, "benchdb: " + empty + ": empty input\n"},
		{"binary", "", []string{binary, "testdata/runs/basic.txt"}, "benchdb: " + binary + ":2: binary data, not benchmark output\n"},
		{"no results", "", []string{noResults}, "no benchmark results"},
		{"strict", "", []string{"--strict", malformed}, "benchdb: " + malformed + ":2: parsing measurement: invalid syntax (--strict)\n"},
		{"stdin", "goos: linux\n", []string{"-"}, "benchdb: -"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "new.sqlite")
			code, stdout, stderr := runCLI(t, strings.NewReader(tc.stdin), append([]string{"--db", db, "ingest"}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tc.wantStderr) || strings.Count(stderr, "\n") > 2 {
				t.Errorf("stderr %q, want %q once", stderr, tc.wantStderr)
			}
			entries, err := os.ReadDir(filepath.Dir(db))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				t.Errorf("%s left behind", e.Name())
			}
		})
	}

	t.Run("existing store kept", func(t *testing.T) {
		// An existing store, even one without runs, is the user's:
		// a failed ingest leaves it where it is.
		db := filepath.Join(t.TempDir(), "old.sqlite")
		if code, _, stderr := runCLI(t, nil, "--db", db, "ingest", empty); code != 2 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		f, err := os.Create(db)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if code, _, stderr := runCLI(t, nil, "--db", db, "ingest", empty); code != 2 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(db); err != nil {
			t.Errorf("existing store: %v", err)
		}
	})

	t.Run("stdin stored once", func(t *testing.T) {
		// A good first file read from standard input is checked, then
		// stored whole into the new store.
		db := filepath.Join(t.TempDir(), "new.sqlite")
		input := "goos: linux\nBenchmarkA-2 10 100 ns/op\nBenchmarkA-2 10 110 ns/op\n"
		code, stdout, stderr := runCLI(t, strings.NewReader(input), "--db", db, "ingest", "-", "testdata/runs/basic.txt")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.HasPrefix(stdout, "-: stored as run 1: 2 results\n") {
			t.Errorf("stdout %q", stdout)
		}
		got := mustRunCLI(t, "--db", db, "export", "1")
		if want := "goos: linux\n\nBenchmarkA-2 10 100 ns/op\nBenchmarkA-2 10 110 ns/op\n"; !strings.HasSuffix(got, strings.TrimPrefix(want, "goos: linux\n")) {
			t.Errorf("export of run 1:\n%s\nwant it to end with the input's results", got)
		}
		runs := mustRunsJSON(t, db)
		if len(runs) != 2 {
			t.Errorf("%d runs, want 2", len(runs))
		}
	})
}

// zeros is an endless stream of NUL bytes that cannot seek (a pipe from
// /dev/zero).
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestIngest_noNewlines: `ingest /dev/zero` and `ingest - < /dev/zero`
// end at once with exit status 2 and a FILE:LINE error, and create no
// store.
func TestIngest_noNewlines(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	t.Setenv("TMPDIR", t.TempDir())
	db := filepath.Join(t.TempDir(), "benchdb.sqlite")
	for _, tt := range []struct {
		file, want string
	}{
		{"/dev/zero", "benchdb: /dev/zero:1: binary data, not benchmark output (NUL bytes, and no newline in the first 65535 bytes)\n"},
		{"-", "benchdb: -:1: binary data, not benchmark output (NUL bytes, and no newline in the first 65535 bytes)\n"},
	} {
		code, stdout, stderr := runCLI(t, zeros{}, "--db", db, "ingest", tt.file)
		if code != 2 || stdout != "" || stderr != tt.want {
			t.Errorf("ingest %s: exit %d, stdout %q, stderr %q; want 2, %q", tt.file, code, stdout, stderr, tt.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a store was created")
	}
	if ents, _ := os.ReadDir(os.Getenv("TMPDIR")); len(ents) > 0 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// TestIngest_duplicateLabels: the same file ingested again with new
// labels adds them to the stored run and says so; a label the run has
// with another value is kept, with a warning.
func TestIngest_duplicateLabels(t *testing.T) {
	db := filepath.Join(t.TempDir(), "benchdb.sqlite")
	mustRunCLI(t, "--db", db, "ingest", "--label", "branch=main", "testdata/runs/basic.txt")
	code, stdout, stderr := runCLI(t, nil, "--db", db, "ingest", "--label", "branch=dev", "--label", "commit=abc", "testdata/runs/basic.txt")
	wantOut := "testdata/runs/basic.txt: already stored as run 1 (9 results); no new run, labels added to run 1: commit=abc\n"
	wantErr := "benchdb: warning: testdata/runs/basic.txt: label branch=dev not applied: run 1 already has branch=main\n"
	if code != 0 || stdout != wantOut || stderr != wantErr {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant 0\n%q\n%q", code, stdout, stderr, wantOut, wantErr)
	}
	runs := mustRunsJSON(t, db)
	if len(runs) != 1 || runs[0].Labels["commit"] != "abc" || runs[0].Labels["branch"] != "main" {
		t.Errorf("runs %+v", runs)
	}
}

// TestReaders_leaveNoFiles: the read-only commands leave the store byte
// for byte and no -wal or -shm file behind.
func TestReaders_leaveNoFiles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "benchdb.sqlite")
	mustRunCLI(t, "--db", db, "ingest", "testdata/runs/basic.txt")
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"runs"}, {"show", "1"}, {"export", "1"}, {"compare", "1"}, {"report", "--format", "json"}} {
		mustRunCLI(t, append([]string{"--db", db}, args...)...)
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(db + suffix); err == nil {
				t.Errorf("%s left %s", args[0], db+suffix)
			}
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("a read-only command changed the store")
	}
}
