package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/suites"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// Labels that benchdb run records besides runner.Labels.
const (
	labelArgs    = "args"    // the command's arguments
	labelPartial = "partial" // "true" for a run stored with --partial after a failure
)

// profileKey is the benchmark name level that holds a version profile.
const profileKey = "profile"

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run benchmarks with go test, store the run, and compare the profiles",
		ArgsUsage: "[PKG...] [-- GO TEST FLAGS...]",
		Description: `Run runs

   go test -run '^$' -bench REGEX -benchmem [-count N] [-benchtime D] [FLAGS] PKG...

in the target module (--dir, default the current directory), shows its
progress on standard error, and stores the output as one run, as
"benchdb ingest" would. Without PKG it runs the built-in suites (see
"benchdb suites"); --suite picks some of them. Anything after "--" (or
from the first argument that starts with "-") is passed to go test.

--profile restricts the benchmarks that have a profile=P level (see
"benchdb profiles") to the given profiles; benchmarks without that level
still run. It works with -skip: benchdb skips the other profiles' levels,
so --bench still selects freely.

The run is stored with labels that say where it ran: commit, branch and
dirty (of the target module's git work tree; untracked files do not make it
dirty), goversion, goos, goarch, cpu, cores, gomaxprocs, host, kernel, and
args (the command's arguments). --label adds labels; a --label with the
same key as one of those wins, so that a build outside git can say which
commit it is. The label partial is benchdb's own and cannot be set.

Afterwards it prints the run's id and, when the built-in suites ran, the
profile comparison (benchdb compare --col /profile over the new run) and
the outcome of BenchmarkScenario per profile, when that suite ran.

A build failure, a failing or panicking benchmark, --timeout, or Ctrl+C
stops the run with exit status 2 and stores nothing. With --partial, the
results that finished are stored, labelled partial=true.

Examples:

   benchdb run                                   # the built-in suites, every profile
   benchdb run --profile elixir-1.5.1 --profile roundrobin --count 5
   benchdb run --suite receive --bench 'Receive/mode=scan' -v
   benchdb run --dir ~/src/myproject --count 10 ./... -- -cpu 1,2
   benchdb run --suite selection --bench 'depth=100000' --pprof cpu,alloc   # then: benchdb why

--pprof cpu,alloc profiles each benchmark that ran once more, alone, with
-test.cpuprofile and -test.memprofile, for a fixed iteration count that
lasts about --pprof-time, and stores the profiles with the run (see
benchdb why and benchdb export --profile). Profiled runs are not used for
timing. A profile over --pprof-max-size stops the command with exit
status 2 before anything is stored.`,
		Flags: withStore([]cli.Flag{
			&cli.StringSliceFlag{Name: "profile", Usage: "run only version profile `P` of the profile-keyed benchmarks (repeatable)", Category: catFilter},
			&cli.StringSliceFlag{Name: "suite", Usage: "run built-in suite `S` (repeatable; default: all, when no PKG is given)", Category: catFilter},
			&cli.StringFlag{Name: "bench", Usage: "go test -bench `REGEX`", Value: runner.DefaultBench, Category: catFilter},
			&cli.IntFlag{Name: "count", Usage: "go test -count `N`: repetitions of each benchmark", Value: defaultRunCount, Category: catRun},
			&cli.StringFlag{Name: "benchtime", Usage: "go test -benchtime `D`, such as 1s or 100x", Value: defaultBenchtime, Category: catRun},
			&cli.DurationFlag{Name: "timeout", Usage: "stop the run after `D` (build included); 0 for none", Value: defaultRunTimeout, Category: catRun},
			&cli.StringFlag{Name: "dir", Usage: "run go test in `DIR`, the target module", Value: ".", Category: catRun},
			&cli.BoolFlag{Name: "probe", Usage: "record the machine's speed (benchdb/probe) before and after the run, for report", Value: true, Category: catRun},
			&cli.BoolFlag{Name: "partial", Usage: "after a failure, store the results that finished, labelled partial=true", Category: catStore},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show the benchmark output as it arrives", Category: catOutput},
			labelFlag("store the run with label `KEY=VALUE` (repeatable)"),
		}, remoteFlags(), pprofFlags()),
		Action: runAction,
	}
}

// Defaults of benchdb run, chosen so that the built-in suites finish in a
// few minutes on two cores with enough samples for a comparison.
const (
	defaultRunCount   = 6 // benchmath needs 6 samples for a 95% confidence interval
	defaultBenchtime  = "100ms"
	defaultRunTimeout = 30 * time.Minute
)

