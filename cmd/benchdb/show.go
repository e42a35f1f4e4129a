package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/store"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/reports"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "describe one stored run and summarise its benchmarks",
		ArgsUsage: "RUN",
		Description: `Show prints a run's metadata (time, source, labels, configuration, result
count) and, for each benchmark and unit, the number of samples, the median
with its 95% confidence interval, and the minimum and maximum, as benchstat
summarises them. Units are tidied as benchstat tidies them (ns/op becomes
sec/op); JSON numbers are in those base units.

Values that are NaN or ±Inf are kept in the store (export writes them
back) but left out of the summary, with a warning on standard error: the
text shows "N (+K NaN/Inf)", and JSON counts them in "non_finite", with
"median", "min" and "max" null when no value is finite.

The pprof profiles stored with the run (benchdb run --pprof, ab --profile,
bisect --profile) are listed last, one line each: kind, benchmark, side,
the profiled run's iteration count and size; a setup profile (a run of one
iteration, which benchdb why subtracts) is marked "1 (setup)". benchdb export
--profile KIND --bench RE RUN writes one back, and benchdb why compares
them. JSON lists them in "profiles".

RUN is a run id, latest, latest~N (the Nth run before the latest), or a
label query that matches exactly one run.

Examples:

   benchdb show 12
   benchdb show latest
   benchdb show --format json 12 | jq '.benchmarks[] | select(.unit == "sec/op")'`,
		Flags:  withStore([]cli.Flag{formatFlag("text", "json")}),
		Action: showAction,
	}
}

// summaryJSON summarises one benchmark's values in one unit.
//
// Values that are NaN or ±Inf (which the store keeps, as export shows)
// are left out of the summary and counted in NonFinite, with a warning on
// standard error: N counts the finite values the summary is made of, and
// Median, Min and Max are null when there is none. No field is ever NaN
// or ±Inf.
type summaryJSON = reports.Summary

// showJSON is what `benchdb show --format json` prints.
type showJSON struct {
	runJSON
	Source       string                 `json:"source"`
	SkippedLines int                    `json:"skipped_lines"`
	Benchmarks   []summaryJSON          `json:"benchmarks"`
	Profiles     []reports.ProfileEntry `json:"profiles"`
}

func showAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usagef("show: want one RUN, got %d arguments", len(args))
	}
	db, ids, err := openRuns(c, args, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if len(ids) != 1 {
		return usagef("show: RUN %s matches %d runs; want one (try benchdb runs)", args[0], len(ids))
	}
	id := ids[0]
	run, err := db.Run(c.Context, id)
	if err != nil {
		return err
	}
	sums, err := reports.Summarise(c.Context, db, id)
	if err != nil {
		return err
	}
	profiles, err := db.Profiles(c.Context, id)
	if err != nil {
		return err
	}
	for _, s := range sums {
		if s.NonFinite > 0 {
			fmt.Fprintf(c.App.ErrWriter, "benchdb: warning: %s %s: %d of %d values are NaN or ±Inf, left out of the summary\n",
				termsafe.Escape(s.Name), termsafe.Escape(s.Unit), s.NonFinite, s.N+s.NonFinite)
		}
	}
	if c.String("format") == "json" {
		return encodeJSON(c.App.Writer, showJSON{runJSON: newRunJSON(run), Source: run.Source, SkippedLines: run.SkippedLines, Benchmarks: sums, Profiles: reports.ProfileEntries(profiles)})
	}
	if err := printShow(c.App.Writer, run, sums); err != nil {
		return err
	}
	return printStoredProfiles(c.App.Writer, profiles)
}

// printStoredProfiles lists a run's stored profiles, by package; nothing when
// there are none.
func printStoredProfiles(w io.Writer, ps []store.Profile) error {
	if len(ps) == 0 {
		return nil
	}
	main := 0
	for _, p := range ps {
		if !p.Setup {
			main++
		}
	}
	fmt.Fprintf(w, "\nprofiles: %d (and %d setup profiles); benchdb export --profile KIND --bench RE writes one, benchdb why compares them\n", main, len(ps)-main)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	pkg := "\x00"
	for _, p := range ps {
		if p.Pkg != pkg {
			if err := tw.Flush(); err != nil {
				return err
			}
			pkg = p.Pkg
			fmt.Fprintf(w, "pkg: %s\n", termsafe.Escape(pkg))
			fmt.Fprintln(tw, "KIND\tBENCHMARK\tSIDE\tITERS\tSIZE")
		}
		side := p.Side
		if side == "" {
			side = "-"
		}
		iters := strconv.FormatInt(p.Iters, 10)
		if p.Setup {
			iters += " (setup)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Kind, termsafe.Escape(p.Name), termsafe.Escape(side), iters, store.FormatSize(p.Size))
	}
	return tw.Flush()
}

func printShow(w io.Writer, run store.Run, sums []summaryJSON) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "run:\t%d\n", run.ID)
	fmt.Fprintf(tw, "time:\t%s\n", run.Time.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(tw, "source:\t%s\n", termsafe.Escape(run.Source))
	fmt.Fprintf(tw, "labels:\t%s\n", formatKeyValues(run.Labels))
	fmt.Fprintf(tw, "results:\t%d\n", run.Results)
	if run.SkippedLines > 0 {
		fmt.Fprintf(tw, "skipped lines:\t%d\n", run.SkippedLines)
	}
	for _, k := range slices.Sorted(maps.Keys(run.Config)) {
		fmt.Fprintf(tw, "%s:\t%s\n", termsafe.Escape(k), termsafe.Escape(run.Config[k]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	pkg := "\x00"
	for _, s := range sums {
		if s.Pkg != pkg {
			if pkg != "\x00" {
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			pkg = s.Pkg
			fmt.Fprintln(w)
			if pkg != "" {
				fmt.Fprintf(w, "pkg: %s\n", termsafe.Escape(pkg))
			}
			fmt.Fprintln(tw, "BENCHMARK\tUNIT\tN\tMEDIAN\tCI\tMIN\tMAX")
		}
		n := strconv.Itoa(s.N)
		if s.NonFinite > 0 {
			n += fmt.Sprintf(" (+%d NaN/Inf)", s.NonFinite)
		}
		if s.Median == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t-\n", termsafe.Escape(s.Name), termsafe.Escape(s.Unit), n)
			continue
		}
		cls := benchunit.ClassOf(s.Unit)
		sc := benchunit.CommonScale([]float64{*s.Median, *s.Min, *s.Max}, cls)
		ci := benchmath.Summary{Center: *s.Median, Lo: orInf(s.Lo, -1), Hi: orInf(s.Hi, 1)}.PctRangeString()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t±%s\t%s\t%s\n", termsafe.Escape(s.Name), termsafe.Escape(s.Unit), n,
			sc.Format(*s.Median), ci, sc.Format(*s.Min), sc.Format(*s.Max))
	}
	return tw.Flush()
}

// orInf returns *p, or an infinity of the given sign if p is nil.
func orInf(p *float64, sign int) float64 {
	if p == nil {
		return math.Inf(sign)
	}
	return *p
}
