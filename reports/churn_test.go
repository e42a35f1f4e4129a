package reports_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/reports"
)

// TestBuilder_configChurn: results that each bring a new configuration
// key make one table each of ever more keys; the Builder stops at its
// bound with an error naming --table instead of holding keys quadratic
// in the input.
func TestBuilder_configChurn(t *testing.T) {
	b, err := reports.NewBuilder(reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cfg []benchfmt.Config
	const n = 2200 // 2.4 million key fields in all
	for i := range n {
		cfg = append(cfg, benchfmt.Config{Key: fmt.Sprintf("key%d", i), Value: []byte("v"), File: true})
		r := &benchfmt.Result{Config: cfg, Name: benchfmt.Name("BenchmarkX"), Iters: 1, Values: []benchfmt.Value{{Value: 1, Unit: "sec/op"}}}
		b.Add(r)
	}
	_, err = b.Tables(nil)
	var oe *reports.OptionError
	if !errors.As(err, &oe) || oe.Option != "table" || !strings.Contains(err.Error(), "more than a comparison holds") {
		t.Fatalf("Tables: %v; want an --table error about the bound", err)
	}

	// Tables by a fixed key are not bounded by it.
	b, err = reports.NewBuilder(reports.Options{Table: "key0", Col: "key1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg[:0]
	for i := range 500 {
		cfg = append(cfg, benchfmt.Config{Key: fmt.Sprintf("key%d", i), Value: []byte("v"), File: true})
		b.Add(&benchfmt.Result{Config: cfg, Name: benchfmt.Name("BenchmarkX"), Iters: 1, Values: []benchfmt.Value{{Value: 1, Unit: "sec/op"}}})
	}
	if _, err := b.Tables(nil); err != nil {
		t.Fatalf("--table key0: %v", err)
	}
}
