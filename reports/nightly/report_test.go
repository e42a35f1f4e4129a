package nightly_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// names returns "host name unit" of each change.
func names(cs []*nightly.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Series.Labels["host"]+" "+c.Name+" "+c.Unit)
	}
	slices.Sort(out)
	return out
}

func entries(es []*nightly.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Series.Labels["host"]+" "+e.Name)
	}
	slices.Sort(out)
	return out
}

// history returns a 20-night history on host a with steps at night 17.
func history(seed uint64) nightlytest.Config {
	return nightlytest.Config{
		Seed: seed, Nights: 20, Samples: 5, Start: epoch,
		Labels: map[string]string{"host": "a", "branch": "main"},
		Benchmarks: []nightlytest.Bench{
			{Pkg: "p", Name: "Slower", Unit: "ns/op", Base: 100, CV: 0.01, Step: 0.2, StepNight: 17},
			{Pkg: "p", Name: "Faster", Unit: "ns/op", Base: 100, CV: 0.01, Step: -0.2, StepNight: 17},
			{Pkg: "p", Name: "LessThroughput", Unit: "MB/s", Base: 100, CV: 0.01, Step: -0.2, StepNight: 17},
			{Pkg: "p", Name: "Same", Unit: "ns/op", Base: 100, CV: 0.01},
			{Pkg: "p", Name: "Noisy", Unit: "ns/op", Base: 100, CV: 0.01, Bimodal: 0.3},
			{Pkg: "p", Name: "Added", Unit: "ns/op", Base: 100, CV: 0.01, First: 19},
			{Pkg: "p", Name: "Removed", Unit: "ns/op", Base: 100, CV: 0.01, Last: 17},
			{Pkg: "p", Name: "LongGone", Unit: "ns/op", Base: 100, CV: 0.01, Last: 3},
		},
	}
}