// runPlan is what benchdb run will do, worked out from its flags.
type runPlan struct {
	cfg      runner.Config
	suites   []suites.Suite // the built-in suites among the packages
	profiles []string       // --profile values, or every profile
	labels   map[string]string
	user     map[string]string // the --label values
	beam     bool              // --suite beam: the BEAM harness too
}

func runAction(c *cli.Context) error {
	plan, err := planRun(c)
	if err != nil {
		return err
	}
	if c.String("server") != "" {
		return runRemote(c, plan)
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()

	if plan.cfg.Expected == 0 {
		plan.cfg.Expected = expectFromHistory(c.Context, db, plan.labels[labelArgs])
	}
	printer := runner.NewPrinter(c.App.ErrWriter, runner.IsTerminal(c.App.ErrWriter))
	plan.cfg.Progress = printer.Update
	if c.Bool("verbose") {
		plan.cfg.Output = printer.Passthrough(c.App.Writer)
	}
	start := time.Now()
	if !plan.beam || len(plan.cfg.Packages) > 0 {
		fmt.Fprintf(c.App.ErrWriter, "benchdb: running %s\n", termsafe.Escape(shellJoin(runner.CommandLine(plan.cfg))))
	}

	var res *runner.Result
	var probed int
	var runErr error
	if plan.beam && len(plan.cfg.Packages) == 0 {
		res, runErr = runBeamOnly(c.Context, plan, c.App.ErrWriter)
		if runErr == nil && res.Results == 0 {
			return nil // skipped: erl is absent, and said so
		}
	} else {
		res, probed, runErr = runProbed(c, plan.cfg)
		if runErr == nil && plan.beam {
			out, n, err := runBeamSuite(c.Context, plan.cfg.Count, plan.cfg.Benchtime, c.App.ErrWriter)
			if err != nil {
				return err
			}
			res.Output = append(res.Output, out...)
			res.Results += n
		}
	}
	printer.Clear()
	if res != nil {
		for _, warn := range res.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "benchdb: warning: %s\n", termsafe.Escape(warn))
		}
	}
	if runErr != nil {
		return keepPartial(c, db, plan, res, runErr, start)
	}
	if res.Results == 0 {
		return fmt.Errorf("run: no benchmark results: -bench %q matched nothing in %s", plan.cfg.Bench, strings.Join(plan.cfg.Packages, " "))
	}
	profiles, err := profileRun(c, plan.cfg, res)
	if err != nil {
		return err
	}
	setCPULabel(plan.labels, plan.user, res.Output)
	got, err := db.Ingest(c.Context, bytes.NewReader(res.Output), store.IngestOptions{
		Name: "go test", Labels: plan.labels, Time: start,
	})
	if err != nil {
		return fmt.Errorf("store the run: %w", err)
	}
	w := c.App.Writer
	if got.DuplicateOf != 0 {
		fmt.Fprintf(w, "the same output is already stored as run %d; nothing stored\n", got.DuplicateOf)
	} else {
		fmt.Fprintf(w, "stored run %d: %s from %s in %s\n",
			got.ID, plural(got.Results-probed, "result"), packageCount(res.Packages), res.Elapsed.Round(time.Second))
	}
	for _, warn := range got.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "benchdb: warning: %s\n", termsafe.Lines(warn.Error()))
	}
	if err := storeProfiles(c, db, got, profiles); err != nil {
		return err
	}
	if len(plan.suites) == 0 {
		return nil
	}
	return printProfiles(c.Context, w, db, got.ID, plan.profiles)
}

