package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/store"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/internal/timex"
)

// The store is the report's source.
var _ nightly.Source = (*store.DB)(nil)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "nightly regression report over the stored history",
		ArgsUsage: " ",
		Description: `Report reads every stored run and says which benchmarks regressed or
improved, since when and by how much.

Runs are grouped into series by the labels (or configuration lines) that say
where they ran: host, goos, goarch, cpu and branch, or the keys given with
--series. In each series, runs are ordered by time (ingest --time backfills
history). A benchmark is its package, full name and unit.

Each benchmark is judged against its own night-to-night noise, not the
spread of its samples within a run (which cannot see the machine changing
between runs). Change points over the whole history are found by binary
segmentation with a t test against that noise, and the current level (the
runs since a recent change point, or else the newest run) is compared with
up to --baseline earlier runs. A change is reported when it is at least
--threshold, significant at p <= 0.01 against the noise, and within the
false discovery rate --alpha across all benchmarks of the report. Noise
raises the bar instead of hiding the benchmark: each change shows the
smallest change its benchmark can reveal, and benchmarks that can reveal
only changes above twice the threshold are listed as noisy. A change
between two runs of one commit (label commit) is the machine, never an
alarm. With fewer than three earlier runs nothing is judged; changes a
within-run test sees are listed as too short to judge.

benchdb run records a calibration probe with every run (package
benchdb/probe) and how long each benchmark's threads waited for a CPU (its
stretch): the report shows the machine's speed per night, and judges a
benchmark against them where its history follows them; such a correction
sharpens a change the benchmark's own levels show, never makes one. Beside
each regression whose runs carry two commit labels it gives the benchdb ab
command that measures it again, the two commits alternating on one machine,
which a shift of the machine's level cannot fake. Run it into the same store
and report again: runs benchdb ab stored are never nights of a history, and
where one of them measured a change's two commits on its machine, the change
shows ab's verdict (all such measurements pooled); one ab refutes (its
interval excludes the change the nights showed) is listed as pending, "ab: no
such change", not as a regression, and its change point as the machine's; the
next pair of commits (the changed run's and the next run's) becomes a suspect,
in case the nights put a real change one run early.
Slowdowns of the threshold or more that fall short of a verdict (p <= 0.25
against the noise, or newest 2-3 nights each slower than every night before
them) are listed as suspects, with the same command: one ab confirms becomes
a regression, one it refutes leaves the list.

--confirm N does that itself before writing the report: it runs the
commands of up to N regressions (largest first) and suspects (smallest p
first) in --dir, a checkout of the module that holds both commits, into the
same store, and the report it writes reads them back; what that report
newly asks for (the next pair after a refuted regression) is measured too,
within the same N. A measurement that fails is reported on standard error
and the others go on.

--since lists every change point that started in the window (its run,
commit and size) beside the current regressions. Lower is better, except
for rates (units ending in /s).
The report also lists new and missing benchmarks and a geomean trend per
series.

Formats: markdown (the default; for CI job summaries and terminals; text is
the same), html (one self-contained page with SVG charts, no network), and
json (documented in the README). Without --format, -o FILE picks the format
from FILE's extension (.html, .json, .md).

Exit status: 0, or 1 with --fail-on-regression when anything regressed (the
report is written first), or 2 on an error.

Examples:

   benchdb report --since 7d -o report.html
   benchdb report --fail-on-regression >> "$GITHUB_STEP_SUMMARY"
   benchdb report --confirm 10 --dir ~/src/proj -o report.html   # measure the regressions and suspects again first
   benchdb report --format json --series host,branch -o report.json`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{
				Name:     "since",
				Usage:    "report only changes that started, and series whose newest run is, within `DURATION` of now (such as 36h or 7d)",
				Category: catFilter,
			},
			&cli.StringFlag{
				Name:     "series",
				Usage:    "comma-separated label or config `KEYS` that identify a series",
				Value:    strings.Join(nightly.DefaultSeries, ","),
				Category: catFilter,
			},
			&cli.IntFlag{
				Name:     "baseline",
				Usage:    "compare with up to `N` earlier runs",
				Value:    nightly.DefaultBaseline,
				Category: catFilter,
			},
			&cli.StringFlag{
				Name:     "threshold",
				Usage:    "smallest change reported, in percent (`PCT`, such as 5 or 5%)",
				Value:    "5%",
				Category: catFilter,
			},
			&cli.Float64Flag{
				Name:     "alpha",
				Usage:    "false discovery rate `A` across the report's benchmarks",
				Value:    nightly.DefaultAlpha,
				Category: catFilter,
			},
			&cli.Uint64Flag{
				Name:     "seed",
				Usage:    "unused, kept so that old command lines work: the tests are parametric, the same history always gives the same report (`SEED`)",
				Value:    1,
				Category: catFilter,
			},
			&cli.StringFlag{
				Name:     "now",
				Usage:    "the report's `TIME`, RFC 3339 (default: now), for --since and the report's date",
				Category: catFilter,
			},
			formatFlag("markdown", "html", "json", "text"),
			&cli.StringFlag{
				Name:     "output",
				Aliases:  []string{"o"},
				Usage:    "write the report to `FILE` instead of standard output",
				Category: catOutput,
			},
			&cli.BoolFlag{
				Name:     "fail-on-regression",
				Usage:    "exit with status 1 when anything regressed",
				Category: catOutput,
			},
			&cli.IntFlag{
				Name:     "confirm",
				Usage:    "before writing the report, measure up to `N` of its regressions and suspects again with their benchdb ab commands, into the same store (0: none)",
				Category: catRun,
			},
			&cli.StringFlag{
				Name:     "dir",
				Usage:    "with --confirm: the module's `DIR` in a git repository that holds the commits",
				Value:    ".",
				Category: catRun,
			},
		}),
		Action: reportAction,
	}
}

func reportAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("report: unexpected argument %q", c.Args().First())
	}
	opt, err := reportOptions(c)
	if err != nil {
		return err
	}
	format := c.String("format")
	out := c.String("output")
	if !c.IsSet("format") && out != "" {
		switch strings.ToLower(filepath.Ext(out)) {
		case ".html", ".htm":
			format = "html"
		case ".json":
			format = "json"
		}
	}

	// A report only reads: a missing database is an error, not a new file.
	if _, err := os.Stat(dbPath(c)); err != nil && !store.IsPostgres(dbPath(c)) {
		return fmt.Errorf("report: open store: %w", err)
	}
	db, err := openExistingStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := nightly.Build(c.Context, db, opt)
	if errors.Is(err, nightly.ErrNoRuns) {
		return fmt.Errorf("report: no runs stored in %s (see benchdb ingest)", dbPath(c))
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if n := c.Int("confirm"); n > 0 {
		// Measure, read the measurements back, and measure again what
		// the new report asks for that was not yet tried (the next pair
		// of commits after a refuted regression is a suspect only once
		// the refutation is read), up to n measurements in all.
		tried := map[string]bool{}
		var measured []*nightly.Change
		for len(tried) < n {
			cs := rep.ToConfirm(n-len(tried), tried)
			if len(cs) == 0 {
				break
			}
			done := len(tried)
			for _, ch := range cs {
				tried[ch.Confirm()] = true
			}
			m, err := confirmChanges(c, cs, done)
			if err != nil {
				return err
			}
			measured = append(measured, m...)
			if rep, err = nightly.Build(c.Context, db, opt); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		}
		for _, ch := range measured {
			if rep.ABFor(ch.Benchmark, ch.Series.Key()) == nil {
				fmt.Fprintf(c.App.ErrWriter, "benchdb: report: --confirm: %s: measured, but not read back: ab's runs are not labelled as the series %s is (host, cpu, ...: see --series)\n",
					termsafe.Escape(ch.Benchmark.String()), termsafe.Escape(ch.Series.Key()))
			}
		}
	}

	var buf bytes.Buffer
	switch format {
	case "html":
		err = nightly.WriteHTML(&buf, rep)
	case "json":
		err = nightly.WriteJSON(&buf, rep)
	default:
		err = nightly.WriteMarkdown(&buf, rep)
	}
	if err != nil {
		return err
	}
	if err := addWhy(c.Context, db, rep, format, out, &buf); err != nil {
		return err
	}
	if out == "" {
		if _, err := c.App.Writer.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		if err := outfile.WriteFile(out, buf.Bytes()); err != nil {
			return fmt.Errorf("-o %s: %w", out, err)
		}
		fmt.Fprintf(c.App.ErrWriter, "benchdb: wrote %s: %s\n", termsafe.Escape(out), nightly.Summary(rep))
	}
	if c.Bool("fail-on-regression") && len(rep.Regressions) > 0 {
		return fmt.Errorf("%w: %s", errRegression, plural(len(rep.Regressions), "benchmark"))
	}
	return nil
}

