package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/store"
)

func copyCommand() *cli.Command {
	return &cli.Command{
		Name:      "copy",
		Usage:     "copy runs from one store to another",
		ArgsUsage: "SRC DST [RUN...]",
		Description: `Copy copies runs (all of them, or the RUNs given as runs selects them: an id,
latest, latest~N, a label query) from the store SRC to the store DST, each
with its time and labels, one transaction per run. A store is a SQLite file
or a PostgreSQL address (postgres://...); DST is created if needed. Copying
is idempotent: a run copied before is found by its content and not stored
again, so merging the files of many machines into one server is the same
copy run any number of times. Progress goes to standard error.

Examples:

   benchdb copy machine1.sqlite postgres://bench@dbhost/benchdb
   benchdb copy postgres://bench@dbhost/benchdb local.sqlite branch:main
   benchdb copy old.sqlite new.sqlite latest`,
		Action: copyAction,
	}
}

func copyAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) < 2 {
		return usagef("copy: want SRC DST [RUN...]")
	}
	srcAddr, dstAddr := args[0], args[1]
	sels, err := parseRuns(args[2:])
	if err != nil {
		return err
	}
	if !store.IsPostgres(srcAddr) {
		if _, err := os.Stat(srcAddr); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("copy: open store %s: no such file", srcAddr)
		}
	}
	src, err := store.OpenReadOnly(c.Context, srcAddr)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer src.Close()
	ids, err := resolveRuns(c.Context, src, sels)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if len(sels) > 0 && len(ids) == 0 {
		return nil
	}
	dst, err := store.Open(c.Context, dstAddr)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer dst.Close()
	added := 0
	_, err = store.Copy(c.Context, src, dst, ids, func(i, n int, r store.CopyResult) {
		what := fmt.Sprintf("stored as run %d", r.Ingested.ID)
		if r.Ingested.DuplicateOf != 0 {
			what = fmt.Sprintf("already there as run %d", r.Ingested.ID)
		} else {
			added++
		}
		fmt.Fprintf(c.App.ErrWriter, "copy %d/%d: run %d %s\n", i+1, n, r.From, what)
	})
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	fmt.Fprintf(c.App.ErrWriter, "copy: %d runs new in %s\n", added, termsafe.Escape(dst.Path()))
	return nil
}
