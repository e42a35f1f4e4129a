package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
)

// mustIngestedDB returns a database holding basic.txt (run 1, labelled,
// at a fixed time) and config-change.txt (run 2).
func mustIngestedDB(tb testing.TB) string {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "x.sqlite")
	mustRunCLI(tb, "--db", db, "ingest", "--time", "2026-03-01T10:00:00Z", "--label", "branch=main", "--label", "commit=abc", "testdata/runs/basic.txt")
	mustRunCLI(tb, "--db", db, "ingest", "--time", "2026-03-02T10:00:00.5+01:00", "testdata/runs/config-change.txt")
	return db
}

func TestRuns(t *testing.T) {
	db := mustIngestedDB(t)
	got := mustRunCLI(t, "runs", "--db", db)
	want := "ID  TIME                  RESULTS  LABELS\n" +
		"1   2026-03-01T10:00:00Z  9        branch=main commit=abc\n" +
		"2   2026-03-02T09:00:00Z  9        \n"
	if got != want {
		t.Errorf("text:\n%s\nwant\n%s", got, want)
	}

	out := mustRunCLI(t, "--db", db, "runs", "--format", "json")
	var runs []struct {
		ID      int64             `json:"id"`
		Time    string            `json:"time"`
		Labels  map[string]string `json:"labels"`
		Config  map[string]string `json:"config"`
		Results int               `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2: %s", len(runs), out)
	}
	if r := runs[0]; r.ID != 1 || r.Time != "2026-03-01T10:00:00Z" || r.Labels["commit"] != "abc" || r.Config["pkg"] != "example.com/fib" || r.Results != 9 {
		t.Errorf("run 1: %+v", r)
	}
	if r := runs[1]; r.ID != 2 || r.Time != "2026-03-02T09:00:00.5Z" || r.Labels == nil || len(r.Labels) != 0 || r.Config["note"] != "first" {
		t.Errorf("run 2: %+v", r)
	}

	// A store without runs lists nothing; a missing one is an error,
	// and is not created.
	empty := filepath.Join(t.TempDir(), "empty.sqlite")
	sdb, err := store.Open(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	if err := sdb.Close(); err != nil {
		t.Fatal(err)
	}
	if got := mustRunCLI(t, "--db", empty, "runs", "--format", "json"); got != "[]\n" {
		t.Errorf("no runs: got %q, want []", got)
	}
	if got := mustRunCLI(t, "--db", empty, "runs"); got != "no runs in "+empty+"\n" {
		t.Errorf("no runs, text: got %q", got)
	}
	missing := filepath.Join(t.TempDir(), "missing.sqlite")
	for _, args := range [][]string{{"runs"}, {"show", "1"}, {"export", "1"}} {
		code, stdout, stderr := runCLI(t, nil, append([]string{"--db", missing}, args...)...)
		want := "benchdb: open store " + missing + ": no such file (benchdb ingest creates it; see --db)\n"
		if code != 2 || stdout != "" || stderr != want {
			t.Errorf("%s on a missing store: exit %d, stdout %q, stderr %q", args[0], code, stdout, stderr)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a read command created %s", missing)
	}
}

func TestShow(t *testing.T) {
	db := mustIngestedDB(t)
	out := mustRunCLI(t, "--db", db, "show", "--format", "json", "1")
	var got struct {
		ID         int64  `json:"id"`
		Source     string `json:"source"`
		Benchmarks []struct {
			Pkg, Name, Unit string
			N               int
			Median          float64
			Lo, Hi          *float64
			Min, Max        float64
		} `json:"benchmarks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != 1 || got.Source != "testdata/runs/basic.txt" {
		t.Errorf("id %d source %q", got.ID, got.Source)
	}
	// Fib/n=10: 314.2, 312.9, 318.0 ns/op; Copy: 443.30, 447.17, 435.74 MB/s.
	found := 0
	for _, b := range got.Benchmarks {
		switch {
		case b.Name == "Fib/n=10-2" && b.Unit == "sec/op":
			found++
			if b.N != 3 || b.Median != 314.2e-9 || b.Min != 312.9e-9 || b.Max != 318.0e-9 || b.Pkg != "example.com/fib" || b.Lo != nil || b.Hi != nil {
				t.Errorf("Fib/n=10 sec/op: %+v", b)
			}
		case b.Name == "Copy-2" && b.Unit == "B/s":
			found++
			if b.N != 3 || b.Median != 443.30e6 || b.Min != 435.74e6 || b.Max != 447.17e6 {
				t.Errorf("Copy B/s: %+v", b)
			}
		}
	}
	if found != 2 || len(got.Benchmarks) != 3+3+4 {
		t.Errorf("found %d of 2 checked summaries among %d, want 10 summaries", found, len(got.Benchmarks))
	}

	text := mustRunCLI(t, "--db", db, "show", "1")
	for _, want := range []string{"labels:   branch=main commit=abc", "pkg: example.com/fib", "Fib/n=10-2  sec/op     3  314.2n"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}

	code, _, stderr := runCLI(t, nil, "--db", db, "show", "7")
	if code != 2 || stderr != "benchdb: run 7: no such run\n" {
		t.Errorf("show 7: exit %d, %q", code, stderr)
	}
	if after, before := mustRunCLI(t, "--db", db, "show", "1", "--format", "json"), mustRunCLI(t, "--db", db, "show", "--format", "json", "1"); after != before {
		t.Errorf("show 1 --format json:\n%s\nwant as show --format json 1:\n%s", after, before)
	}
	code, _, stderr = runCLI(t, nil, "--db", db, "show", "x1")
	if code != 2 || stderr != "benchdb: RUN \"x1\": want a run id, latest, latest~N or a label query (see benchdb runs)\n"+
		"usage: benchdb show [options] RUN (benchdb show --help for more)\n" {
		t.Errorf("show x1: exit %d, %q", code, stderr)
	}

	// latest, latest~N and a label query name runs as compare's selectors do.
	for _, tt := range []struct{ sel, id string }{{"latest", "2"}, {"latest~1", "1"}, {"branch:main", "1"}} {
		got := mustRunCLI(t, "--db", db, "show", "--format", "json", tt.sel)
		if want := mustRunCLI(t, "--db", db, "show", "--format", "json", tt.id); got != want {
			t.Errorf("show %s: not run %s:\n%s", tt.sel, tt.id, got)
		}
	}
	code, _, stderr = runCLI(t, nil, "--db", db, "show", "latest~5")
	if code != 2 || stderr != "benchdb: run latest~5: no such run\n" {
		t.Errorf("show latest~5: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCLI(t, nil, "--db", db, "show", "goos:linux")
	if code != 2 || !strings.Contains(stderr, "matches 2 runs; want one") {
		t.Errorf("show goos:linux: exit %d, %q", code, stderr)
	}
}

func TestExport(t *testing.T) {
	db := mustIngestedDB(t)
	out := mustRunCLI(t, "--db", db, "export", "2", "1")
	// Read back: both runs, run 2 first.
	br := benchfmt.NewReader(strings.NewReader(out), "export")
	var names []string
	for br.Scan() {
		switch r := br.Result().(type) {
		case *benchfmt.Result:
			names = append(names, r.GetConfig("pkg")+" "+string(r.Name))
		case *benchfmt.SyntaxError:
			t.Errorf("export: %v", r)
		}
	}
	if len(names) != 18 || names[0] != "example.com/a Scan/depth=100-2" || names[17] != "example.com/fib Copy-2" {
		t.Errorf("exported %d results, first %q, last %q", len(names), names[0], names[len(names)-1])
	}
	if !bytes.HasPrefix([]byte(out), []byte("Unit scanned/op assume=exact\n")) {
		t.Errorf("export does not start with the Unit lines:\n%s", out)
	}
	if got := mustRunCLI(t, "--db", db, "export", "latest", "latest~1", "2"); got != out {
		t.Errorf("export latest latest~1 2: not export 2 1:\n%s", got)
	}
	code, stdout, stderr := runCLI(t, nil, "--db", db, "export", "1", "9")
	if code != 2 || stdout != "" || stderr != "benchdb: export: run 9: no such run\n" {
		t.Errorf("export 1 9: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestShow_NonFinite shows a run whose samples hold NaN and ±Inf: they
// are left out of the summary with a warning, and neither text nor JSON
// holds NaN or Inf where a number goes.
func TestShow_NonFinite(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.sqlite")
	in := filepath.Join(dir, "nan.txt")
	content := "pkg: example.com/nan\n" +
		"BenchmarkMixed 10 NaN hits/op 1 B/op\n" +
		"BenchmarkMixed 10 +Inf hits/op 2 B/op\n" +
		"BenchmarkMixed 10 5 hits/op 3 B/op\n" +
		"BenchmarkMixed 10 7 hits/op -Inf B/op\n" +
		"BenchmarkUndefined 10 NaN hits/op\n" +
		"BenchmarkUndefined 10 NaN hits/op\n"
	if err := os.WriteFile(in, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRunCLI(t, "--db", db, "ingest", in)

	code, out, stderr := runCLI(t, nil, "--db", db, "show", "--format", "json", "1")
	if code != 0 {
		t.Fatalf("show --format json: exit %d: %s", code, stderr)
	}
	var got struct {
		Benchmarks []struct {
			Name, Unit       string
			N                int
			Median, Min, Max *float64
			NonFinite        int `json:"non_finite"`
		} `json:"benchmarks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	type row struct {
		name, unit       string
		n, nonFinite     int
		median, min, max float64 // -1: null
	}
	val := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	var rows []row
	for _, b := range got.Benchmarks {
		rows = append(rows, row{b.Name, b.Unit, b.N, b.NonFinite, val(b.Median), val(b.Min), val(b.Max)})
	}
	want := []row{
		{"Mixed", "hits/op", 2, 2, 6, 5, 7},
		{"Mixed", "B/op", 3, 1, 2, 1, 3},
		{"Undefined", "hits/op", 0, 2, -1, -1, -1},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("summaries\n%+v\nwant\n%+v", rows, want)
	}
	for _, w := range []string{
		"benchdb: warning: Mixed hits/op: 2 of 4 values are NaN or ±Inf, left out of the summary",
		"benchdb: warning: Undefined hits/op: 2 of 2 values are NaN or ±Inf",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}

	code, text, _ := runCLI(t, nil, "--db", db, "show", "1")
	if code != 0 {
		t.Fatalf("show: exit %d", code)
	}
	for _, w := range []string{"2 (+2 NaN/Inf)", "0 (+2 NaN/Inf)"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	if rest := strings.ReplaceAll(text, " NaN/Inf)", ")"); strings.Contains(rest, "NaN") || strings.Contains(rest, "Inf") {
		t.Errorf("text holds a NaN or Inf value:\n%s", text)
	}
	// The store keeps the values as they were.
	if exp := mustRunCLI(t, "--db", db, "export", "1"); !strings.Contains(exp, "NaN hits/op") || !strings.Contains(exp, "+Inf hits/op") {
		t.Errorf("export lost the non-finite values:\n%s", exp)
	}
}
