package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestSuites_beam checks the BEAM harness's entry in benchdb suites: last,
// with erl required and the leaf benchmarks benchdb run --suite beam
// stores.
func TestSuites_beam(t *testing.T) {
	var got []suiteJSON
	out := mustRunCLI(t, "suites", "--format", "json")
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("suites JSON: %v\n%s", err, out)
	}
	b := got[len(got)-1]
	if b.Name != "beam" || b.Requires != "erl" || b.Package != "github.com/benchdb/benchdb/beam" ||
		!strings.Contains(b.Doc, "benchdb_beam.erl") {
		t.Fatalf("last suite = %+v, want beam requiring erl", b)
	}
	// 2 modes x 5 depths x 2 queues.
	if len(b.Benchmarks) != 20 || b.Benchmarks[0] != "BenchmarkReceive/runtime=beam/mode=scan/depth=0" ||
		b.Benchmarks[19] != "BenchmarkReceive/runtime=beam/mode=marker/depth=1000000/queue=off-heap" {
		t.Errorf("beam benchmarks = %q", b.Benchmarks)
	}
	for _, g := range got[:len(got)-1] {
		if g.Requires != "" {
			t.Errorf("suite %s requires %q", g.Name, g.Requires)
		}
	}
	text := mustRunCLI(t, "suites")
	for _, want := range []string{"beam  github.com/benchdb/benchdb/beam\n", "20 benchmarks (with erl):\n",
		"    BenchmarkReceive/runtime=beam/mode=marker/depth=10000/queue=off-heap\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("suites text lacks %q:\n%s", want, text)
		}
	}
}
