package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/store/storedata"
)

// This file plans a run: its packages (built-in suites or the target
// module's), which levels of the known benchmarks hold a key, the -skip
// pattern that keeps some of its values, and how many results the run
// will report (for the progress total).

// KeyLevels returns the name levels (1 for the top) at which the names
// (full benchmark names, such as "BenchmarkSelect/profile=P/depth=10")
// have a key=value element, in order, or level 2 if none has.
func KeyLevels(key string, names []string) []int {
	var levels []int
	for _, name := range names {
		for i, e := range strings.Split(name, "/") {
			if strings.HasPrefix(e, key+"=") && !slices.Contains(levels, i+1) {
				levels = append(levels, i+1)
			}
		}
	}
	if len(levels) == 0 {
		return []int{2}
	}
	slices.Sort(levels)
	return levels
}

// KeepValues plans a run that keeps only the values keep of a key whose
// values are all: it returns the -skip pattern that skips the other
// values at the levels where the names have the key (SkipValues over
// KeyLevels), and the kept values in all's order. With no keep it returns
// no pattern and every value.
func KeepValues(key string, all, keep, names []string) (skip string, kept []string) {
	if len(keep) == 0 {
		return "", all
	}
	others := slices.DeleteFunc(slices.Clone(all), func(v string) bool { return slices.Contains(keep, v) })
	skip = SkipValues(key, others, KeyLevels(key, names))
	kept = slices.DeleteFunc(slices.Clone(all), func(v string) bool { return slices.Contains(others, v) })
	return skip, kept
}

