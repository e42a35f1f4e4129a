package stored_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/profdiff/profdifftest"
	"github.com/benchdb/benchdb/profdiff/stored"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

func TestPairProfiles(t *testing.T) {
	p := func(pkg, name string, run int64) store.Profile {
		return store.Profile{RunID: run, Pkg: pkg, Name: name, Kind: store.ProfileCPU}
	}
	// One benchmark each side: paired whatever their names.
	pairs := stored.PairProfiles([]store.Profile{p("a", "X-2", 1)}, []store.Profile{p("a", "Y-2", 2)})
	if len(pairs) != 1 || pairs[0].Old.Name != "X-2" || pairs[0].New.Name != "Y-2" {
		t.Errorf("one each: %+v", pairs)
	}
	// Several: by package and name, sorted; unmatched ones left out.
	pairs = stored.PairProfiles(
		[]store.Profile{p("b", "Z-2", 1), p("a", "X-2", 1), p("a", "Only-2", 1)},
		[]store.Profile{p("a", "X-2", 2), p("b", "Z-2", 2)})
	if len(pairs) != 2 || pairs[0].Old != (stored.Bench{Pkg: "a", Name: "X-2"}) || pairs[1].New != (stored.Bench{Pkg: "b", Name: "Z-2"}) {
		t.Errorf("several: %+v", pairs)
	}
	if pairs := stored.PairProfiles([]store.Profile{p("a", "X-2", 1), p("a", "W-2", 1)}, []store.Profile{p("b", "X-2", 2), p("a", "V-2", 2)}); pairs != nil {
		t.Errorf("nothing in common: %+v", pairs)
	}
}

