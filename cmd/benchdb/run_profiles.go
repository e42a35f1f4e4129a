package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// This file renders what benchdb run prints after a run of the built-in
// suites: the profile comparison and BenchmarkScenario's outcome per
// profile.

// printProfiles prints the profile comparison of run id and the scenario
// outcome per profile.
func printProfiles(ctx context.Context, w io.Writer, db *store.DB, id int64, profiles []string) error {
	sel, err := reports.ParseSelector(strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	outcomes, keyed, err := runner.ReadOutcomes(ctx, db, id, "Scenario", profileKey)
	if err != nil {
		return err
	}
	col := "/" + profileKey + "@(" + strings.Join(profiles, " ") + ")"
	var cmp *reports.Comparison
	if keyed {
		cmp, err = reports.Compare(ctx, db, []reports.Selector{sel}, reports.Options{
			Col:    col,
			Filter: "/" + profileKey + ":/./ .unit:(" + strings.Join(summaryUnits, " OR ") + ")",
		})
	}
	switch {
	case !keyed:
		// A run of the suites without profile-keyed benchmarks
		// (--bench Receive, say) has nothing to compare.
		fmt.Fprintf(w, "\nno profile comparison: none of the benchmarks that ran has a %s=P level\n", profileKey)
	case err != nil:
		fmt.Fprintf(w, "\nno profile comparison: %v\n", err)
	case len(cmp.Tables) > 0:
		fmt.Fprintf(w, "\nprofiles compared (%s; all units: benchdb compare --col /profile %d):\n\n",
			strings.Join(summaryUnits, ", "), id)
		if err := cmp.WriteText(w, reports.TextOptions{}); err != nil {
			return err
		}
	}
	if sorted := outcomes.Sorted(profiles); len(sorted) > 0 {
		fmt.Fprintf(w, "\nscenario outcome per profile (BenchmarkScenario):\n\n")
		writeOutcomes(w, sorted)
	}
	return nil
}

// summaryUnits are the units of the profile comparison benchdb run prints:
// the time, and the two counts that tell the incident's story.
var summaryUnits = []string{"sec/op", "scanned/op", "roundtrips/op"}

// writeOutcomes prints one line per profile.
func writeOutcomes(w io.Writer, outcomes []*runner.Outcome) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "profile\toutcome\tpeak queue\tpeak bytes\tdrain")
	for _, o := range outcomes {
		drain := "-"
		if m, ok := runner.Median(o.DrainMS); ok {
			drain = fmt.Sprintf("%.0f ms", m)
		}
		peakQueue := "-"
		if m, ok := runner.Median(o.PeakQueue); ok {
			peakQueue = fmt.Sprintf("%.0f", m)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", termsafe.Escape(o.Value), o.Verdict(),
			peakQueue, formatMedianBytes(o.PeakBytes), drain)
	}
	tw.Flush()
}

// formatMedianBytes writes the median of xs with a binary unit, or "-".
func formatMedianBytes(xs []float64) string {
	v, ok := runner.Median(xs)
	if !ok {
		return "-"
	}
	return store.FormatSize(int64(math.Round(v)))
}
