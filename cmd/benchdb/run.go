package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/suites"

	"github.com/benchdb/benchdb/internal/shellword"
	"github.com/benchdb/benchdb/internal/termsafe"
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

--processes N splits the --count repetitions of each benchmark among N
test processes per package, run one after another in rounds (each round
runs every package once). By default each repetition runs in a process
of its own, up to 6: the default --count 6 runs six rounds of -count 1.
Repetitions in one process share its placement (memory layout, the CPU
it runs on, what shares its caches), which moves all of them together,
so a run's level varies from run to run far more than its samples show;
samples from several processes show that part of the noise, and their
level averages it out (see the README: on a shared 2-core machine, five
samples from five processes varied from night to night about half as
much as five from one). Each round starts go test again, a second or
two more per round; --processes 1 runs one go test, as go test -count
does.

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
			&cli.IntFlag{Name: "processes", Usage: "split the --count repetitions among `N` test processes per package, run one after another (1 to --count; see above)", DefaultText: "--count, at most " + strconv.Itoa(maxDefaultProcesses), Category: catRun},
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
	defaultRunCount = 6 // benchmath needs 6 samples for a 95% confidence interval
	// maxDefaultProcesses bounds --processes when it is not given: each
	// repetition in a process of its own, up to this many (each round
	// starts go test again).
	maxDefaultProcesses = 6
	defaultBenchtime    = "100ms"
	defaultRunTimeout   = 30 * time.Minute
)

// runPlan is what benchdb run will do, worked out from its flags.
type runPlan struct {
	*runner.Plan
	labels map[string]string // the run's labels: its context's, then the user's
	user   map[string]string // the --label values
	beam   bool              // --suite beam: the BEAM harness too
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

	if plan.Config.Expected == 0 {
		plan.Config.Expected = runner.ExpectFromHistory(c.Context, db, plan.labels[runner.LabelArgs])
	}
	printer := runner.NewPrinter(c.App.ErrWriter, runner.IsTerminal(c.App.ErrWriter))
	plan.Config.Progress = printer.Update
	if c.Bool("verbose") {
		plan.Config.Output = printer.Passthrough(c.App.Writer)
	}
	start := time.Now()
	if !plan.beam || len(plan.Config.Packages) > 0 {
		fmt.Fprintf(c.App.ErrWriter, "benchdb: running %s%s\n", termsafe.Escape(shellword.Join(runner.CommandLine(plan.Config))), runner.RoundsNote(plan.Config))
	}

	var res *runner.Result
	var probed int
	var runErr error
	if plan.beam && len(plan.Config.Packages) == 0 {
		res, runErr = runBeamOnly(c.Context, plan, c.App.ErrWriter)
		if runErr == nil && res.Results == 0 {
			return nil // skipped: erl is absent, and said so
		}
	} else {
		res, probed, runErr = runProbed(c, plan.Config)
		if runErr == nil && plan.beam {
			out, n, err := runBeamSuite(c.Context, plan.Config.Count, plan.Config.Benchtime, c.App.ErrWriter)
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
		return fmt.Errorf("run: no benchmark results: -bench %q matched nothing in %s", plan.Config.Bench, strings.Join(plan.Config.Packages, " "))
	}
	profiles, err := profileRun(c, plan.Config, res)
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
	if len(plan.Suites) == 0 {
		return nil
	}
	return printProfiles(c.Context, w, db, got.ID, plan.Values)
}

// planRun reads the flags and arguments and asks runner.NewPlan what to
// run.
func planRun(c *cli.Context) (*runPlan, error) {
	if err := checkPprofFlags(c); err != nil {
		return nil, err
	}
	plan, err := runner.NewPlan(runner.PlanOptions{
		Dir:           c.String("dir"),
		Args:          c.Args().Slice(),
		Bench:         c.String("bench"),
		Count:         c.Int("count"),
		Processes:     runProcesses(c),
		Benchtime:     c.String("benchtime"),
		Timeout:       c.Duration("timeout"),
		Suites:        c.StringSlice("suite"),
		Builtin:       builtinSuites(),
		BuiltinModule: builtinModule,
		Key:           profileKey,
		Keep:          c.StringSlice("profile"),
		Values:        profiles.Names(),
		CommandOnly:   runOnlyFlags,
	})
	var perr *runner.PlanError
	if errors.As(err, &perr) {
		return nil, usagef("%s", perr.Msg)
	}
	if err != nil {
		return nil, err
	}
	if plan.DefaultPackages {
		fmt.Fprintf(c.App.ErrWriter, "benchdb: no PKG given: running the benchmarks of module %s (./... in %s)\n",
			termsafe.Escape(plan.Module), termsafe.Escape(plan.Config.Dir))
	}
	user, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return nil, err
	}
	if _, ok := user[runner.LabelPartial]; ok {
		return nil, usagef("--label %s=...: the label %s is benchdb's own (see --partial)", runner.LabelPartial, runner.LabelPartial)
	}
	// Labels found from the run's context come first; the user's win.
	labels := runner.Labels(c.Context, plan.Config.Go, plan.Config.Dir, plan.Config.Env)
	labels[runner.LabelArgs] = shellword.Join(commandArgs(c))
	maps.Copy(labels, user)
	return &runPlan{Plan: plan, labels: labels, user: user, beam: len(plan.Others) > 0}, nil
}

// builtinModule is the module that holds the built-in suites.
const builtinModule = "github.com/benchdb/benchdb"

// builtinSuites describes the suites registry, then the BEAM harness, for
// runner.NewPlan.
func builtinSuites() []runner.Suite {
	var out []runner.Suite
	for _, name := range suites.Names() {
		s, _ := suites.Lookup(name)
		out = append(out, runner.Suite{Name: name, ImportPath: s.ImportPath(), Leaves: func() []string {
			var names []string
			for _, b := range s.Benchmarks() {
				names = append(names, b.Name)
			}
			return names
		}})
	}
	return append(out, runner.Suite{Name: beamSuite})
}

// runProcesses returns --processes, or when it is not given one process
// per repetition, up to maxDefaultProcesses.
func runProcesses(c *cli.Context) int {
	if c.IsSet("processes") {
		return c.Int("processes")
	}
	return min(max(c.Int("count"), 1), maxDefaultProcesses)
}

// runOnlyFlags are benchdb run's flags that go test does not have; after
// the packages they are a mistake, not go test flags.
var runOnlyFlags = []string{"profile", "suite", "processes", "partial", "label", "dir", "db", "server", "token-file", "pprof", "pprof-time", "pprof-max-size"}

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
		n := 0
		if res != nil {
			n = res.Results
		}
		return fmt.Errorf("%s\nnothing stored (with --partial, the %s that finished would be)", msg, plural(n, "result"))
	}
	if res == nil || res.Results == 0 {
		return fmt.Errorf("%s\nnothing stored: no results finished", msg)
	}
	labels := maps.Clone(plan.labels)
	labels[runner.LabelPartial] = "true"
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

// packageCount says how many packages ran, such as "3 packages".
func packageCount(pkgs []runner.Package) string {
	return plural(len(pkgs), "package")
}