// planRun validates the flags and arguments and works out what to run.
func planRun(c *cli.Context) (*runPlan, error) {
	pkgs, extra := splitRunArgs(c.Args().Slice())
	for _, f := range extra {
		if f == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if strings.HasPrefix(f, "-") && slices.Contains(runOnlyFlags, name) {
			return nil, usagef("flag %s after the arguments: put benchdb's flags before PKG (go test's may follow)", f)
		}
	}
	for _, f := range extra {
		if f == "-json" || strings.HasPrefix(f, "-json=") {
			return nil, usagef("go test flag %s: benchdb run reads go test -json itself", f)
		}
	}
	if err := checkPprofFlags(c); err != nil {
		return nil, err
	}
	count := c.Int("count")
	if count < 1 {
		return nil, usagef("--count %d: want at least 1", count)
	}
	if c.Duration("timeout") < 0 {
		return nil, usagef("--timeout %v: want 0 (none) or more", c.Duration("timeout"))
	}
	bench := c.String("bench")
	if _, err := runner.Matches(bench, "", "BenchmarkX"); err != nil {
		return nil, usagef("--bench %q: %v", bench, errors.Unwrap(err))
	}
	if bt := c.String("benchtime"); bt != "" && !runner.ValidBenchtime(bt) {
		return nil, usagef("--benchtime %q: want a duration such as 500ms or a count such as 100x", bt)
	}

	dir := c.String("dir")
	modPath, err := runner.ModulePath(dir)
	if err != nil {
		return nil, usagef("--dir %s: %s", termsafe.Escape(dir), termsafe.Escape(err.Error()))
	}
	var chosen []suites.Suite
	suiteNames, withBeam := splitBeamSuite(c.StringSlice("suite"))
	for _, name := range suiteNames {
		s, err := suites.Lookup(name)
		if err != nil {
			return nil, usagef("--suite %q: unknown suite (known: %s, %s)", name, strings.Join(suites.Names(), ", "), beamSuite)
		}
		chosen = append(chosen, s)
	}
	if len(chosen) == 0 && len(pkgs) == 0 && !withBeam {
		if ownModule(modPath) {
			for _, name := range suites.Names() {
				s, _ := suites.Lookup(name)
				chosen = append(chosen, s)
			}
		} else {
			// The built-in suites live in benchdb's own module; in any
			// other module, run its own benchmarks.
			pkgs = []string{"./..."}
			fmt.Fprintf(c.App.ErrWriter, "benchdb: no PKG given: running the benchmarks of module %s (./... in %s)\n",
				termsafe.Escape(modPath), termsafe.Escape(dir))
		}
	}
	// Built-in suites named by import path count as suites too, so that
	// their progress total and profile comparison work.
	bySuitePath := map[string]suites.Suite{}
	for _, name := range suites.Names() {
		s, _ := suites.Lookup(name)
		bySuitePath[s.ImportPath()] = s
	}
	for _, p := range pkgs {
		if s, ok := bySuitePath[p]; ok && !slices.Contains(chosen, s) {
			chosen = append(chosen, s)
		}
	}
	packages := slices.Clone(pkgs)
	for _, s := range chosen {
		if !slices.Contains(packages, s.ImportPath()) {
			packages = append(packages, s.ImportPath())
		}
	}

	all := profiles.Names()
	only := c.StringSlice("profile")
	for _, p := range only {
		if !slices.Contains(all, p) {
			return nil, usagef("--profile %q: unknown profile (known: %s)", p, strings.Join(all, ", "))
		}
	}
	if len(only) > 0 && slices.ContainsFunc(extra, func(f string) bool { return f == "-skip" || strings.HasPrefix(f, "-skip=") }) {
		return nil, usagef("--profile works through go test -skip: give one or the other")
	}
	leaves := leafNames(chosen)
	// The profiles are compared in the registry's order, whatever the
	// flags' order.
	skip, compared := runner.KeepValues(profileKey, all, only, leaves)

	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return nil, err
	}
	if _, ok := labels[labelPartial]; ok {
		return nil, usagef("--label %s=...: the label %s is benchdb's own (see --partial)", labelPartial, labelPartial)
	}
	cfg := runner.Config{
		Dir:       dir,
		Packages:  packages,
		Bench:     bench,
		Skip:      skip,
		Count:     count,
		Benchtime: c.String("benchtime"),
		Timeout:   c.Duration("timeout"),
		Args:      extra,
	}
	// Labels found from the run's context come first; the user's win.
	labels2 := runner.Labels(c.Context, cfg.Go, cfg.Dir, cfg.Env)
	labels2[labelArgs] = shellJoin(commandArgs(c))
	maps.Copy(labels2, labels)

	// The total is known when every package is a built-in suite.
	if len(chosen) == len(packages) {
		n, err := runner.CountMatches(leaves, bench, skip)
		if err != nil {
			return nil, usagef("--bench %q: %v", bench, err)
		}
		cfg.Expected = n * count
		if slices.ContainsFunc(extra, func(f string) bool { return f == "-cpu" || strings.HasPrefix(f, "-cpu=") }) {
			cfg.Expected = 0 // each benchmark runs once per -cpu value
		}
	}
	return &runPlan{cfg: cfg, suites: chosen, profiles: compared, labels: labels2, user: labels, beam: withBeam}, nil
}

// builtinModule is the module that holds the built-in suites.
const builtinModule = "github.com/benchdb/benchdb"

