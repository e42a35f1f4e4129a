package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/beam"
)

// TestCompare_runtimeColumn stores the Go receive suite's results and the
// real BEAM's side by side and checks that compare --col /runtime puts
// them in the same rows: the on-heap BEAM row beside the Go row of the
// same name, off-heap in a row of its own.
func TestCompare_runtimeColumn(t *testing.T) {
	h, err := beam.Find()
	if errors.Is(err, beam.ErrNoErl) {
		t.Skipf("skipping: %v", err)
	}
	defer h.Close()
	out, err := h.Receive(context.Background(), beam.ReceiveOptions{Depths: []int{1000}, Modes: []string{beam.ModeScan}, Benchtime: time.Millisecond, Count: 6})
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The Go suite's output, as go test writes it on this machine; its
	// -N suffix is GOMAXPROCS, the BEAM's its schedulers (equal on a
	// machine where neither is set).
	var goOut strings.Builder
	fmt.Fprintf(&goOut, "goos: %s\ngoarch: %s\npkg: %s\n", runtime.GOOS, runtime.GOARCH, beam.ReceivePackage)
	if cpu := strings.SplitN(string(out), "cpu: ", 2); len(cpu) == 2 {
		fmt.Fprintf(&goOut, "cpu: %s\n", strings.SplitN(cpu[1], "\n", 2)[0])
	}
	for i := range 6 {
		fmt.Fprintf(&goOut, "BenchmarkReceive/mode=scan/depth=1000-%d\t100000\t%d ns/op\n", v.Schedulers, 2100+i)
	}
	db := filepath.Join(t.TempDir(), "b.sqlite")
	mustRunCLI(t, "--db", db, "ingest", "--label", "side=go", writeTemp(t, "go.txt", goOut.String()))
	mustRunCLI(t, "--db", db, "ingest", "--label", "side=beam", writeTemp(t, "beam.txt", string(out)))
	stdout := mustRunCLI(t, "--db", db, "compare", "--col", "/runtime", "--format", "csv", "side:go OR side:beam")
	var row, offHeap string
	for line := range strings.Lines(stdout) {
		if strings.HasPrefix(line, fmt.Sprintf("Receive/mode=scan/depth=1000-%d,", v.Schedulers)) && row == "" {
			row = line
		}
		if strings.Contains(line, "queue=off-heap") && offHeap == "" {
			offHeap = line
		}
	}
	if row == "" || strings.Count(row, ",") < 3 {
		t.Fatalf("no row with both runtimes in:\n%s", stdout)
	}
	if offHeap == "" {
		t.Errorf("no off-heap row in:\n%s", stdout)
	}
	if !strings.Contains(stdout, "beam") {
		t.Errorf("no beam column in:\n%s", stdout)
	}
}

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
