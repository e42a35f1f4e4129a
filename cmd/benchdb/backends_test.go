package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// TestBackends_CompareGolden runs every compare golden case on a
// PostgreSQL store holding the runs mustCompareDB stores: the output is
// the golden file, byte for byte, as on SQLite (TestCompare_Golden).
func TestBackends_CompareGolden(t *testing.T) {
	if *update {
		t.Skip("-update rewrites the goldens from SQLite only")
	}
	addr := mustCompareAt(t, storetest.PostgresAddr(t))
	for _, tt := range compareGoldenCases {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append([]string{"--db", addr, "compare"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			stderr = strings.ReplaceAll(stderr, store.RedactAddress(addr), "DB")
			got := fmt.Sprintf("$ benchdb compare %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(tt.args, " "), code, stdout, stderr)
			path := filepath.Join("testdata", "compare", tt.name+".golden")
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				gotPath := filepath.Join("testdata", "compare", tt.name+".postgres.got")
				os.WriteFile(gotPath, []byte(got), 0o644)
				t.Errorf("output on PostgreSQL differs from %s; see %s", path, gotPath)
			}
		})
	}
}

// backendCommands are run on stores holding the same runs on each
// backend; their outputs must be identical.
var backendCommands = map[string][][]string{
	// mustHistoryDB's 20 nights.
	"history": {
		{"report", "--now", "2026-03-21T02:00:00Z"},
		{"report", "--now", "2026-03-21T02:00:00Z", "--format", "html"},
		{"report", "--now", "2026-03-21T02:00:00Z", "--format", "json"},
		{"report", "--now", "2026-03-21T02:00:00Z", "--format", "markdown", "--since", "5d", "--series", "branch"},
		{"report", "--now", "2026-03-21T02:00:00Z", "--format", "json", "--baseline", "5", "--threshold", "10%"},
		{"runs"},
		{"runs", "--format", "json"},
		{"show", "18"},
		{"show", "--format", "json", "latest"},
		{"export", "1", "17", "18", "20"},
		{"compare", "latest~3", "latest"},
		{"compare", "--format", "json", "old=host:ci-1", "new=latest"},
		{"compare", "--format", "csv", "latest~5", "latest"},
		{"compare", "--format", "markdown", "--filter", ".unit:sec/op", "latest~1", "latest"},
	},
	// testdata/runs: configuration changes, go test -json, labels.
	"runs": {
		{"runs"},
		{"runs", "--format", "json"},
		{"show", "1"},
		{"show", "--format", "json", "2"},
		{"show", "3"},
		{"export", "1", "2", "3"},
		{"compare", "1", "2"},
		{"compare", "--format", "json", "branch:main", "latest"},
	},
}

// fillRunsStore ingests testdata/runs into the store at addr.
func fillRunsStore(tb testing.TB, addr string) {
	tb.Helper()
	mustRunCLI(tb, "--db", addr, "ingest", "--time", "2026-03-01T10:00:00Z", "--label", "branch=main", "--label", "commit=abc", "testdata/runs/basic.txt")
	mustRunCLI(tb, "--db", addr, "ingest", "--time", "2026-03-02T10:00:00.5+01:00", "testdata/runs/config-change.txt")
	mustRunCLI(tb, "--db", addr, "ingest", "--time", "2026-03-03T10:00:00Z", "--label", "branch=main", "testdata/runs/fib.json")
}

// TestBackends_SameOutput runs show, runs, export, compare and report in
// every format on a SQLite store and on a PostgreSQL one holding the same
// runs: ingested the same way (testdata/runs), or copied with benchdb
// copy (the 20-night history). Every output is byte for byte the same.
func TestBackends_SameOutput(t *testing.T) {
	pgAddr := storetest.PostgresAddr
	for _, tc := range []struct {
		name string
		fill func(tb testing.TB) (sqlite, pg string)
	}{
		{"runs", func(tb testing.TB) (string, string) {
			s, p := filepath.Join(tb.TempDir(), "runs.sqlite"), pgAddr(tb)
			fillRunsStore(tb, s)
			fillRunsStore(tb, p)
			return s, p
		}},
		{"history", func(tb testing.TB) (string, string) {
			s, p := mustHistoryDB(tb), pgAddr(tb)
			mustRunCLI(tb, "copy", s, p)
			return s, p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sqlite, pg := tc.fill(t)
			for _, args := range backendCommands[tc.name] {
				t.Run(strings.Join(args, " "), func(t *testing.T) {
					sc, sout, serr := runCLI(t, nil, append([]string{"--db", sqlite}, args...)...)
					pc, pout, perr := runCLI(t, nil, append([]string{"--db", pg}, args...)...)
					serr = strings.ReplaceAll(serr, sqlite, "DB")
					perr = strings.ReplaceAll(perr, store.RedactAddress(pg), "DB")
					if sc != 0 || len(sout) < 20 {
						t.Errorf("on SQLite: exit %d, %d bytes out\n%s", sc, len(sout), serr)
					}
					if sc != pc || sout != pout || serr != perr {
						dir := t.TempDir()
						os.WriteFile(filepath.Join(dir, "sqlite"), []byte(sout), 0o644)
						os.WriteFile(filepath.Join(dir, "postgres"), []byte(pout), 0o644)
						t.Errorf("outputs differ: exit %d and %d, stderr %q and %q; diff %s/sqlite %s/postgres", sc, pc, serr, perr, dir, dir)
						t.Logf("first difference at byte %d:\nsqlite:   %.200q\npostgres: %.200q", firstDiff(sout, pout), sout[min(firstDiff(sout, pout), len(sout)):], pout[min(firstDiff(sout, pout), len(pout)):])
					}
				})
			}
		})
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
