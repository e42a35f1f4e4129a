//go:build integration

package main

import (
	"context"
	"errors"
	"fmt"
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