// CountMatches counts the names (full benchmark names) that go test
// -bench bench -skip skip runs.
func CountMatches(names []string, bench, skip string) (int, error) {
	n := 0
	for _, name := range names {
		ok, err := Matches(bench, skip, name)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// Labels that a planned run records besides those of Labels.
const (
	LabelArgs    = "args"    // the command's arguments, as one shell line
	LabelPartial = "partial" // "true" for a run stored after a failure with what finished
)

// A Suite is what a plan knows of a built-in suite: package suites'
// registry, and suites that are not Go packages (the BEAM harness).
type Suite struct {
	Name string
	// ImportPath is the Go package that go test runs; "" for a suite the
	// caller runs itself (Plan.Others).
	ImportPath string
	// Leaves returns the full names of the suite's leaf benchmarks
	// (suites.Suite.Benchmarks); called only for the suites a plan runs.
	Leaves func() []string
}

// PlanOptions are a run's settings as given on the command line.
type PlanOptions struct {
	Dir string // the target module's directory
	// Args are the command's arguments: packages, then go test flags,
	// which start at "--" (dropped) or at the first argument that starts
	// with "-".
	Args  []string
	Bench string // go test -bench
	Count int
	// Processes splits Count among that many test processes per
	// package (Config.Processes); 0 means one.
	Processes int
	Benchtime string
	Timeout   time.Duration
	// Suites are built-in suites asked for by name.
	Suites []string
	// Builtin are the built-in suites, in the order an error lists them;
	// BuiltinModule is the module of those that are Go packages.
	Builtin       []Suite
	BuiltinModule string
	// Key is a name level, such as "profile", whose values the run may
	// restrict to Keep (all of them when Keep is empty), given by the
	// flag --Key; Values are all of its values, in the order the results
	// compare them.
	Key         string
	Keep        []string
	Values      []string
	CommandOnly []string // the command's own flags, which go test does not have
}

// A Plan is what a run will do, worked out from PlanOptions.
type Plan struct {
	// Config is the go test run (without its Progress and Output). Its
	// Expected is the number of results, when every package is a
	// built-in suite whose leaves are known; otherwise 0.
	Config Config
	// Suites are the built-in suites among the packages, Others those
	// asked for that are not Go packages.
	Suites []Suite
	Others []Suite
	// Values are the values of the key that run, in Values' order.
	Values []string
	// Module is the target module's path. DefaultPackages is set when no
	// package or suite was given outside BuiltinModule, so the plan runs
	// the module's own benchmarks (./...).
	Module          string
	DefaultPackages bool
}

// A PlanError says what is wrong with the PlanOptions, naming the flag or
// argument as the command line gave it.
type PlanError struct{ Msg string }

func (e *PlanError) Error() string { return e.Msg }

func planErrorf(format string, args ...any) error {
	return &PlanError{Msg: fmt.Sprintf(format, args...)}
}

// NewPlan validates opts and works out the run: the packages (the
// suites asked for, or all the built-in ones when nothing is asked for in
// their module), the -skip pattern that keeps the Keep values, and the
// number of results to expect. Errors are *PlanError values.
func NewPlan(opts PlanOptions) (*Plan, error) {
	pkgs, extra := SplitArgs(opts.Args)
	for _, f := range extra {
		if f == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if strings.HasPrefix(f, "-") && slices.Contains(opts.CommandOnly, name) {
			return nil, planErrorf("flag %s after the arguments: put benchdb's flags before PKG (go test's may follow)", f)
		}
	}
	for _, f := range extra {
		if f == "-json" || strings.HasPrefix(f, "-json=") {
			return nil, planErrorf("go test flag %s: benchdb run reads go test -json itself", f)
		}
	}
	if opts.Count < 1 {
		return nil, planErrorf("--count %d: want at least 1", opts.Count)
	}
	if opts.Processes < 0 || opts.Processes > opts.Count {
		return nil, planErrorf("--processes %d: want 1 to --count (%d): each process runs at least one repetition", opts.Processes, opts.Count)
	}
	if opts.Timeout < 0 {
		return nil, planErrorf("--timeout %v: want 0 (none) or more", opts.Timeout)
	}
	if _, err := Matches(opts.Bench, "", "BenchmarkX"); err != nil {
		return nil, planErrorf("--bench %q: %v", opts.Bench, errors.Unwrap(err))
	}
	if bt := opts.Benchtime; bt != "" && !ValidBenchtime(bt) {
		return nil, planErrorf("--benchtime %q: want a duration such as 500ms or a count such as 100x", bt)
	}
	modPath, err := ModulePath(opts.Dir)
	if err != nil {
		return nil, planErrorf("--dir %s: %s", termsafe.Escape(opts.Dir), termsafe.Escape(err.Error()))
	}
	plan := &Plan{Module: modPath}

	byName := map[string]Suite{}
	var known []string
	for _, s := range opts.Builtin {
		byName[s.Name] = s
		known = append(known, s.Name)
	}
	var chosen []Suite
	for _, name := range opts.Suites {
		s, ok := byName[name]
		switch {
		case !ok:
			return nil, planErrorf("--suite %q: unknown suite (known: %s)", name, strings.Join(known, ", "))
		case s.ImportPath == "":
			if !slices.ContainsFunc(plan.Others, func(o Suite) bool { return o.Name == name }) {
				plan.Others = append(plan.Others, s)
			}
		default:
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 && len(pkgs) == 0 && len(plan.Others) == 0 {
		if ownModule(modPath, opts) {
			for _, s := range opts.Builtin {
				if s.ImportPath != "" {
					chosen = append(chosen, s)
				}
			}
		} else {
			// The built-in suites live in their own module; in any
			// other module, run its own benchmarks.
			pkgs = []string{"./..."}
			plan.DefaultPackages = true
		}
	}
	// Built-in suites named by import path count as suites too, so that
	// their progress total and comparison work.
	for _, p := range pkgs {
		i := slices.IndexFunc(opts.Builtin, func(s Suite) bool { return s.ImportPath != "" && s.ImportPath == p })
		if i >= 0 && !slices.ContainsFunc(chosen, func(s Suite) bool { return s.Name == opts.Builtin[i].Name }) {
			chosen = append(chosen, opts.Builtin[i])
		}
	}
	packages := slices.Clone(pkgs)
	for _, s := range chosen {
		if !slices.Contains(packages, s.ImportPath) {
			packages = append(packages, s.ImportPath)
		}
	}
	plan.Suites = chosen

	for _, v := range opts.Keep {
		if !slices.Contains(opts.Values, v) {
			return nil, planErrorf("--%s %q: unknown %s (known: %s)", opts.Key, v, opts.Key, strings.Join(opts.Values, ", "))
		}
	}
	if len(opts.Keep) > 0 && slices.ContainsFunc(extra, func(f string) bool { return f == "-skip" || strings.HasPrefix(f, "-skip=") }) {
		return nil, planErrorf("--%s works through go test -skip: give one or the other", opts.Key)
	}
	var leaves []string
	for _, s := range chosen {
		if s.Leaves != nil {
			leaves = append(leaves, s.Leaves()...)
		}
	}
	// The values are compared in Values' order, whatever Keep's.
	skip, kept := KeepValues(opts.Key, opts.Values, opts.Keep, leaves)
	plan.Values = kept
	plan.Config = Config{
		Dir:       opts.Dir,
		Packages:  packages,
		Bench:     opts.Bench,
		Skip:      skip,
		Count:     opts.Count,
		Processes: opts.Processes,
		Benchtime: opts.Benchtime,
		Timeout:   opts.Timeout,
		Args:      extra,
	}
	// The total is known when every package is a built-in suite.
	if len(chosen) == len(packages) {
		n, err := CountMatches(leaves, opts.Bench, skip)
		if err != nil {
			return nil, planErrorf("--bench %q: %v", opts.Bench, err)
		}
		plan.Config.Expected = n * opts.Count
		if slices.ContainsFunc(extra, func(f string) bool { return f == "-cpu" || strings.HasPrefix(f, "-cpu=") }) {
			plan.Config.Expected = 0 // each benchmark runs once per -cpu value
		}
	}
	return plan, nil
}

// ownModule reports whether modPath is the built-in suites' module.
func ownModule(modPath string, opts PlanOptions) bool {
	for _, s := range opts.Builtin {
		if s.ImportPath != "" && strings.HasPrefix(s.ImportPath, modPath+"/") {
			return true
		}
	}
	return modPath == opts.BuiltinModule
}

// SplitArgs splits a run's arguments into packages and go test flags:
// the flags start at "--" (which is dropped) or at the first argument
// that starts with "-".
func SplitArgs(args []string) (pkgs, flags []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
		if strings.HasPrefix(a, "-") {
			return args[:i], args[i:]
		}
	}
	return args, nil
}

// A History is the part of a store ExpectFromHistory reads; *store.DB
// is one.
type History interface {
	Runs(ctx context.Context) ([]storedata.Run, error)
	ResultReader
}

// ExpectFromHistory returns the number of results, the calibration
// probe's left out, of the newest complete run (not labelled partial)
// stored with LabelArgs args, or 0 when there is none or h cannot be
// read: the progress total of a run of packages whose leaves are not
// known in advance.
func ExpectFromHistory(ctx context.Context, h History, args string) int {
	runs, err := h.Runs(ctx)
	if err != nil {
		return 0
	}
	for _, r := range slices.Backward(runs) {
		if r.Labels[LabelArgs] != args || r.Labels[LabelPartial] != "" {
			continue
		}
		probe := 0
		err := h.Results(ctx, []int64{r.ID}, func(_ int64, res *benchfmt.Result) error {
			if res.GetConfig("pkg") == ProbePackage {
				probe++
			}
			return nil
		})
		if err != nil {
			probe = 0
		}
		return r.Results - probe
	}
	return 0
}
