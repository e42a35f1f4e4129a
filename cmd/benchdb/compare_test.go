package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// mustCompareDB returns the path of a fresh SQLite store holding
// testdata/compare/old.txt as run 1 (branch=main) and new.txt as run 2
// (branch=feature), one minute apart: a copy of one that mustCompareAt
// fills once per test process.
func mustCompareDB(tb testing.TB) string {
	tb.Helper()
	return mustTemplateDB(tb, "bench", func(tb testing.TB, path string) { mustCompareAt(tb, path) })
}

// mustCompareAt stores what mustCompareDB stores in the new store at
// path (a SQLite file or a PostgreSQL address), and returns path.
func mustCompareAt(tb testing.TB, path string) string {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i, in := range []struct{ file, branch string }{{"old.txt", "main"}, {"new.txt", "feature"}} {
		f, err := os.Open(filepath.Join("testdata", "compare", in.file))
		if err != nil {
			tb.Fatal(err)
		}
		_, err = db.Ingest(ctx, f, store.IngestOptions{
			Name:   in.file,
			Labels: map[string]string{"branch": in.branch, "file": in.file},
			Time:   t0.Add(time.Duration(i) * time.Minute),
		})
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

// compareGoldenCases are the compare golden tests, run on the store
// mustCompareDB makes (and on PostgreSQL by TestBackends_CompareGolden).
var compareGoldenCases = []struct {
	name string
	args []string
	code int
}{
	{"default", []string{"old=1", "new=2"}, 0},
	{"latest", []string{"latest~1", "latest"}, 0},
	{"json", []string{"--format", "json", "old=1", "new=2"}, 0},
	{"csv", []string{"--format", "csv", "old=1", "new=2"}, 0},
	{"markdown", []string{"--format", "markdown", "old=1", "new=2"}, 0},
	{"profiles", []string{"--col", "/profile", "--filter", ".name:Select", "latest"}, 0},
	{"label-queries", []string{"--threshold", "5", "--fail-on-regression", "base=branch:main", "pr=branch:feature"}, 1},
	{"label-column", []string{"--col", "branch@(main feature)", "--filter", ".name:Select .unit:sec/op", "branch:(main OR feature)"}, 0},
	{"sort-delta-fdr", []string{"--sort", "delta", "--fdr", "--filter", ".unit:sec/op", "old=1", "new=2"}, 0},
	{"no-match", []string{"1", "branch:nope"}, 2},
	{"no-run", []string{"1", "99"}, 2},
	{"latest-too-far", []string{"latest~2", "latest"}, 2},
	{"unknown-key", []string{"--col", "/nokey", "1", "2"}, 2},
	{"bad-filter", []string{"--filter", "goos:(linux", "1", "2"}, 2},
	{"bad-row", []string{"--row", ".name@bogus", "1", "2"}, 2},
	{"bad-selector", []string{"1", "oops"}, 2},
	{"no-selector", nil, 2},
	{"bad-format", []string{"--format", "xml", "1", "2"}, 2},
	{"flag-after-selectors", []string{"old=1", "new=2", "--format", "json"}, 0},
	{"bad-alpha", []string{"--alpha", "2", "1", "2"}, 2},
	{"duplicate-name", []string{"a=1", "a=2"}, 2},
	{"csv-verdicts", []string{"--format", "csv", "--threshold", "5%", "--filter", ".unit:sec/op", "old=1", "new=2"}, 0},
	{"alpha-zero", []string{"--alpha", "0", "--filter", ".name:Select .unit:sec/op", "old=1", "new=2"}, 0},
	{"confidence-zero", []string{"--confidence", "0", "--filter", ".name:Select .unit:sec/op", "old=1", "new=2"}, 0},
	{"confidence-one", []string{"--confidence", "1", "--filter", ".name:Select .unit:sec/op", "old=1", "new=2"}, 0},
	{"threshold-percent", []string{"--threshold", "5%", "--filter", ".unit:sec/op", "old=1", "new=2"}, 0},
	{"bad-threshold", []string{"--threshold", "5x", "1", "2"}, 2},
	{"col-file", []string{"--col", ".file", "--filter", ".name:Select .unit:sec/op", "old=1", "new=2"}, 0},
	{"col-file-row-sel", []string{"--col", "/profile", "--row", ".file", "--filter", ".name:Select .unit:sec/op /depth:10", "old=1", "new=2"}, 0},
	{"filter-file", []string{"--filter", ".file:new .name:Select .unit:sec/op", "old=1", "new=2"}, 0},
	{"dash-selector", []string{"--filter", ".unit:sec/op .name:Select", "--", "-branch:main", "latest~1"}, 0},
	{"fullname-selector", []string{".fullname:Select/pool=8", "latest"}, 2},
}

func TestCompare_Golden(t *testing.T) {
	db := mustCompareDB(t)
	tests := compareGoldenCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--db", db, "compare"}, tt.args...)
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			stderr = strings.ReplaceAll(stderr, db, "DB")
			got := fmt.Sprintf("$ benchdb compare %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(tt.args, " "), code, stdout, stderr)
			checkGolden(t, filepath.Join("testdata", "compare", tt.name+".golden"), got)
		})
	}
}

