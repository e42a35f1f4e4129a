package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// counts returns the number of runs and of profiles in the store at db.
func counts(tb testing.TB, db string) (runs, profiles int) {
	tb.Helper()
	sdb, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer sdb.Close()
	if err := sdb.QueryRow(`SELECT (SELECT count(*) FROM run), (SELECT count(*) FROM profile)`).Scan(&runs, &profiles); err != nil {
		tb.Fatal(err)
	}
	return runs, profiles
}

func TestWhy_usage(t *testing.T) {
	out := mustRunCLI(t, "why", "--help")
	for _, want := range []string{"benchdb why", "Examples:", "--db PATH", "@BENCH"} {
		if !strings.Contains(out, want) {
			t.Errorf("benchdb why --help lacks %q", want)
		}
	}
	db := filepath.Join(t.TempDir(), "db.sqlite")
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("pkg: p\nBenchmarkF-2 \t 10\t 100 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRunCLI(t, "--db", db, "ingest", in)
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"why", "1"}, "why: want OLD and NEW, got 1 arguments"},
		{[]string{"why", "--kind", "heap", "1", "1"}, `--kind "heap": unknown profile kind "heap"`},
		{[]string{"why", "--top", "0", "1", "1"}, "--top 0: want at least 1"},
		{[]string{"why", "1@Bad(", "1"}, `why: benchmark pattern "Bad(": `},
		{[]string{"why", "9", "1"}, "why: run 9: no such run"},
		{[]string{"why", "1", "1"}, "why: 1 (run 1) holds no profiles"},
		{[]string{"export", "--bench", "X", "1"}, "export: --bench works with --profile only"},
		{[]string{"export", "--profile", "heap", "1"}, `--profile "heap": want cpu or alloc`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db}, tt.args...)...)
		line, ok := errorLine(stderr)
		if code != 2 || !strings.Contains(line, tt.wantErr) || !ok || stdout != "" {
			t.Errorf("benchdb %s: exit %d, stderr %q, stdout %q; want 2 and one line with %q", strings.Join(tt.args, " "), code, stderr, stdout, tt.wantErr)
		}
	}
}
