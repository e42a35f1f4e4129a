package main

import (
	"github.com/urfave/cli/v2"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write stored runs back in the Go benchmark format",
		ArgsUsage: "RUN...",
		Description: `Export writes the given runs to standard output in the Go benchmark format:
their Unit metadata lines, then their results in the order they were
ingested, each preceded by the configuration lines that changed. benchstat
computes the same numbers from the export as from the original files.

Examples:

   benchdb export 12 > old.txt
   benchdb export latest > new.txt
   benchstat old.txt new.txt
   benchdb export branch:main > main.txt    # every run labelled branch=main

RUN is a run id, latest, latest~N (the Nth run before the latest) or a
label query, as benchdb compare takes them.`,
		Flags:  withStore(),
		Action: exportAction,
	}
}

func exportAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("export: no RUN given (see benchdb runs)")
	}
	db, ids, err := openRuns(c, args, "export: ")
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Export(c.Context, c.App.Writer, ids...)
}
