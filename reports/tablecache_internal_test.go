package reports

import (
	"fmt"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// TestBuilder_indexHint checks the bound on the room index maps are
// made for: after one table of many rows, tables of a few rows each
// (over maxLinearKeys, so each gets an index) are not each made for
// the large one's size. The room made beyond need stays within twice
// the cells, while tables of one size get their size.
func TestBuilder_indexHint(t *testing.T) {
	b, err := NewBuilder(Options{})
	if err != nil {
		t.Fatal(err)
	}
	add := func(pkg string, rows int) {
		r := &benchfmt.Result{Config: []benchfmt.Config{{Key: "pkg", Value: []byte(pkg), File: true}, {Key: SelectorKey, Value: []byte("old")}}}
		for i := range rows {
			r.Name = fmt.Appendf(r.Name[:0], "B%d", i)
			r.Values = []benchfmt.Value{{Value: 1, Unit: "sec/op"}}
			b.Add(r)
		}
	}
	add("big", 10_000)
	if b.presized != 0 {
		t.Fatalf("first table: presized %d, want 0 (no table before it)", b.presized)
	}
	add("same", 10_000)
	if b.presized < 5_000 {
		t.Errorf("a second table of 10,000 rows after one: presized %d, want its size (at least the average, 5,000)", b.presized)
	}
	for i := range 2_000 {
		add(fmt.Sprint("small", i), 20)
	}
	if b.presized > 2*b.cells {
		t.Errorf("presized %d cells for %d cells, want at most twice", b.presized, b.cells)
	}
	if _, err := b.Tables(nil); err != nil {
		t.Fatal(err)
	}
}