// checkGolden compares got with the golden file; on a mismatch it writes
// got beside it as NAME.got (ignored by git), or rewrites the golden
// file with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gotPath := strings.TrimSuffix(path, ".golden") + ".got"
		os.WriteFile(gotPath, []byte(got), 0o644)
		t.Errorf("output differs from %s; see %s\n%s", path, gotPath, got)
	}
}

func TestCompare_MissingDB(t *testing.T) {
	code, _, stderr := runCLI(t, nil, "--db", filepath.Join(t.TempDir(), "none.sqlite"), "compare", "1", "2")
	if code != exitError || !strings.Contains(stderr, "none.sqlite") {
		t.Errorf("exit %d, stderr %q; want 2 and an error naming the file", code, stderr)
	}
}

// TestMain runs the tests and then removes the benchstat binary that
// benchstattest built, if it did, and the template stores.
func TestMain(m *testing.M) {
	code := m.Run()
	benchstattest.Remove()
	removeTemplates()
	os.Exit(code)
}

// TestCompare_MatchesBenchstat runs the real benchstat on the files and
// `benchdb compare` on the same files stored in SQLite: the outputs must
// be identical.
func TestCompare_MatchesBenchstat(t *testing.T) {
	db := mustCompareDB(t)
	dir := filepath.Join("testdata", "compare")
	tests := []struct {
		name      string
		benchstat []string
		benchdb   []string
	}{
		{"old vs new", []string{"old=" + dir + "/old.txt", "new=" + dir + "/new.txt"}, []string{"old=1", "new=2"}},
		{"col profile", []string{"-col", "/profile", "-row", "/depth", dir + "/new.txt"}, []string{"--col", "/profile", "--row", "/depth", "2"}},
		{"ignore and filter", []string{"-ignore", "note", "-filter", "-.name:OldOnly", "new=" + dir + "/new.txt", "old=" + dir + "/old.txt"},
			[]string{"--ignore", "note", "--filter", "-.name:OldOnly", "new=2", "old=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want, errOut bytes.Buffer
			cmd := exec.Command(benchstattest.Path(t), tt.benchstat...)
			cmd.Stdout, cmd.Stderr = &want, &errOut
			if err := cmd.Run(); err != nil {
				t.Fatalf("benchstat: %v\n%s", err, errOut.String())
			}
			code, got, stderr := runCLI(t, nil, append([]string{"--db", db, "compare"}, tt.benchdb...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got != want.String() {
				t.Errorf("benchdb compare differs from benchstat\n--- benchdb\n%s--- benchstat\n%s", got, want.String())
			}
		})
	}
}

func TestCompare_Help(t *testing.T) {
	out := mustRunCLI(t, "compare", "--help")
	for _, want := range []string{"benchdb compare", "Examples:", "--db PATH", "latest~N", "NAME=SEL", "--fail-on-regression", "--threshold PCT"} {
		if !strings.Contains(out, want) {
			t.Errorf("benchdb compare --help lacks %q:\n%s", want, out)
		}
	}
}

// TestCompare_AfterIngest stores files with `benchdb ingest` and
// compares them by label query: the output must be benchstat's on the
// same files.
func TestCompare_AfterIngest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.sqlite")
	dir := filepath.Join("testdata", "compare")
	mustRunCLI(t, "--db", db, "ingest", "--label", "branch=main", "--time", "2026-01-01T00:00:00Z", filepath.Join(dir, "old.txt"))
	mustRunCLI(t, "--db", db, "ingest", "--label", "branch=feature", "--time", "2026-01-02T00:00:00Z", filepath.Join(dir, "new.txt"))
	got := mustRunCLI(t, "--db", db, "compare", "main=branch:main", "feature=latest")
	var want, errOut bytes.Buffer
	cmd := exec.Command(benchstattest.Path(t), "main="+filepath.Join(dir, "old.txt"), "feature="+filepath.Join(dir, "new.txt"))
	cmd.Stdout, cmd.Stderr = &want, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("benchstat: %v\n%s", err, errOut.String())
	}
	if got != want.String() {
		t.Errorf("benchdb compare differs from benchstat\n--- benchdb\n%s--- benchstat\n%s", got, want.String())
	}
}

