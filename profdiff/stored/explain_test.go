package stored_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/profdiff/profdifftest"
	"github.com/benchdb/benchdb/profdiff/stored"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storedata"
	"github.com/benchdb/benchdb/store/storetest"
)

// failingProfiles is a store whose Profiles fails.
type failingProfiles struct{ *store.DB }

func (failingProfiles) Profiles(context.Context, int64) ([]storedata.Profile, error) {
	return nil, errors.New("disk on fire")
}

// TestExplain stores two runs with CPU profiles of one benchmark, and a
// profile of another on one run only, and explains four regressions:
// only the one in sec/op of the benchmark profiled on both runs is
// explained, by the function its new profile adds.
func TestExplain(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	var ids []int64
	for _, in := range []string{
		"pkg: example.com/a\nBenchmarkSlow-2 1000 2000 ns/op 16 B/op\nBenchmarkOther-2 1000 10 ns/op\n",
		"pkg: example.com/a\nBenchmarkSlow-2 1000 2500 ns/op 32 B/op\nBenchmarkOther-2 1000 20 ns/op\n",
	} {
		got, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{Name: "in.txt"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	old := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000})
	new := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000, "a.BenchmarkSlow|a.extra": 500 * 1000})
	for i, ps := range [][]store.Profile{
		{{Pkg: "example.com/a", Name: "Slow-2", Kind: store.ProfileCPU, Iters: 1000, Data: old}},
		{{Pkg: "example.com/a", Name: "Slow-2", Kind: store.ProfileCPU, Iters: 1000, Data: new},
			{Pkg: "example.com/a", Name: "Other-2", Kind: store.ProfileCPU, Iters: 1000, Data: new}},
	} {
		if err := db.AddProfiles(ctx, ids[i], ps, store.ProfileOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	reg := func(name, unit string) stored.Regression {
		return stored.Regression{Pkg: "example.com/a", Name: name, Unit: unit, Good: ids[0], Change: ids[1]}
	}
	regs := []stored.Regression{
		reg("Slow-2", "B/op"),      // no allocation profiles
		reg("Slow-2", "allocs/op"), // no profile kind explains it
		reg("Other-2", "sec/op"),   // profiled on the change run only
		reg("Slow-2", "sec/op"),
	}
	got, err := stored.Explain(ctx, db, regs, profdiff.Options{Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d explanations, want 1 (Slow-2 sec/op): %+v", len(got), got)
	}
	e := got[0]
	if e.Regression != regs[3] {
		t.Errorf("regression %+v, want %+v", e.Regression, regs[3])
	}
	c := e.Comparison
	if c.Pkg != "example.com/a" || c.OldName != "Slow-2" || c.NewName != "Slow-2" ||
		len(c.OldRuns) != 1 || c.OldRuns[0] != ids[0] || len(c.NewRuns) != 1 || c.NewRuns[0] != ids[1] {
		t.Errorf("comparison header: %+v", c)
	}
	if len(c.Results) != 1 || len(c.Results[0].Functions) == 0 || c.Results[0].Functions[0].Name != "a.extra" {
		t.Fatalf("results: %+v", c.Results)
	}
	if d := c.Results[0].Functions[0].FlatDelta(); d <= 0 {
		t.Errorf("a.extra grew by %g, want > 0", d)
	}

	if got, err := stored.Explain(ctx, db, regs[:3], profdiff.Options{Top: 3}); err != nil || len(got) != 0 {
		t.Errorf("nothing to explain: %d explanations, err %v; want none", len(got), err)
	}
	if _, err := stored.Explain(ctx, failingProfiles{db}, regs[3:], profdiff.Options{Top: 3}); err == nil || !strings.Contains(err.Error(), "why Slow-2: disk on fire") {
		t.Errorf("unreadable profiles: err = %v, want why Slow-2: disk on fire", err)
	}
}
