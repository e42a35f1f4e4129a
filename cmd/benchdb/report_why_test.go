package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/profdiff/profdifftest"
	"github.com/benchdb/benchdb/store"
)

// TestReport_why checks that a nightly regression whose runs hold
// profiles is explained in the Markdown and HTML reports, and that the
// HTML links to a page of icicle graphs written beside it.
func TestReport_why(t *testing.T) {
	db := mustHistoryDB(t)
	ctx := context.Background()
	sdb, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Night 17 (run 18) made Slow/n=10 25% slower than night 16 (run 17).
	runs, err := sdb.Runs(ctx)
	if err != nil || len(runs) != 20 {
		t.Fatalf("runs: %d, %v", len(runs), err)
	}
	const name = "Slow/n=10"
	old := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000})
	new := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000, "a.BenchmarkSlow|a.extra<b>": 500 * 1000})
	for id, data := range map[int64][]byte{runs[16].ID: old, runs[17].ID: new} {
		err := sdb.AddProfiles(ctx, id, []store.Profile{{Pkg: "example.com/a", Name: name, Kind: "cpu", Iters: 1000, Data: data}}, store.ProfileOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()

	md := mustRunCLI(t, "--db", db, "report", "--format", "markdown", "--now", "2026-03-21T02:00:00Z")
	if !strings.Contains(md, "## Why: functions that grew, from stored profiles") || !strings.Contains(md, "`a.extra<b>` +500ns/op (100% of the profiles' change)") {
		t.Errorf("markdown report lacks the explanation:\n%s", md[max(0, len(md)-800):])
	}
	// The command the report suggests works.
	cmdLine := "benchdb why 17 18 --bench '^BenchmarkSlow$/^n=10$'"
	if !strings.Contains(md, cmdLine) {
		t.Errorf("markdown report does not suggest %s", cmdLine)
	}
	if out := mustRunCLI(t, "--db", db, "why", "17", "18", "--bench", "^BenchmarkSlow$/^n=10$"); !strings.Contains(out, "measured 2.01µs → 2.49µs (+482ns)") || !strings.Contains(out, "  +500ns     103.7%  100.0%        +500ns    103.7%  a.extra<b>") {
		t.Errorf("benchdb why 17 18:\n%s", out)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	mustRunCLI(t, "--db", db, "report", "--now", "2026-03-21T02:00:00Z", "-o", page)
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	h := string(b)
	if !strings.Contains(h, `<a href="report.why.html">`) || !strings.Contains(h, "a.extra&lt;b&gt;") || strings.Contains(h, "a.extra<b>") {
		t.Errorf("HTML report lacks the escaped explanation or the link")
	}
	why, err := os.ReadFile(filepath.Join(filepath.Dir(page), "report.why.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(why), "<svg") || !strings.Contains(string(why), "a.extra&lt;b&gt;") {
		t.Errorf("why page lacks the graph or the escaped name")
	}
}