// TestCompare_NaN compares stored runs holding NaN and ±Inf in every
// format (issue 11: NaN made compare grow to 24 GB): NaN values are left
// out with a footnote or warning, JSON reads back (non-finite numbers
// are null), and a NaN-only baseline gets no delta.
func TestCompare_NaN(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.sqlite")
	var old, new strings.Builder
	for i := range 6 {
		v := fmt.Sprint(100 + i)
		if i%2 == 0 {
			v = "NaN"
		}
		fmt.Fprintf(&old, "BenchmarkA 1 %s ns/op 3 B/op\nBenchmarkB 1 NaN ns/op +Inf B/op\n", v)
		fmt.Fprintf(&new, "BenchmarkA 1 %d ns/op 3 B/op\nBenchmarkB 1 %d ns/op 4 B/op\n", 200+i, 10+i)
	}
	for i, text := range []string{old.String(), new.String()} {
		p := filepath.Join(dir, fmt.Sprint(i, ".txt"))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRunCLI(t, "--db", db, "ingest", "--time", fmt.Sprintf("2026-01-0%dT00:00:00Z", i+1), p)
	}
	text := mustRunCLI(t, "--db", db, "compare", "old=1", "new=2")
	for _, want := range []string{"3 of 6 values are NaN and excluded", "6 of 6 values are NaN and excluded", "NaN"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	js := mustRunCLI(t, "--db", db, "compare", "--format", "json", "old=1", "new=2")
	var out struct {
		Tables []struct {
			Unit string
			Rows []struct {
				Name   string
				Cells  []*struct{ Center *float64 }
				Deltas []*struct{ Pct *float64 }
			}
		}
		Warnings []string
	}
	if err := json.Unmarshal([]byte(js), &out); err != nil {
		t.Fatalf("JSON does not read back: %v\n%s", err, js)
	}
	found := false
	for _, tab := range out.Tables {
		for _, r := range tab.Rows {
			if tab.Unit == "sec/op" && r.Name == "B" {
				found = true
				if r.Cells[0] == nil || r.Cells[0].Center != nil || r.Deltas[1] != nil {
					t.Errorf("sec/op B: baseline %+v, delta %+v; want a null center and no delta", r.Cells[0], r.Deltas[1])
				}
			}
		}
	}
	if !found {
		t.Errorf("no sec/op row B in\n%s", js)
	}
	code, csvOut, csvErr := runCLI(t, nil, "--db", db, "compare", "--format", "csv", "old=1", "new=2")
	if code != 0 || !strings.Contains(csvErr, ": 3 of 6 values are NaN and excluded") || !strings.Contains(csvOut, "NaN") {
		t.Errorf("csv: exit %d\n%s\n%s", code, csvOut, csvErr)
	}
}
