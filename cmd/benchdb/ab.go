package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/runner"
)

// abCommand returns `benchdb ab`.
func abCommand() *cli.Command {
	return &cli.Command{
		Name:      "ab",
		Usage:     "compare two git revisions with interleaved benchmark runs",
		ArgsUsage: "OLD NEW [PKG...] [-- go test flags]",
		Description: `ab builds one test binary per revision and package (git worktree add into a
temporary directory, go test -c, the same toolchain and flags for both) and
runs them interleaved: --rounds rounds, each running every OLD and every NEW
binary once (-test.run '^$' -test.bench RE -test.count N, N from --count,
1 by default), in a balanced random order (ABBA, BAAB, ... seeded by
--shuffle), so that the machine's drift during the run falls on both
sides alike. Progress goes to standard error.

OLD and NEW are git revisions of the module in --dir; "." (or "worktree") is
the working tree with its uncommitted changes. If tracked files have
uncommitted changes and neither side is ".", ab refuses (--allow-dirty
overrides). PKG defaults to "."; flags after "--" go to go test: build
flags (-tags, -gcflags, -race, ...) to go test -c, the others (-cpu,
-benchtime, ...) to the test binaries.

--count N repeats each benchmark N times in every run (-test.count), and a
round's value is the best of them (the least time; --within median takes
their median). On a busy machine, many short repetitions measure the code
and not the scheduler: a repetition shorter than a time slice often runs
undisturbed. "--benchtime 250x --count 80" detected a 5% change in 10
rounds in 11 of 11 trials at load average about 28 on two cores, where one
20000x run per round detected 10% in none (README, "A/B runs").

The analysis pairs the rounds: for every benchmark and unit, the round's
NEW/OLD ratio, their Hodges-Lehmann centre with the exact Wilcoxon
signed-rank confidence interval (at least 6 rounds for 95%), the p-value,
a verdict (regression, improvement, unchanged; --threshold makes smaller
significant changes unchanged), how much OLD drifted over the rounds, and
the smaller change this noise would let ab detect ("detects", 80% power).
"ab HEAD HEAD" is an A/A test: it shows the machine's noise and which
changes the setup can detect.

Both sides are stored as runs labelled ab=ID, side=old|new, commit and rev
(with a "round" configuration line per result), so that compare can show
them and report can read them as a check of a change between the two
commits (never as nights of its history). Nothing is stored unless every
run succeeded. Worktrees and binaries are removed on every exit, Ctrl+C
included.

Examples:
   benchdb ab HEAD~1 HEAD
   benchdb ab main . ./mailbox --bench 'Receive/mode=scan' --benchtime 200ms
   benchdb ab HEAD HEAD --rounds 20 ./suites/receive        # A/A: what can this machine detect?
   benchdb ab HEAD~1 HEAD --bench Parse --benchtime 250x --count 80   # a busy machine: best of 80 short repetitions
   benchdb ab --dir ~/src/proj v1.2.0 v1.3.0 ./... -- -cpu 1 -tags purego
   benchdb ab --format markdown --fail-on-regression origin/main HEAD >> "$GITHUB_STEP_SUMMARY"
   benchdb compare --col side ab:20261201T083000-abc123   # the stored runs
   benchdb ab --profile cpu,alloc HEAD~1 HEAD ./parser && benchdb why latest~1 latest

--profile cpu,alloc runs every binary once more after the timed rounds
and profiles each benchmark of both sides (as benchdb run --pprof does;
not used for timing), and stores the profiles with each side's run, for
benchdb why.

Exit status: 0 done, 1 a regression with --fail-on-regression, 2 an error
(not a git repository, unknown revision, a revision that does not build, a
benchmark that fails in either revision, no benchmark matched).`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "the module's `DIR` in a git repository", Value: ".", Category: catRun},
			&cli.IntFlag{Name: "rounds", Usage: "`N` rounds, each running OLD and NEW once", Value: ab.DefaultRounds, Category: catRun},
			&cli.StringFlag{Name: "bench", Usage: "run benchmarks matching `RE` (go test -bench)", Value: ab.DefaultBench, Category: catRun},
			&cli.StringFlag{Name: "benchtime", Usage: "-test.benchtime `D` of each repetition (1s, 100ms, 1000x); go test's default when empty", Category: catRun},
			countFlag(),
			&cli.StringFlag{Name: "shuffle", Usage: "seed of the round order: a number, or on for a new one (printed)", Value: "on", Category: catRun},
			&cli.BoolFlag{Name: "allow-dirty", Usage: "measure committed revisions although tracked files have uncommitted changes", Category: catRun},
			&cli.BoolFlag{Name: "sequential", Usage: "run all OLD rounds, then all NEW rounds (to see what interleaving buys)", Category: catRun},
			labelFlag("add label `KEY=VALUE` to both stored runs (repeatable)"),
			&cli.Float64Flag{Name: "confidence", Usage: "confidence `LEVEL` of the intervals", Value: ab.DefaultConfidence, Category: catOutput},
			&cli.Float64Flag{Name: "threshold", Usage: "report significant changes smaller than `PCT` percent as unchanged", Category: catOutput},
			withinFlag(),
			&cli.BoolFlag{Name: "fail-on-regression", Usage: "exit with status 1 if any benchmark regressed", Category: catOutput},
			formatFlag("text", "json", "csv", "markdown"),
		}, abPprofFlags()),
		Action: abAction,
	}
}