// maxConfirm bounds --confirm: each measurement takes seconds to
// minutes.
const maxConfirm = 100

// confirmChanges measures each of cs again as its confirm command says,
// with benchdb ab into the report's store, in the module directory
// --dir; progress goes to standard error, counting from done
// measurements before these. A measurement that fails (a
// commit the repository lacks, a benchmark that fails) is reported there
// and the others go on; an interrupt stops them all. It returns the
// changes measured.
func confirmChanges(c *cli.Context, cs []*nightly.Change, done int) (measured []*nightly.Change, err error) {
	for i, ch := range cs {
		args := ch.ConfirmArgs()
		fmt.Fprintf(c.App.ErrWriter, "benchdb: report: measuring %d of %d again: %s\n", done+i+1, done+len(cs), termsafe.Escape(ch.Confirm()))
		full := append([]string{"benchdb", "--db", dbPath(c), args[0], "--dir", c.String("dir")}, args[1:]...)
		err := newApp(io.Discard, c.App.ErrWriter).RunContext(c.Context, full)
		if c.Context.Err() != nil {
			return nil, fmt.Errorf("report: --confirm: %w", c.Context.Err())
		}
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "benchdb: report: --confirm: %s: %s\n", termsafe.Escape(ch.Benchmark.String()), oneLine(err.Error()))
			continue
		}
		measured = append(measured, ch)
	}
	return measured, nil
}

// reportOptions validates the report's flags.
func reportOptions(c *cli.Context) (nightly.Options, error) {
	opt := nightly.Options{Seed: c.Uint64("seed"), Now: time.Now}
	if s := c.String("since"); s != "" {
		d, err := timex.ParseDays(s)
		if err != nil || d <= 0 {
			return opt, usagef("--since %q: want a positive duration such as 36h or 7d", s)
		}
		opt.Since = d
	}
	for _, k := range strings.Split(c.String("series"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			opt.Series = append(opt.Series, k)
		}
	}
	if len(opt.Series) == 0 {
		return opt, usagef("--series %q: want comma-separated keys, such as host,branch", c.String("series"))
	}
	if opt.Baseline = c.Int("baseline"); opt.Baseline < 1 {
		return opt, usagef("--baseline %d: want at least 1 run", opt.Baseline)
	}
	th := strings.TrimSuffix(strings.TrimSpace(c.String("threshold")), "%")
	pct, err := strconv.ParseFloat(th, 64)
	if err != nil || !(pct > 0 && pct < 1000) {
		return opt, usagef("--threshold %q: want a percentage above 0, such as 5 or 5%%", c.String("threshold"))
	}
	opt.Threshold = pct / 100
	if n := c.Int("confirm"); n < 0 || n > maxConfirm {
		return opt, usagef("--confirm %d: want 0 to %d measurements", n, maxConfirm)
	} else if n > 0 {
		// Every measurement runs in --dir: one that is no repository
		// would fail each of them in turn, after the report's reading.
		if _, err := ab.OpenRepo(c.Context, c.String("dir")); err != nil {
			if c.Context.Err() != nil {
				return opt, c.Context.Err()
			}
			return opt, usagef("--dir %q: not in a git repository; --confirm measures in the module's checkout", c.String("dir"))
		}
	}
	if opt.Alpha = c.Float64("alpha"); !(opt.Alpha > 0 && opt.Alpha < 1) {
		return opt, usagef("--alpha %v: want a number between 0 and 1, such as 0.05", opt.Alpha)
	}
	if s := c.String("now"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return opt, usagef("--now %q: want an RFC 3339 time such as 2026-01-02T03:04:05Z", s)
		}
		opt.Now = func() time.Time { return t }
	}
	return opt, nil
}
