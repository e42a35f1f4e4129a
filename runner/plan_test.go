package runner_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

var planNames = []string{
	"BenchmarkSelect/profile=a/pool=8/depth=0",
	"BenchmarkSelect/profile=b/pool=8/depth=0",
	"BenchmarkSelect/profile=c/pool=8/depth=0",
	"BenchmarkScenario/profile=a",
	"BenchmarkScenario/profile=b",
	"BenchmarkScenario/profile=c",
	"BenchmarkDeep/x=1/profile=a",
	"BenchmarkReceive/mode=scan/depth=10",
}

func TestKeyLevels(t *testing.T) {
	if got := runner.KeyLevels("profile", planNames); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("KeyLevels(profile) = %v, want [2 3]", got)
	}
	if got := runner.KeyLevels("profile", planNames[7:]); !slices.Equal(got, []int{2}) {
		t.Errorf("KeyLevels with no profile level = %v, want [2]", got)
	}
}

func TestKeepValues(t *testing.T) {
	all := []string{"a", "b", "c"}
	skip, kept := runner.KeepValues("profile", all, []string{"c", "a"}, planNames)
	if want := "/^profile=(b)$|//^profile=(b)$"; skip != want {
		t.Errorf("skip = %q, want %q", skip, want)
	}
	if !slices.Equal(kept, []string{"a", "c"}) {
		t.Errorf("kept = %v, want [a c] (all's order)", kept)
	}
	n, err := runner.CountMatches(planNames, ".", skip)
	if err != nil || n != 6 {
		t.Errorf("CountMatches(., skip) = %d, %v; want 6 (every name but profile b's)", n, err)
	}
	skip, kept = runner.KeepValues("profile", all, nil, planNames)
	if skip != "" || !slices.Equal(kept, all) {
		t.Errorf("KeepValues(none) = %q, %v; want no pattern and every value", skip, kept)
	}
}

func TestCountMatches(t *testing.T) {
	n, err := runner.CountMatches(planNames, "Scenario", "")
	if err != nil || n != 3 {
		t.Errorf("CountMatches(Scenario) = %d, %v; want 3", n, err)
	}
	if _, err := runner.CountMatches(planNames, "(", ""); err == nil {
		t.Error("CountMatches with a bad pattern: no error")
	}
}
func TestSplitArgs(t *testing.T) {
	tests := []struct {
		args        []string
		pkgs, flags []string
	}{
		{nil, nil, nil},
		{[]string{"./a", "./b"}, []string{"./a", "./b"}, nil},
		{[]string{"./a", "--", "-cpu", "1,2"}, []string{"./a"}, []string{"-cpu", "1,2"}},
		{[]string{"-cpu", "1"}, []string{}, []string{"-cpu", "1"}},
		{[]string{"./a", "-cpu", "1", "--", "x"}, []string{"./a"}, []string{"-cpu", "1", "--", "x"}},
	}
	for _, tt := range tests {
		pkgs, flags := runner.SplitArgs(tt.args)
		if !slices.Equal(pkgs, tt.pkgs) || !slices.Equal(flags, tt.flags) {
			t.Errorf("runner.SplitArgs(%q) = %q, %q; want %q, %q", tt.args, pkgs, flags, tt.pkgs, tt.flags)
		}
	}
}

// planSuites are two Go suites of the module that holds this package and
// one that is not a Go package.
func planSuites(leavesCalled *[]string) []runner.Suite {
	leaves := func(name string, l ...string) func() []string {
		return func() []string { *leavesCalled = append(*leavesCalled, name); return l }
	}
	return []runner.Suite{
		{Name: "recv", ImportPath: "github.com/benchdb/benchdb/suites/receive", Leaves: leaves("recv",
			"BenchmarkReceive/mode=scan/depth=10", "BenchmarkReceive/mode=marker/depth=10")},
		{Name: "sel", ImportPath: "github.com/benchdb/benchdb/suites/selection", Leaves: leaves("sel",
			"BenchmarkSelect/profile=a/depth=0", "BenchmarkSelect/profile=b/depth=0", "BenchmarkSelect/profile=c/depth=0")},
		{Name: "erl"},
	}
}

