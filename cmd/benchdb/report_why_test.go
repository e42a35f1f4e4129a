package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/benchdb/benchdb/store"
)

// mustCPUProfile writes a CPU profile whose samples are the given stacks
// (frames outermost first, split at "|") with their nanoseconds.
func mustCPUProfile(tb testing.TB, stacks map[string]int64) []byte {
	tb.Helper()
	p := &profile.Profile{
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 1,
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
	}
	locs := map[string]*profile.Location{}
	for stack, v := range stacks {
		frames := strings.Split(stack, "|")
		var ls []*profile.Location
		for i := len(frames) - 1; i >= 0; i-- {
			loc := locs[frames[i]]
			if loc == nil {
				fn := &profile.Function{ID: uint64(len(locs) + 1), Name: frames[i]}
				loc = &profile.Location{ID: fn.ID, Line: []profile.Line{{Function: fn}}}
				locs[frames[i]] = loc
				p.Function = append(p.Function, fn)
				p.Location = append(p.Location, loc)
			}
			ls = append(ls, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: ls, Value: []int64{1, v}})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

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
	old := mustCPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000})
	new := mustCPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000, "a.BenchmarkSlow|a.extra<b>": 500 * 1000})
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
