package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/bisect"
	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/runner"
)

// bisectCommand returns `benchdb bisect`.
func bisectCommand() *cli.Command {
	return &cli.Command{
		Name:      "bisect",
		Usage:     "find the commit that made a benchmark slower",
		ArgsUsage: "[PKG...] [-- go test flags]",
		Description: `bisect finds the first commit in git rev-list --first-parent GOOD..BAD that
carries the change measured between GOOD and BAD. It first measures BAD
against GOOD (as benchdb ab does: interleaved rounds, paired analysis) and
takes the benchmark matching --bench with the largest significant change
(time first) as the one to follow. Then it halves the range: each candidate
is measured against GOOD, and is bad when its level lies beyond the middle
of the GOOD-to-BAD change with confidence, good when before it; when the
interval straddles the middle it measures more rounds (up to --max-rounds)
before deciding on the estimate, and says so. Commits that do not build or
whose benchmark fails are skipped, as git bisect skip does. Finally it
measures the first bad commit against the last good one, for the change
and its interval, and says whether the range holds more than one step.

Every measurement is stored (labels bisect=ID, commit, side, ab), so that
--resume ID finishes an interrupted bisection without measuring again, and
benchdb compare can show any step. A resumed bisection measures as it began:
its revisions, packages, go test flags and measurement settings (--rounds,
--max-rounds, --count, --benchtime, --threshold, --confidence, --within)
are stored with its runs, and giving them again with --resume is an error. --from-report takes GOOD, BAD and the
benchmark from the newest regression of benchdb report over the store
(its runs need commit labels, as benchdb run records them).

--profile cpu,alloc then profiles the first bad commit and its parent (one
more untimed run of each binary, as benchdb ab --profile does) and stores
the profiles with the final measurement's two runs, so that benchdb why
explains the change; the output names the runs and the command.

Progress goes to standard error: step k of about log2(N)+2, the commit, the
commits left and each decision.

Examples:
   benchdb bisect --good v1.4.0 --bad main --bench 'Select/profile=roundrobin' ./suites/selection
   benchdb bisect --good HEAD~40 --bad HEAD --bench Receive --benchtime 200ms ./suites/receive
   benchdb bisect --good HEAD~40 --bad HEAD --bench Parse --benchtime 250x --count 80   # a busy machine
   benchdb bisect --resume 20261201T093000-1a2b3c
   benchdb bisect --good v1.4.0 --bad main --bench Parse --profile cpu,alloc ./parser   # then: benchdb why (as printed)
   benchdb bisect --from-report --format markdown >> "$GITHUB_STEP_SUMMARY"
   benchdb compare --col side bisect:20261201T093000-1a2b3c

Exit status: 0 the first bad commit was found, 1 the change could not be
reproduced between GOOD and BAD, 2 an error.`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{Name: "good", Usage: "a `REV` without the change", Category: catRun},
			&cli.StringFlag{Name: "bad", Usage: "a later `REV` with it", Category: catRun},
			&cli.StringFlag{Name: "bench", Usage: "benchmarks matching `RE` (go test -bench)", Category: catRun},
			&cli.StringFlag{Name: "dir", Usage: "the module's `DIR` in a git repository", Value: ".", Category: catRun},
			&cli.StringFlag{Name: "resume", Usage: "continue the bisection `ID` from the store", Category: catRun},
			&cli.BoolFlag{Name: "from-report", Usage: "take good, bad and the benchmark from the newest regression of benchdb report", Category: catRun},
			&cli.IntFlag{Name: "rounds", Usage: "`N` rounds per measurement at first", Value: ab.DefaultRounds, Category: catRun},
			&cli.IntFlag{Name: "max-rounds", Usage: "at most `N` rounds for one measurement when it stays unclear (default 3*rounds)", Category: catRun},
			&cli.StringFlag{Name: "benchtime", Usage: "-test.benchtime `D` of each repetition; go test's default when empty", Category: catRun},
			countFlag(),
			&cli.StringFlag{Name: "shuffle", Usage: "seed of the round order: a number, or on", Value: "on", Category: catRun},
			labelFlag("add label `KEY=VALUE` to every stored run (repeatable)"),
			&cli.Float64Flag{Name: "threshold", Usage: "the change between good and bad must be at least `PCT` percent", Category: catOutput},
			&cli.Float64Flag{Name: "confidence", Usage: "confidence `LEVEL` of the intervals", Value: ab.DefaultConfidence, Category: catOutput},
			withinFlag(),
			formatFlag("text", "json", "markdown"),
		}, abPprofFlags()),
		Action: bisectAction,
	}
}

// notReproduced is bisect's exit-1 outcome: its message is printed and
// the status is that of a regression check.
type notReproduced struct{ err error }

func (e *notReproduced) Error() string   { return e.err.Error() }
func (e *notReproduced) Unwrap() []error { return []error{e.err, errRegression} }

