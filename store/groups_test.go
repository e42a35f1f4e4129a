package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// groupsInput returns benchmark output that exercises ResultGroups:
// interleaved benchmarks whose values tidy to other units in the middle
// of a group (0, ±Inf, NaN, -0 ns/op), a change of units, configuration
// lines between results, a benchmark with more results than one
// result_group row holds, more benchmarks than an ingest keeps open, and
// a configuration line before each of a run of results.
func groupsInput() string {
	var sb strings.Builder
	sb.WriteString(`goos: linux
pkg: example.com/a
BenchmarkA 1 10 ns/op 5 B/op
BenchmarkB 1 0 ns/op 5 B/op
BenchmarkA 1 0 ns/op 5 B/op
BenchmarkB 1 20 ns/op 6 MB/s
BenchmarkA 1 30 ns/op 5 B/op
BenchmarkC 1 +Inf ns/op
BenchmarkA 1 NaN ns/op 5 B/op
BenchmarkA 1 -0 ns/op 5 B/op
BenchmarkC 1 40 ns/op
BenchmarkA 1 50 ns/op 5 B/op
BenchmarkA 1 -Inf ns/op 7 B/op
BenchmarkD 1 60 ns/op 0 MB/s
pkg: example.com/b
BenchmarkA 1 11 ns/op 5 B/op
`)
	for i := range 300 {
		fmt.Fprintf(&sb, "BenchmarkE/k=%d 1 %d ns/op %d B/op\n", i%2, 100+i%7, i%3)
	}
	for i := range 25 {
		for range 10 {
			fmt.Fprintf(&sb, "BenchmarkG/n=%d 1 %d ns/op\n", i, 1000+i)
		}
	}
	sb.WriteString("label: x\n")
	for i := range 1100 {
		fmt.Fprintf(&sb, "BenchmarkF/i=%d 1 %d ns/op\n", i, i)
	}
	for i := range 20 {
		fmt.Fprintf(&sb, "iteration: %d\nBenchmarkH/k=%d 1 %d ns/op\n", i, i%3, i)
	}
	sb.WriteString("iteration:\nBenchmarkH/k=0 1 0 ns/op\nBenchmarkA 1 12 ns/op 5 B/op\n")
	return sb.String()
}

// flatResult is one result in a form that both ways of reading give.
type flatResult struct {
	run    int64
	config string
	name   string
	values []benchfmt.Value // Value, Unit and OrigUnit only
}

func (f flatResult) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "run %d [%s] %s", f.run, f.config, f.name)
	for _, v := range f.values {
		fmt.Fprintf(&sb, " %v %s(%s)", v.Value, v.Unit, v.OrigUnit)
	}
	return sb.String()
}

// tokens are what a consumer of f sees for the first time, possibly:
// its run, its name, its configuration values and its units.
func (f flatResult) tokens() []string {
	out := []string{fmt.Sprint("run ", f.run), "name " + f.name, "config " + f.config}
	for _, v := range f.values {
		out = append(out, "unit "+v.Unit)
	}
	return out
}

func configString(cfg []benchfmt.Config) string {
	var parts []string
	for _, c := range cfg {
		parts = append(parts, fmt.Sprintf("%s=%s/%v", c.Key, c.Value, c.File))
	}
	return strings.Join(parts, " ")
}

// firstSeen returns the tokens of rs in the order they are first seen.
func firstSeen(rs []flatResult) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		for _, t := range r.tokens() {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// byName returns the results of each run and name, in order.
func byName(rs []flatResult) map[string][]string {
	m := map[string][]string{}
	for _, r := range rs {
		k := fmt.Sprint(r.run, " ", r.name)
		m[k] = append(m[k], r.String())
	}
	return m
}

func TestDB_ResultGroups(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	input := groupsInput()
	var ids []int64
	for i := range 2 {
		// Two runs with different values, so that both are stored.
		text := input
		if i == 1 {
			text = strings.ReplaceAll(input, " 10 ns/op", " 13 ns/op")
		}
		got, err := db.Ingest(ctx, strings.NewReader(text), store.IngestOptions{Name: fmt.Sprint("run", i), Time: time.Unix(int64(i), 0)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	ids = append(ids, ids[0]) // a run read twice

	var want []flatResult
	err := db.Results(ctx, ids, func(id int64, r *benchfmt.Result) error {
		f := flatResult{run: id, config: configString(r.Config), name: string(r.Name)}
		for _, v := range r.Values {
			f.values = append(f.values, benchfmt.Value{Value: v.Value, Unit: v.Unit, OrigUnit: v.OrigUnit})
		}
		want = append(want, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var (
		got     []flatResult
		groups  int
		longest int
		gens    = map[int]string{}
	)
	err = db.ResultGroups(ctx, ids, func(id int64, g *store.ResultGroup) error {
		groups++
		longest = max(longest, g.N)
		if len(g.Units) != len(g.OrigUnits) || len(g.Values) != g.N*len(g.Units) || g.N < 1 {
			t.Fatalf("group %s: %d units, %d original units, %d values for %d results", g.Name, len(g.Units), len(g.OrigUnits), len(g.Values), g.N)
		}
		cfg := configString(g.Config)
		if c, ok := gens[g.ConfigGen]; ok && c != cfg {
			t.Errorf("ConfigGen %d is [%s] and [%s]", g.ConfigGen, c, cfg)
		}
		gens[g.ConfigGen] = cfg
		for k := range g.N {
			f := flatResult{run: id, config: cfg, name: string(g.Name)}
			for j, u := range g.Units {
				f.values = append(f.values, benchfmt.Value{Value: g.Values[k*len(g.Units)+j], Unit: u, OrigUnit: g.OrigUnits[j]})
			}
			got = append(got, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("ResultGroups gave %d results, Results %d", len(got), len(want))
	}
	// The same results of each benchmark, in the same order.
	gm, wm := byName(got), byName(want)
	for k, w := range wm {
		if g := gm[k]; !slices.Equal(g, w) {
			t.Errorf("%s: ResultGroups gave\n\t%s\nResults gave\n\t%s", k, strings.Join(g, "\n\t"), strings.Join(w, "\n\t"))
		}
	}
	// Every run, name, configuration and unit first seen in the same
	// order.
	if g, w := firstSeen(got), firstSeen(want); !slices.Equal(g, w) {
		t.Errorf("first seen in ResultGroups:\n\t%s\nin Results:\n\t%s", strings.Join(g, "\n\t"), strings.Join(w, "\n\t"))
	}
	// The groups hold the -count repetitions of a benchmark together.
	if longest < 10 || groups > len(want)-1000 {
		t.Errorf("%d groups for %d results, the longest of %d: results are not grouped", groups, len(want), longest)
	}
}

func TestDB_ResultGroups_errors(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	got, err := db.Ingest(ctx, strings.NewReader(groupsInput()), store.IngestOptions{Name: "in"})
	if err != nil {
		t.Fatal(err)
	}
	err = db.ResultGroups(ctx, []int64{got.ID, got.ID + 1}, func(int64, *store.ResultGroup) error { return nil })
	if !errors.Is(err, store.ErrNoRun) {
		t.Errorf("ResultGroups of a missing run: %v, want ErrNoRun", err)
	}
	stop := errors.New("stop")
	n := 0
	err = db.ResultGroups(ctx, []int64{got.ID}, func(int64, *store.ResultGroup) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("ResultGroups stopped after %d groups with %v, want 3 and %v", n, err, stop)
	}
}
