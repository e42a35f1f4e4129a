package reports_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports"
)

// TestWrite_configChurn checks that writing a comparison whose every
// result comes after a new configuration key does work linear in the
// number of tables times keys: the writers once recomputed every table's
// configuration for every key, cubic in the input, so that 1,500 such
// results took minutes. Allocations are counted, not time.
func TestWrite_configChurn(t *testing.T) {
	const n = 200 // results, each after a new key: n tables of up to n keys
	var b strings.Builder
	b.WriteString("goos: linux\n")
	for i := range n {
		fmt.Fprintf(&b, "key%d: v%d\nBenchmarkGen/case=%d 1 %d ns/op\n", i, i, i, 100+i)
	}
	var src reports.MemSource
	src.AddString(b.String(), "churn.txt", nil, time.Unix(0, 0))
	sel, err := reports.ParseSelector("latest")
	if err != nil {
		t.Fatal(err)
	}
	c, err := reports.Compare(context.Background(), &src, []reports.Selector{sel}, reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tables) != n {
		t.Fatalf("%d tables, want %d", len(c.Tables), n)
	}
	// Computing each table's configuration once costs about n·n/2 key
	// pairs' worth of allocations in all; once per key, n times that.
	limit := float64(n * n * 4)
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"text", func() error { return c.WriteText(io.Discard, reports.TextOptions{}) }},
		{"csv", func() error { return c.WriteCSV(io.Discard, io.Discard, reports.CSVOptions{}) }},
	} {
		allocs := testing.AllocsPerRun(1, func() {
			if err := w.write(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > limit {
			t.Errorf("%s: %.0f allocations for %d tables, want at most %.0f (linear in tables × keys)", w.name, allocs, n, limit)
		}
	}
}