func TestNewPlan(t *testing.T) {
	base := func(called *[]string) runner.PlanOptions {
		return runner.PlanOptions{
			Dir: ".", Bench: ".", Count: 2, Benchtime: "10ms",
			Builtin: planSuites(called), BuiltinModule: "github.com/benchdb/benchdb",
			Key: "profile", Values: []string{"a", "b", "c"}, CommandOnly: []string{"suite", "profile"},
		}
	}
	tests := []struct {
		name     string
		edit     func(*runner.PlanOptions)
		packages []string
		skip     string
		values   []string
		expected int
		suites   []string // names of Suites and Others
		leaves   []string // suites whose Leaves were called
		defPkgs  bool
	}{
		{name: "every built-in suite in their module", edit: func(*runner.PlanOptions) {},
			packages: []string{"github.com/benchdb/benchdb/suites/receive", "github.com/benchdb/benchdb/suites/selection"},
			values:   []string{"a", "b", "c"}, expected: 10, suites: []string{"recv", "sel"}, leaves: []string{"recv", "sel"}},
		{name: "one suite, two profiles in the registry's order", edit: func(o *runner.PlanOptions) { o.Suites = []string{"sel"}; o.Keep = []string{"c", "a"} },
			packages: []string{"github.com/benchdb/benchdb/suites/selection"}, skip: "/^profile=(b)$",
			values: []string{"a", "c"}, expected: 4, suites: []string{"sel"}, leaves: []string{"sel"}},
		{name: "suite by import path, go test flags", edit: func(o *runner.PlanOptions) {
			o.Args = []string{"github.com/benchdb/benchdb/suites/receive", "--", "-cpu", "1,2"}
		},
			packages: []string{"github.com/benchdb/benchdb/suites/receive"}, values: []string{"a", "b", "c"},
			expected: 0, suites: []string{"recv"}, leaves: []string{"recv"}},
		{name: "a suite that is not a Go package, alone", edit: func(o *runner.PlanOptions) { o.Suites = []string{"erl"} },
			values: []string{"a", "b", "c"}, suites: []string{"erl"}},
		{name: "another module", edit: func(o *runner.PlanOptions) { o.Dir = "testdata/mod" },
			packages: []string{"./..."}, values: []string{"a", "b", "c"}, defPkgs: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called []string
			opts := base(&called)
			tt.edit(&opts)
			plan, err := runner.NewPlan(opts)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range slices.Concat(plan.Suites, plan.Others) {
				names = append(names, s.Name)
			}
			cfg := plan.Config
			if !slices.Equal(cfg.Packages, tt.packages) || cfg.Skip != tt.skip || !slices.Equal(plan.Values, tt.values) ||
				cfg.Expected != tt.expected || !slices.Equal(names, tt.suites) || !slices.Equal(called, tt.leaves) || plan.DefaultPackages != tt.defPkgs {
				t.Errorf("plan: packages %q skip %q values %v expected %d suites %v leaves of %v default %v\nwant packages %q skip %q values %v expected %d suites %v leaves of %v default %v",
					cfg.Packages, cfg.Skip, plan.Values, cfg.Expected, names, called, plan.DefaultPackages,
					tt.packages, tt.skip, tt.values, tt.expected, tt.suites, tt.leaves, tt.defPkgs)
			}
			if cfg.Count != 2 || cfg.Benchtime != "10ms" || cfg.Bench != "." || cfg.Dir != opts.Dir {
				t.Errorf("config %+v does not carry the options", cfg)
			}
		})
	}
}