// TestCompare stores two runs of one benchmark with CPU profiles (and a
// setup profile beside the new one), and compares them: the measured
// cost is the median of the stored sec/op, and the function that the new
// profile adds comes first.
func TestCompare(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	var ids []int64
	for _, in := range []string{
		"pkg: example.com/a\nBenchmarkSlow-2 1000 2000 ns/op\nBenchmarkSlow-2 1000 2100 ns/op\nBenchmarkSlow-2 1000 1900 ns/op\n",
		"pkg: example.com/a\nBenchmarkSlow-2 1000 2500 ns/op\nBenchmarkSlow-2 1000 2400 ns/op\n",
	} {
		got, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{Name: "in.txt"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	old := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000})
	new := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 2000 * 1000, "a.BenchmarkSlow|a.extra": 500 * 1000})
	setup := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 1})
	mustAdd := func(id int64, ps ...store.Profile) {
		t.Helper()
		if err := db.AddProfiles(ctx, id, ps, store.ProfileOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	const name = "Slow-2"
	mustAdd(ids[0], store.Profile{Pkg: "example.com/a", Name: name, Kind: store.ProfileCPU, Iters: 1000, Data: old})
	mustAdd(ids[1], store.Profile{Pkg: "example.com/a", Name: name, Kind: store.ProfileCPU, Iters: 1000, Data: new},
		store.Profile{Pkg: "example.com/a", Name: name, Kind: store.ProfileCPU, Iters: 1, Setup: true, Data: setup})

	var sides [2][]store.Profile
	for i, id := range ids {
		ps, err := db.Profiles(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if !p.Setup {
				sides[i] = append(sides[i], p)
			}
		}
	}
	pairs := stored.PairProfiles(sides[0], sides[1])
	if len(pairs) != 1 {
		t.Fatalf("%d pairs, want 1", len(pairs))
	}
	b := stored.Bench{Pkg: "example.com/a", Name: name}
	s, err := stored.ReadSide(ctx, db, b, pairs[0].NewProfiles, store.ProfileCPU)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Measured-2450e-9) > 1e-12 || len(s.Profiles) != 1 || len(s.Setup) != 1 || s.SetupIters[0] != 1 {
		t.Errorf("new side: measured %g, %d profiles, %d setup; want 2.45µs, 1, 1", s.Measured, len(s.Profiles), len(s.Setup))
	}
	if want := name + " (" + stored.RunsText(ids[1:]) + ")"; s.Label != want {
		t.Errorf("label %q, want %q", s.Label, want)
	}
	if s, _ := stored.ReadSide(ctx, db, b, pairs[0].NewProfiles, store.ProfileAlloc); len(s.Profiles) != 0 || !math.IsNaN(s.Measured) {
		t.Errorf("alloc side of CPU profiles: %d profiles, measured %g; want none, NaN", len(s.Profiles), s.Measured)
	}

	c, err := stored.Compare(ctx, db, pairs[0], []string{store.ProfileCPU, store.ProfileAlloc}, profdiff.Options{Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Results) != 1 || len(c.Results[0].Functions) == 0 || c.Results[0].Functions[0].Name != "a.extra" {
		t.Fatalf("comparison: %+v", c)
	}
	if c.OldRuns[0] != ids[0] || c.NewRuns[0] != ids[1] {
		t.Errorf("runs %v %v, want %d %d", c.OldRuns, c.NewRuns, ids[0], ids[1])
	}
	if _, err := stored.Compare(ctx, db, pairs[0], []string{store.ProfileAlloc}, profdiff.Options{Top: 3}); err == nil || !strings.Contains(err.Error(), "no profile kind in common") {
		t.Errorf("alloc only: err = %v, want no profile kind in common", err)
	}
}

func TestRunsText(t *testing.T) {
	if got := stored.RunsText([]int64{3}); got != "run 3" {
		t.Errorf("RunsText(3) = %q", got)
	}
	if got := stored.RunsText([]int64{3, 4}); got != "runs 3, 4" {
		t.Errorf("RunsText(3, 4) = %q", got)
	}
}

// TestList stores profiles of two benchmarks and both kinds, with a setup
// profile, and lists them by kind and -bench pattern.
func TestList(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	got, err := db.Ingest(ctx, strings.NewReader("pkg: example.com/a\nBenchmarkSlow/n=10-2 1 2 ns/op\nBenchmarkFast-2 1 1 ns/op\n"), store.IngestOptions{Name: "in.txt"})
	if err != nil {
		t.Fatal(err)
	}
	data := profdifftest.CPUProfile(t, map[string]int64{"a.BenchmarkSlow|a.work": 1000})
	var ps []store.Profile
	for _, name := range []string{"Slow/n=10-2", "Fast-2"} {
		for _, kind := range []string{store.ProfileCPU, store.ProfileAlloc} {
			ps = append(ps, store.Profile{Pkg: "example.com/a", Name: name, Kind: kind, Iters: 10, Data: data})
		}
	}
	ps = append(ps, store.Profile{Pkg: "example.com/a", Name: "Fast-2", Kind: store.ProfileCPU, Iters: 1, Setup: true, Data: data})
	if err := db.AddProfiles(ctx, got.ID, ps, store.ProfileOptions{}); err != nil {
		t.Fatal(err)
	}
	names := func(ps []store.Profile) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.Kind+" "+p.Name)
		}
		return strings.Join(s, ", ")
	}
	for _, tt := range []struct {
		kinds   []string
		benches []string
		want    int
		has     string
	}{
		{nil, nil, 4, ""},
		{[]string{store.ProfileCPU}, nil, 2, ""},
		{[]string{store.ProfileCPU}, []string{"Slow/n=10"}, 1, "cpu Slow/n=10-2"},
		{nil, []string{"Fast", ""}, 2, "alloc Fast-2"},
		{nil, []string{"Fast", "Slow"}, 0, ""},
	} {
		ps, err := stored.List(ctx, db, []int64{got.ID}, tt.kinds, tt.benches...)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != tt.want || !strings.Contains(names(ps), tt.has) {
			t.Errorf("List(%v, %q) = [%s], want %d profiles with %q", tt.kinds, tt.benches, names(ps), tt.want, tt.has)
		}
		for _, p := range ps {
			if p.Setup {
				t.Errorf("List(%v, %q) lists a setup profile", tt.kinds, tt.benches)
			}
		}
	}
}
