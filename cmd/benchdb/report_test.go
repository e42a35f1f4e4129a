package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
	"github.com/benchdb/benchdb/store"
)

var reportEpoch = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// mustHistoryDB returns a new SQLite file holding a generated 20-night
// history, ingested with `benchdb ingest --time` (fillHistoryDB, once per
// test process: each test gets a copy). On night 17 Slow gets 25% slower,
// Rate 20% slower (fewer MB/s) and Quick 20% faster; the benchmark named
// with HTML gets 30% slower.
func mustHistoryDB(tb testing.TB) string {
	tb.Helper()
	return mustTemplateDB(tb, "history", fillHistoryDB)
}

// fillHistoryDB ingests mustHistoryDB's history into a new store at db.
func fillHistoryDB(tb testing.TB, db string) {
	tb.Helper()
	cfg := nightlytest.Config{
		Seed: 11, Nights: 20, Samples: 5, Start: reportEpoch,
		Labels: map[string]string{"host": "ci-1", "branch": "main"},
		Benchmarks: []nightlytest.Bench{
			{Pkg: "example.com/a", Name: "Slow/n=10", Unit: "ns/op", Base: 2000, CV: 0.01, Step: 0.25, StepNight: 17},
			{Pkg: "example.com/a", Name: "Quick", Unit: "ns/op", Base: 500, CV: 0.01, Step: -0.2, StepNight: 17},
			{Pkg: "example.com/a", Name: "Rate", Unit: "MB/s", Base: 900, CV: 0.01, Step: -0.2, StepNight: 17},
			{Pkg: "example.com/a", Name: "Steady", Unit: "ns/op", Base: 700, CV: 0.02},
			{Pkg: "example.com/a", Name: "<script>alert(1)</script>", Unit: "ns/op", Base: 100, CV: 0.01, Step: 0.3, StepNight: 17},
			{Pkg: "example.com/b", Name: "Fresh", Unit: "ns/op", Base: 100, CV: 0.01, First: 19},
			{Pkg: "example.com/b", Name: "Dropped", Unit: "ns/op", Base: 100, CV: 0.01, Last: 18},
		},
	}
	dir := tb.TempDir()
	for i, r := range nightlytest.Generate(cfg) {
		file := filepath.Join(dir, fmt.Sprintf("night%02d.txt", i))
		if err := os.WriteFile(file, r.Text, 0o644); err != nil {
			tb.Fatal(err)
		}
		args := []string{"--db", db, "ingest", "--time", r.Time.Format(time.RFC3339)}
		for _, k := range []string{"host", "branch", "commit"} {
			args = append(args, "--label", k+"="+r.Labels[k])
		}
		mustRunCLI(tb, append(args, file)...)
	}
}

type reportJSON struct {
	Generated string `json:"generated"`
	Series    []struct {
		Labels map[string]string `json:"labels"`
		Runs   int               `json:"runs"`
	} `json:"series"`
	Regressions  []changeJSON     `json:"regressions"`
	Improvements []changeJSON     `json:"improvements"`
	Noisy        []map[string]any `json:"noisy"`
	New          []map[string]any `json:"new"`
	Missing      []map[string]any `json:"missing"`
}

type changeJSON struct {
	Benchmark  string            `json:"benchmark"`
	Package    string            `json:"package"`
	Unit       string            `json:"unit"`
	Series     map[string]string `json:"series"`
	Pct        float64           `json:"pct"`
	LoPct      float64           `json:"lo_pct"`
	HiPct      float64           `json:"hi_pct"`
	P          float64           `json:"p"`
	ChangeRun  int64             `json:"change_run"`
	ChangeTime string            `json:"change_time"`
	Commit     *string           `json:"commit"`
}

func TestReport_JSON(t *testing.T) {
	db := mustHistoryDB(t)
	out := mustRunCLI(t, "--db", db, "report", "--format", "json", "--now", "2026-03-21T02:00:00Z")
	var rep reportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Generated != "2026-03-21T02:00:00Z" {
		t.Errorf("generated %q", rep.Generated)
	}
	if len(rep.Series) != 1 || rep.Series[0].Runs != 20 || rep.Series[0].Labels["host"] != "ci-1" || rep.Series[0].Labels["goos"] != "linux" {
		t.Errorf("series %+v", rep.Series)
	}
	var regr []string
	for _, c := range rep.Regressions {
		regr = append(regr, c.Benchmark+" "+c.Unit)
		if c.ChangeRun != 18 || c.ChangeTime != "2026-03-18T02:00:00Z" || c.Commit == nil || !strings.HasPrefix(*c.Commit, "c0017") {
			t.Errorf("%s: change at run %d %s commit %v, want run 18 of night 17", c.Benchmark, c.ChangeRun, c.ChangeTime, c.Commit)
		}
		if c.Package != "example.com/a" || c.Series["branch"] != "main" || !(c.LoPct <= c.Pct && c.Pct <= c.HiPct) || c.P > 0.05 {
			t.Errorf("%+v", c)
		}
	}
	want := "<script>alert(1)</script> sec/op,Slow/n=10 sec/op,Rate B/s" // largest first
	if got := strings.Join(regr, ","); got != want {
		t.Errorf("regressions %s, want %s", got, want)
	}
	if len(rep.Improvements) != 1 || rep.Improvements[0].Benchmark != "Quick" || rep.Improvements[0].Pct > -15 {
		t.Errorf("improvements %+v", rep.Improvements)
	}
	if len(rep.New) != 1 || rep.New[0]["benchmark"] != "Fresh" || len(rep.Missing) != 1 || rep.Missing[0]["benchmark"] != "Dropped" {
		t.Errorf("new %v, missing %v", rep.New, rep.Missing)
	}
}

