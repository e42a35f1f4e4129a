package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
)

func runsCommand() *cli.Command {
	return &cli.Command{
		Name:  "runs",
		Usage: "list the stored runs",
		Description: `Runs lists every stored run, oldest first: its id (the RUN that show,
export and compare take), its time, its number of results, and its labels.
With --format json it prints
[{"id": N, "time": "RFC3339", "labels": {..}, "config": {..}, "results": N}]
where config holds the file's configuration lines (goos, pkg, cpu, ...),
each with the first value it had in the file.

Examples:

   benchdb runs
   benchdb runs --format json | jq '.[] | select(.labels.branch == "main") | .id'`,
		Flags:  withStore([]cli.Flag{formatFlag("text", "json")}),
		Action: runsAction,
	}
}

func runsAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usagef("runs: unexpected argument %q", args[0])
	}
	db, err := openExistingStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := db.Runs(c.Context)
	if err != nil {
		return err
	}
	if c.String("format") == "json" {
		out := make([]runJSON, 0, len(runs))
		for _, r := range runs {
			out = append(out, newRunJSON(r))
		}
		return encodeJSON(c.App.Writer, out)
	}
	if len(runs) == 0 {
		fmt.Fprintf(c.App.Writer, "no runs in %s\n", dbPath(c))
		return nil
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tRESULTS\tLABELS")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", r.ID, r.Time.UTC().Format(time.RFC3339), r.Results, formatKeyValues(r.Labels))
	}
	return tw.Flush()
}