func abAction(c *cli.Context) error {
	opts, err := abOptions(c)
	if err != nil {
		return err
	}
	pprof, err := newABPprof(c)
	if err != nil {
		return err
	}
	if pprof != nil {
		opts.Extra = append(opts.Extra, pprof.extraRun(c.Context))
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	opts.Store = db

	labels := runner.Labels(c.Context, "", opts.Dir, nil)
	for _, k := range []string{runner.LabelCommit, runner.LabelBranch, runner.LabelDirty} {
		delete(labels, k)
	}
	for k, v := range opts.Labels {
		labels[k] = v
	}
	opts.Labels = labels

	printer := runner.NewPrinter(c.App.ErrWriter, runner.IsTerminal(c.App.ErrWriter))
	opts.Progress = func(p ab.Progress) {
		ev := "start"
		if p.Benchmark != "" {
			ev = "result"
		}
		what := fmt.Sprintf("round %d/%d %s %s", p.Round, p.Rounds, p.Side, p.Package)
		if p.Benchmark != "" {
			what += " " + p.Benchmark
		}
		printer.Update(runner.Progress{Event: ev, Benchmark: termsafe.Escape(what), Done: p.Done, Total: p.Total, Elapsed: p.Elapsed, Left: p.Left})
	}
	fmt.Fprintf(c.App.ErrWriter, "benchdb: ab %s %s: building both revisions (seed %d)\n", termsafe.Escape(opts.Old), termsafe.Escape(opts.New), opts.Seed)
	rep, err := ab.Run(c.Context, opts)
	printer.Clear()
	if err != nil {
		return fmt.Errorf("ab: %w", err)
	}
	if err := pprof.store(c, db, rep.Stored); err != nil {
		return err
	}
	w := c.App.Writer
	switch c.String("format") {
	case "json":
		err = rep.WriteJSON(w)
	case "csv":
		err = rep.WriteCSV(w)
	case "markdown":
		err = rep.WriteMarkdown(w)
	default:
		err = rep.WriteText(w)
	}
	if err != nil {
		return err
	}
	if c.Bool("fail-on-regression") && len(rep.Regressions()) > 0 {
		return fmt.Errorf("ab: %d benchmarks regressed: %w", len(rep.Regressions()), errRegression)
	}
	return nil
}

// abOptions validates ab's flags and arguments.
func abOptions(c *cli.Context) (ab.Options, error) {
	args := c.Args().Slice()
	pos, goFlags := runner.SplitArgs(args)
	if len(pos) < 2 {
		return ab.Options{}, usagef("ab: want OLD and NEW revisions (see benchdb ab --help)")
	}
	build, test, err := ab.SplitGoTestFlags(goFlags)
	if err != nil {
		return ab.Options{}, usagef("ab: %v", err)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return ab.Options{}, err
	}
	if n := c.Int("rounds"); n < 1 {
		return ab.Options{}, usagef("--rounds %d: want at least 1 (6 or more for a confidence interval)", n)
	}
	if bt := c.String("benchtime"); bt != "" && !runner.ValidBenchtime(bt) {
		return ab.Options{}, usagef("--benchtime %q: want a duration such as 100ms or a count such as 1000x", bt)
	}
	if v := c.Float64("confidence"); !(v > 0 && v < 1) {
		return ab.Options{}, usagef("--confidence %v: must be in (0, 1)", v)
	}
	if err := checkCountWithin(c); err != nil {
		return ab.Options{}, err
	}
	if v := c.Float64("threshold"); v < 0 {
		return ab.Options{}, usagef("--threshold %v: must not be negative", v)
	}
	seed, err := parseShuffle(c.String("shuffle"))
	if err != nil {
		return ab.Options{}, err
	}
	return ab.Options{
		Dir: c.String("dir"), Old: pos[0], New: pos[1], Packages: pos[2:],
		BuildFlags: build,
		Config: ab.Config{
			Rounds: c.Int("rounds"), Bench: c.String("bench"), Benchtime: c.String("benchtime"), Count: c.Int("count"),
			TestArgs: test, Seed: seed, Sequential: c.Bool("sequential"),
		},
		Analysis:   ab.AnalysisOptions{Confidence: c.Float64("confidence"), Threshold: c.Float64("threshold"), Within: c.String("within")},
		AllowDirty: c.Bool("allow-dirty"),
		Labels:     labels,
	}, nil
}

// countFlag is ab's and bisect's --count.
func countFlag() cli.Flag {
	return &cli.IntFlag{Name: "count", Usage: "run each benchmark `N` times in every run (-test.count); a round's value is the best of them (--within)", Value: 1, Category: catRun}
}

// withinFlag is ab's and bisect's --within.
func withinFlag() cli.Flag {
	return &cli.StringFlag{Name: "within", Usage: "a round's value from its --count repetitions: `STAT` best (least time, most MB/s) or median", Value: ab.WithinBest, Category: catOutput}
}

// checkCountWithin checks --count and --within.
func checkCountWithin(c *cli.Context) error {
	if n := c.Int("count"); n < 1 || n > 10000 {
		return usagef("--count %d: want 1 to 10000", n)
	}
	if w := c.String("within"); w != ab.WithinBest && w != ab.WithinMedian {
		return usagef("--within %q: want %s or %s", w, ab.WithinBest, ab.WithinMedian)
	}
	return nil
}

// parseShuffle parses --shuffle: a seed, or "on" for one from the clock.
func parseShuffle(s string) (uint64, error) {
	if s == "on" {
		return uint64(time.Now().UnixNano()) % 1e6, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, usagef("--shuffle %q: want a number or on", s)
	}
	return n, nil
}