func TestReport_Exit(t *testing.T) {
	db := mustHistoryDB(t)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"regressions without the flag", nil, 0},
		{"regressions with the flag", []string{"--fail-on-regression"}, 1},
		{"nothing new since", []string{"--fail-on-regression", "--since", "1d", "--now", "2026-03-25T00:00:00Z"}, 0},
		{"threshold above every change", []string{"--fail-on-regression", "--threshold", "40%"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db, "report"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if !strings.HasPrefix(stdout, "# Benchmark report") {
				t.Errorf("the report was not written (Markdown is the default):\n%.300s", stdout)
			}
			if tt.code == 1 && !strings.Contains(stderr, "regression found: 3 benchmarks") {
				t.Errorf("stderr %q", stderr)
			}
		})
	}
}

func TestReport_Output(t *testing.T) {
	db := mustHistoryDB(t)
	dir := t.TempDir()
	tests := []struct {
		file, format, prefix string
	}{
		{"r.html", "", "<!DOCTYPE html>"},
		{"r.json", "", "{\n  \"generated\""},
		{"r.md", "", "# Benchmark report"},
		{"r.html.txt", "html", "<!DOCTYPE html>"},
		{"other.json", "markdown", "# Benchmark report"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			args := []string{"--db", db, "report", "-o", path, "--fail-on-regression"}
			if tt.format != "" {
				args = append(args, "--format", tt.format)
			}
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != 1 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
			}
			if !strings.Contains(stderr, "wrote "+path+": 3 regressions, 1 improvement") {
				t.Errorf("stderr %q", stderr)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), tt.prefix) {
				t.Errorf("%s starts %.40q, want %q", tt.file, b, tt.prefix)
			}
		})
	}
}

func TestReport_Series(t *testing.T) {
	db := mustHistoryDB(t)
	out := mustRunCLI(t, "--db", db, "report", "--format", "json", "--series", "branch, host")
	var rep reportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != 1 || len(rep.Series[0].Labels) != 2 || rep.Series[0].Labels["host"] != "ci-1" {
		t.Errorf("series %+v, want labels branch and host only", rep.Series)
	}
}

func TestReport_BadInput(t *testing.T) {
	db := mustHistoryDB(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--threshold", "abc"}, "--threshold"},
		{[]string{"--threshold", "0"}, "--threshold"},
		{[]string{"--since", "-1d"}, "--since"},
		{[]string{"--since", "soon"}, "--since"},
		{[]string{"--alpha", "2"}, "--alpha"},
		{[]string{"--baseline", "0"}, "--baseline"},
		{[]string{"--series", " , "}, "--series"},
		{[]string{"--format", "pdf"}, "--format"},
		{[]string{"--now", "yesterday"}, "--now"},
		{[]string{"--confirm", "-1"}, "--confirm"},
		{[]string{"--confirm", "101"}, "--confirm"},
		{[]string{"--confirm", "1e9"}, "confirm"},
		{[]string{"--confirm", "1", "--dir", t.TempDir()}, "--dir"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.sqlite")}, "none.sqlite"},
		{[]string{"-o", filepath.Join(t.TempDir(), "no", "such", "dir.html")}, "-o "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, append([]string{"--db", db, "report"}, tt.args...)...)
			if line, ok := errorLine(stderr); code != 2 || !strings.Contains(line, tt.want) || !ok {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %s", code, stderr, tt.want)
			}
		})
	}
	empty := filepath.Join(t.TempDir(), "empty.sqlite")
	// An empty store: read commands such as runs do not create one.
	edb, err := store.Open(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	edb.Close()
	if code, _, stderr := runCLI(t, nil, "--db", empty, "report"); code != 2 || !strings.Contains(stderr, "no runs stored") {
		t.Errorf("empty store: exit %d, %q", code, stderr)
	}
}
