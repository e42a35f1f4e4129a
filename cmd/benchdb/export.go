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
label query, as benchdb compare takes them.

With --profile KIND (cpu or alloc), export writes one stored pprof profile
instead, byte for byte as go test wrote it, so that go tool pprof reads it:
--bench picks the benchmark (a go test -bench pattern) when the runs hold
several.

   benchdb export --profile cpu --bench 'Select/profile=elixir-1.5.1$/pool=8/depth=100000' -o cpu.pprof latest
   go tool pprof -top cpu.pprof`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{Name: "profile", Usage: "export the stored pprof profile of `KIND` (cpu or alloc) instead of results", Category: catOutput},
			&cli.StringFlag{Name: "bench", Usage: "with --profile: the benchmark, a go test -bench `REGEX`", Category: catFilter},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "with --profile: write it to `FILE` instead of standard output", Category: catOutput},
		}),
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
	if c.IsSet("profile") {
		return exportProfile(c, db, ids)
	}
	for _, f := range []string{"bench", "output"} {
		if c.IsSet(f) {
			return usagef("export: --%s works with --profile only", f)
		}
	}
	return db.Export(c.Context, c.App.Writer, ids...)
}