func bisectAction(c *cli.Context) error {
	pkgs, goFlags := runner.SplitArgs(c.Args().Slice())
	build, test, err := ab.SplitGoTestFlags(goFlags)
	if err != nil {
		return usagef("bisect: %v", err)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return err
	}
	seed, err := parseShuffle(c.String("shuffle"))
	if err != nil {
		return err
	}
	if n := c.Int("rounds"); n < 6 {
		return usagef("--rounds %d: want at least 6 (a 95%% interval needs 6 pairs)", n)
	}
	if bt := c.String("benchtime"); bt != "" && !runner.ValidBenchtime(bt) {
		return usagef("--benchtime %q: want a duration such as 100ms or a count such as 1000x", bt)
	}
	if v := c.Float64("confidence"); !(v > 0 && v < 1) {
		return usagef("--confidence %v: must be in (0, 1)", v)
	}
	if err := checkCountWithin(c); err != nil {
		return err
	}
	pprof, err := newABPprof(c)
	if err != nil {
		return err
	}
	opts := bisect.Options{
		Dir: c.String("dir"), Good: c.String("good"), Bad: c.String("bad"), Bench: c.String("bench"),
		Packages: pkgs, BuildFlags: build,
		Config:    ab.Config{Rounds: c.Int("rounds"), Benchtime: c.String("benchtime"), Count: c.Int("count"), TestArgs: test, Seed: seed},
		MaxRounds: c.Int("max-rounds"), Threshold: c.Float64("threshold"), Confidence: c.Float64("confidence"), Within: c.String("within"),
		Resume: c.String("resume"), Labels: labels,
	}
	modes := 0
	for _, set := range []bool{opts.Resume != "", c.Bool("from-report"), opts.Good != "" || opts.Bad != ""} {
		if set {
			modes++
		}
	}
	switch {
	case modes != 1:
		return usagef("bisect: want --good and --bad, or --resume ID, or --from-report (one of them)")
	case opts.Resume == "" && !c.Bool("from-report") && (opts.Good == "" || opts.Bad == "" || opts.Bench == ""):
		return usagef("bisect: want --good, --bad and --bench")
	}
	if opts.Resume != "" {
		// A resumed bisection measures as it began (bisect.Options.Resume):
		// a setting given again would be ignored, so it is an error.
		for _, name := range []string{"bench", "rounds", "max-rounds", "benchtime", "count", "threshold", "confidence", "within"} {
			if c.IsSet(name) {
				return usagef("bisect --resume: --%s is the bisection's own, stored with its runs; drop it", name)
			}
		}
		if len(c.Args().Slice()) > 0 {
			return usagef("bisect --resume: packages and go test flags are the bisection's own, stored with its runs; drop %q", c.Args().First())
		}
	}

	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	opts.Store = db
	if pprof != nil {
		opts.Profile = []ab.ExtraRun{pprof.extraRun(c.Context)}
	}
	if c.Bool("from-report") {
		rep, err := nightly.Build(c.Context, db, nightly.Options{})
		if err != nil {
			return fmt.Errorf("bisect --from-report: %w", err)
		}
		var pkg string
		opts.Good, opts.Bad, opts.Bench, pkg, err = bisect.FromReport(rep)
		if err != nil {
			return fmt.Errorf("bisect --from-report: %w", err)
		}
		if len(opts.Packages) == 0 && pkg != "" {
			opts.Packages = []string{pkg}
		}
		fmt.Fprintf(c.App.ErrWriter, "benchdb: bisect --from-report: good %s, bad %s, -bench %s\n", termsafe.Escape(opts.Good), termsafe.Escape(opts.Bad), termsafe.Escape(opts.Bench))
	}

	printer := runner.NewPrinter(c.App.ErrWriter, runner.IsTerminal(c.App.ErrWriter))
	opts.Progress = func(p ab.Progress) {
		if p.Benchmark == "" {
			return
		}
		printer.Update(runner.Progress{Event: "tick", Benchmark: termsafe.Escape(fmt.Sprintf("round %d/%d %s %s", p.Round, p.Rounds, p.Side, p.Benchmark)),
			Done: p.Done, Total: p.Total, Elapsed: p.Elapsed, Left: p.Left})
	}
	opts.Step = func(p bisect.StepProgress) {
		printer.Clear()
		if p.Outcome == bisect.Profiled && !p.Done {
			fmt.Fprintf(c.App.ErrWriter, "benchdb: bisect: profiling %s %s and its parent (%s)\n", p.Commit.Short(), termsafe.Escape(p.Commit.Subject), c.String("profile"))
			return
		}
		if !p.Done {
			fmt.Fprintf(c.App.ErrWriter, "benchdb: bisect step %d of about %d: %s %s (%d commits left)\n",
				p.Step, p.About, p.Commit.Short(), termsafe.Escape(p.Commit.Subject), p.Left)
			return
		}
		est := ""
		if !math.IsNaN(p.Estimate) {
			est = fmt.Sprintf(" (level %.2f of the way from good to bad)", p.Estimate)
		}
		fmt.Fprintf(c.App.ErrWriter, "benchdb:   %s: %s%s\n", p.Commit.Short(), p.Outcome, est)
	}
	res, err := bisect.Run(c.Context, opts)
	printer.Clear()
	if res == nil || err != nil && !errors.Is(err, bisect.ErrNotReproduced) {
		if res != nil && res.ID != "" {
			return fmt.Errorf("bisect %s: %w (resume with --resume %s)", res.ID, err, res.ID)
		}
		return fmt.Errorf("bisect: %w", err)
	}
	if res.Profiled {
		if err := pprof.store(c, db, &ab.Stored{OldRun: res.FinalRuns[0], NewRun: res.FinalRuns[1]}); err != nil {
			return fmt.Errorf("bisect %s: %w", res.ID, err)
		}
	}
	w := c.App.Writer
	var werr error
	switch c.String("format") {
	case "json":
		werr = res.WriteJSON(w)
	case "markdown":
		werr = res.WriteMarkdown(w)
	default:
		werr = res.WriteText(w)
	}
	if werr != nil {
		return werr
	}
	if err != nil {
		return &notReproduced{fmt.Errorf("bisect: %w", err)}
	}
	return nil
}