func TestNewPlan_errors(t *testing.T) {
	tests := []struct {
		edit func(*runner.PlanOptions)
		want string
	}{
		{func(o *runner.PlanOptions) { o.Args = []string{"./x", "--suite", "sel"} }, "flag --suite after the arguments: put benchdb's flags before PKG (go test's may follow)"},
		{func(o *runner.PlanOptions) { o.Args = []string{"./x", "-json"} }, "go test flag -json: benchdb run reads go test -json itself"},
		{func(o *runner.PlanOptions) { o.Count = 0 }, "--count 0: want at least 1"},
		{func(o *runner.PlanOptions) { o.Processes = 2 }, "--processes 2: want 1 to --count (1): each process runs at least one repetition"},
		{func(o *runner.PlanOptions) { o.Processes = -1 }, "--processes -1: want 1 to --count (1): each process runs at least one repetition"},
		{func(o *runner.PlanOptions) { o.Timeout = -1 }, "--timeout -1ns: want 0 (none) or more"},
		{func(o *runner.PlanOptions) { o.Bench = "(" }, "--bench \"(\": level 1: error parsing regexp: missing closing ): `(`"},
		{func(o *runner.PlanOptions) { o.Benchtime = "1y" }, "--benchtime \"1y\": want a duration such as 500ms or a count such as 100x"},
		{func(o *runner.PlanOptions) { o.Dir = "testdata/nope" }, "--dir testdata/nope: no such directory"},
		{func(o *runner.PlanOptions) { o.Suites = []string{"nope"} }, "--suite \"nope\": unknown suite (known: recv, sel, erl)"},
		{func(o *runner.PlanOptions) { o.Keep = []string{"z"} }, "--profile \"z\": unknown profile (known: a, b, c)"},
		{func(o *runner.PlanOptions) { o.Keep = []string{"a"}; o.Args = []string{"-skip", "x"} }, "--profile works through go test -skip: give one or the other"},
	}
	for _, tt := range tests {
		var called []string
		opts := runner.PlanOptions{
			Dir: ".", Bench: ".", Count: 1,
			Builtin: planSuites(&called), BuiltinModule: "github.com/benchdb/benchdb",
			Key: "profile", Values: []string{"a", "b", "c"}, CommandOnly: []string{"suite", "profile"},
		}
		tt.edit(&opts)
		_, err := runner.NewPlan(opts)
		var perr *runner.PlanError
		if !errors.As(err, &perr) || err.Error() != tt.want {
			t.Errorf("NewPlan: %v (%T), want *PlanError %q", err, err, tt.want)
		}
	}
}

func TestExpectFromHistory(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	ingest := func(text string, labels map[string]string) {
		t.Helper()
		if _, err := db.Ingest(ctx, strings.NewReader(text), store.IngestOptions{Name: "in", Labels: labels}); err != nil {
			t.Fatal(err)
		}
	}
	if n := runner.ExpectFromHistory(ctx, db, "run"); n != 0 {
		t.Errorf("empty store: %d, want 0", n)
	}
	ingest("pkg: p\nBenchmarkA 1 1 ns/op\nBenchmarkB 1 1 ns/op\n", map[string]string{runner.LabelArgs: "run"})
	ingest("pkg: p\nBenchmarkA 1 1 ns/op\nBenchmarkB 1 1 ns/op\nBenchmarkC 1 1 ns/op\n"+
		"pkg: "+runner.ProbePackage+"\nBenchmarkProbe 1 1 ns/op\n", map[string]string{runner.LabelArgs: "run"})
	ingest("pkg: p\nBenchmarkA 1 1 ns/op\n", map[string]string{runner.LabelArgs: "run", runner.LabelPartial: "true"})
	ingest("pkg: p\nBenchmarkA 1 2 ns/op\n", map[string]string{runner.LabelArgs: "run other"})
	if n := runner.ExpectFromHistory(ctx, db, "run"); n != 3 {
		t.Errorf("ExpectFromHistory(run) = %d, want 3 (the newest complete run, its probe result left out)", n)
	}
	if n := runner.ExpectFromHistory(ctx, db, "run x"); n != 0 {
		t.Errorf("ExpectFromHistory(run x) = %d, want 0", n)
	}
}
