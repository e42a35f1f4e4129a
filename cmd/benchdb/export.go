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
   benchdb export 13 > new.txt
   benchstat old.txt new.txt`,
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
	var ids []int64
	for _, a := range args {
		id, err := parseRunID(a)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	db, err := openExistingStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Export(c.Context, c.App.Writer, ids...)
}