// ownModule reports whether modPath is benchdb's own module, where the
// built-in suites are.
func ownModule(modPath string) bool {
	for _, name := range suites.Names() {
		if s, err := suites.Lookup(name); err == nil && strings.HasPrefix(s.ImportPath(), modPath+"/") {
			return true
		}
	}
	return modPath == builtinModule
}

// runOnlyFlags are benchdb run's flags that go test does not have; after
// the packages they are a mistake, not go test flags.
var runOnlyFlags = []string{"profile", "suite", "partial", "label", "dir", "db", "server", "token-file", "pprof", "pprof-time", "pprof-max-size"}

// splitRunArgs splits benchdb run's arguments into packages and go test
// flags: the flags start at "--" (which is dropped) or at the first
// argument that starts with "-".
func splitRunArgs(args []string) (pkgs, flags []string) {
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

// leafNames returns the full names of the suites' leaf benchmarks.
func leafNames(ss []suites.Suite) []string {
	var names []string
	for _, s := range ss {
		for _, b := range s.Benchmarks() {
			names = append(names, b.Name)
		}
	}
	return names
}

// expectFromHistory returns the result count of the newest complete run
// stored with the same args label, or 0.
func expectFromHistory(ctx context.Context, db *store.DB, args string) int {
	runs, err := db.Runs(ctx)
	if err != nil {
		return 0
	}
	for _, r := range slices.Backward(runs) {
		if r.Labels[labelArgs] == args && r.Labels[labelPartial] == "" {
			return r.Results - probeResults(ctx, db, r.ID)
		}
	}
	return 0
}

// setCPULabel sets the cpu label to the first "cpu:" configuration line
// of out, the name the testing package reports, so that the label and the
// results' configuration agree. A --label cpu=... given by the user stays.
func setCPULabel(labels, user map[string]string, out []byte) {
	if _, ok := user[runner.LabelCPU]; ok {
		return
	}
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(line, "cpu:"); ok {
			if v = strings.TrimSpace(v); v != "" {
				labels[runner.LabelCPU] = v
			}
			return
		}
	}
}

// commandArgs returns the arguments of the command line from the command
// name on, such as ["run", "--profile", "roundrobin"]: the arguments the
// app's context holds after the global flags.
func commandArgs(c *cli.Context) []string {
	for _, cc := range c.Lineage()[1:] {
		if args := cc.Args(); args.Len() > 0 && args.First() == c.Command.Name {
			return args.Slice()
		}
	}
	return append([]string{c.Command.Name}, c.Args().Slice()...)
}

// runProbed runs the benchmarks, with the calibration probe unless
// --probe=false, and returns how many probe results the output holds.
func runProbed(c *cli.Context, cfg runner.Config) (*runner.Result, int, error) {
	if !c.Bool("probe") {
		res, err := runner.Run(c.Context, cfg)
		return res, 0, err
	}
	return runner.RunProbed(c.Context, cfg, runner.ProbeConfig{})
}

// keepPartial reports a failed run and, with --partial, stores what
// finished. It returns the error that makes the exit status 2.
func keepPartial(c *cli.Context, db *store.DB, plan *runPlan, res *runner.Result, runErr error, start time.Time) error {
	msg := "run incomplete: " + runErr.Error()
	if !c.Bool("partial") {
		n := resultCount(res)
		return fmt.Errorf("%s\nnothing stored (with --partial, the %s that finished would be)", msg, plural(n, "result"))
	}
	if res == nil || res.Results == 0 {
		return fmt.Errorf("%s\nnothing stored: no results finished", msg)
	}
	labels := maps.Clone(plan.labels)
	labels[labelPartial] = "true"
	setCPULabel(labels, plan.user, res.Output)
	// After Ctrl+C the command's context is cancelled; storing what
	// finished must not be.
	ctx := context.WithoutCancel(c.Context)
	got, err := db.Ingest(ctx, bytes.NewReader(res.Output), store.IngestOptions{
		Name: "go test", Labels: labels, Time: start,
	})
	if err != nil {
		return fmt.Errorf("%s\nstore the partial run: %w", msg, err)
	}
	return fmt.Errorf("%s\nstored the %s that finished as run %d, labelled partial=true", msg, plural(got.Results, "result"), got.ID)
}

func resultCount(res *runner.Result) int {
	if res == nil {
		return 0
	}
	return res.Results
}

// packageCount says how many packages ran, such as "3 packages".
func packageCount(pkgs []runner.Package) string {
	return plural(len(pkgs), "package")
}

// shellJoin joins args into one line a shell would split back the same
// way, quoting where needed.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}