func TestBuild(t *testing.T) {
	src := nightlytest.MustMemSource(t, nightlytest.Generate(history(1)))
	now := epoch.Add(20 * 24 * time.Hour)
	rep, err := nightly.Build(context.Background(), src, nightly.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("regressions", names(rep.Regressions), []string{"a LessThroughput B/s", "a Slower sec/op"})
	check("improvements", names(rep.Improvements), []string{"a Faster sec/op"})
	check("new", entries(rep.New), []string{"a Added"})
	check("missing", entries(rep.Missing), []string{"a Removed"})
	var noisy []string
	for _, n := range rep.Noisy {
		noisy = append(noisy, n.Name)
	}
	check("noisy", noisy, []string{"Noisy"})
	if !rep.Generated.Equal(now) {
		t.Errorf("Generated = %v, want %v", rep.Generated, now)
	}
	if len(rep.Series) != 1 || rep.Series[0].Key() != "branch=main goarch=amd64 goos=linux host=a" || len(rep.Series[0].Runs) != 20 {
		t.Errorf("series = %+v", rep.Series)
	}
	for _, c := range slices.Concat(rep.Regressions, rep.Improvements) {
		wantTime := epoch.Add(17 * 24 * time.Hour)
		if !c.Change.Time.Equal(wantTime) || c.Change.ID != 18 || c.Good.ID != 17 {
			t.Errorf("%s: change at run %d (%v) after %d, want run 18 (%v) after 17", c.Name, c.Change.ID, c.Change.Time, c.Good.ID, wantTime)
		}
		if c.Commit() == "" || c.Commit() != c.Change.Labels["commit"] {
			t.Errorf("%s: commit %q", c.Name, c.Commit())
		}
		want := 20.0
		if c.Name == "Faster" || c.Name == "LessThroughput" {
			want = -20
		}
		if c.Pct < want-3 || c.Pct > want+3 || !(c.LoPct <= c.Pct && c.Pct <= c.HiPct) {
			t.Errorf("%s: %+.1f%% [%+.1f, %+.1f], want about %+.0f%%", c.Name, c.Pct, c.LoPct, c.HiPct, want)
		}
		if c.P > 0.05 || c.RawP > c.P {
			t.Errorf("%s: p %.3g raw %.3g", c.Name, c.P, c.RawP)
		}
		if len(c.History) != 20 || c.ChangeIndex != 17 {
			t.Errorf("%s: history %d points, change at %d", c.Name, len(c.History), c.ChangeIndex)
		}
	}
	// The geomean trend: the two slower and one faster benchmark move it up.
	g := rep.Series[0].Geomean
	if len(g) != 20 || !(g[19] > g[10]*1.02) {
		t.Errorf("geomean trend %v: want night 19 above night 10 by 2%%", g)
	}
}

func TestBuild_Deterministic(t *testing.T) {
	src := nightlytest.MustMemSource(t, nightlytest.Generate(history(2)))
	now := func() time.Time { return epoch }
	a, err := nightly.Build(context.Background(), src, nightly.Options{Now: now, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := nightly.Build(context.Background(), src, nightly.Options{Now: now, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Compare the JSON: the structs hold NaN (no probe), never equal.
	var ja, jb bytes.Buffer
	if err := nightly.WriteJSON(&ja, a); err != nil {
		t.Fatal(err)
	}
	if err := nightly.WriteJSON(&jb, b); err != nil {
		t.Fatal(err)
	}
	if ja.String() != jb.String() || len(a.Regressions) == 0 {
		t.Errorf("two reports of the same history differ, or found nothing:\n%s\n%s", ja.String(), jb.String())
	}
}

func TestBuild_Series(t *testing.T) {
	a := history(3)
	b := history(4)
	b.Labels = map[string]string{"host": "b", "branch": "main"}
	b.Benchmarks = b.Benchmarks[:1]
	b.Benchmarks[0].Step = 0
	src := nightlytest.MustMemSource(t, merge(a, b))
	tests := []struct {
		name   string
		series []string
		want   []string // series keys
		regr   []string
	}{
		{"default", nil, []string{"branch=main goarch=amd64 goos=linux host=a", "branch=main goarch=amd64 goos=linux host=b"}, []string{"a LessThroughput B/s", "a Slower sec/op"}},
		{"by host", []string{"host"}, []string{"host=a", "host=b"}, []string{"a LessThroughput B/s", "a Slower sec/op"}},
		// One series mixing both hosts: Slower alternates between 100
		// and 120 for three nights, which is no clean step.
		{"by branch", []string{"branch"}, []string{"branch=main"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := nightly.Build(context.Background(), src, nightly.Options{Series: tt.series, Now: func() time.Time { return epoch }})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, s := range rep.Series {
				keys = append(keys, s.Key())
			}
			if !slices.Equal(keys, tt.want) {
				t.Errorf("series %q, want %q", keys, tt.want)
			}
			if tt.regr != nil {
				if got := names(rep.Regressions); !slices.Equal(got, tt.regr) {
					t.Errorf("regressions %q, want %q", got, tt.regr)
				}
			}
		})
	}
}

// TestBuild_SeriesCPU: go test pads its cpu line with spaces, which a
// run ingested from its output keeps in its configuration, while
// `benchdb run` labels its runs with the name trimmed. Both are runs of
// one machine and one series.
func TestBuild_SeriesCPU(t *testing.T) {
	var runs []nightlytest.Run
	for i := range 6 {
		text := "cpu: Example CPU @ 2.00GHz   \npkg: example.com/m\nBenchmarkA-2 100 1000 ns/op\nBenchmarkA-2 100 1010 ns/op\n"
		labels := map[string]string{"host": "h"}
		if i%2 == 1 {
			labels["cpu"] = "Example CPU @ 2.00GHz" // as benchdb run labels it
		}
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour), Labels: labels, Text: []byte(text)})
	}
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != 1 || rep.Series[0].Labels["cpu"] != "Example CPU @ 2.00GHz" || len(rep.Series[0].Runs) != 6 {
		for _, s := range rep.Series {
			t.Logf("series %q: %d runs", s.Key(), len(s.Runs))
		}
		t.Errorf("%d series, want one of all 6 runs with cpu=Example CPU @ 2.00GHz", len(rep.Series))
	}
}

func TestBuild_Since(t *testing.T) {
	src := nightlytest.MustMemSource(t, nightlytest.Generate(history(1)))
	last := epoch.Add(19 * 24 * time.Hour)
	tests := []struct {
		name     string
		now      time.Time
		since    time.Duration
		regr     int
		newCount int
	}{
		{"no limit", last, 0, 2, 1},
		{"change inside", last.Add(time.Hour), 3 * 24 * time.Hour, 2, 1},
		{"change before", last.Add(time.Hour), 24 * time.Hour, 0, 1},
		{"series too old", last.Add(48 * time.Hour), 24 * time.Hour, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := nightly.Build(context.Background(), src, nightly.Options{Since: tt.since, Now: func() time.Time { return tt.now }})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Regressions) != tt.regr || len(rep.New) != tt.newCount {
				t.Errorf("%d regressions, %d new; want %d, %d", len(rep.Regressions), len(rep.New), tt.regr, tt.newCount)
			}
		})
	}
}

func TestBuild_Thresholds(t *testing.T) {
	cfg := history(1)
	cfg.Benchmarks = []nightlytest.Bench{
		{Pkg: "p", Name: "Small", Unit: "ns/op", Base: 100, CV: 0.002, Step: 0.03, StepNight: 17},
	}
	src := nightlytest.MustMemSource(t, nightlytest.Generate(cfg))
	for _, tt := range []struct {
		threshold float64
		want      int
	}{{0.05, 0}, {0.02, 1}} {
		t.Run(fmt.Sprint(tt.threshold), func(t *testing.T) {
			rep, err := nightly.Build(context.Background(), src, nightly.Options{Threshold: tt.threshold, Now: func() time.Time { return epoch }})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Regressions) != tt.want {
				t.Errorf("%d regressions of a 3%% step at threshold %v, want %d", len(rep.Regressions), tt.threshold, tt.want)
			}
		})
	}
}

func TestBuild_NoRuns(t *testing.T) {
	src := nightlytest.MustMemSource(t, nil)
	if _, err := nightly.Build(context.Background(), src, nightly.Options{}); !errors.Is(err, nightly.ErrNoRuns) {
		t.Errorf("Build of an empty store: %v, want ErrNoRuns", err)
	}
}

func TestBuild_Zeros(t *testing.T) {
	// Alloc goes from 0 to 1 allocs/op on night 17; NoAlloc stays at 0.
	var runs []nightlytest.Run
	for night := range 20 {
		var b strings.Builder
		b.WriteString("pkg: p\n")
		allocs := 0
		if night >= 17 {
			allocs = 1
		}
		for i := range 5 {
			fmt.Fprintf(&b, "BenchmarkAlloc 1000 %d ns/op 0 B/op %d allocs/op\n", 100+i, allocs)
			fmt.Fprintf(&b, "BenchmarkNoAlloc 1000 %d ns/op 0 B/op 0 allocs/op\n", 50+i)
		}
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(night) * 24 * time.Hour), Labels: map[string]string{"host": "z"}, Text: []byte(b.String())})
	}
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(rep.Regressions); !slices.Equal(got, []string{"z Alloc allocs/op"}) {
		t.Fatalf("regressions %q, want Alloc allocs/op", got)
	}
	if c := rep.Regressions[0]; c.Change.ID != 18 || c.Pct != 100 {
		t.Errorf("change at run %d of %+.1f%%, want run 18 and +100%%", c.Change.ID, c.Pct)
	}
	if len(rep.New)+len(rep.Missing)+len(rep.Noisy)+len(rep.Improvements) != 0 {
		t.Errorf("new %v, missing %v, noisy %v, improvements %v", rep.New, rep.Missing, rep.Noisy, rep.Improvements)
	}
}
