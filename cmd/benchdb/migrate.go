package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/termsafe"
)

func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "upgrade a store written by an older benchdb",
		Description: `Migrate brings the store (--db) to this benchdb's schema version, one
migration per transaction, losslessly, and prints the version. Commands that
only read (runs, show, export, compare, report) never change a store: on a
store written by an older benchdb they say so and point here. ingest and run
migrate too. A file that is not a benchdb store, or one written by a newer
benchdb, is refused and left byte for byte as it was.

Examples:

   benchdb migrate
   benchdb --db ci/history.sqlite migrate`,
		Flags:  withStore(),
		Action: migrateAction,
	}
}

func migrateAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usagef("migrate: unexpected argument %q", args[0])
	}
	// openExistingStore's check: migrate never creates a store.
	if ro, err := openExistingStore(c); err == nil {
		ro.Close()
	} else if !isOldSchema(err) {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(c.Context)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.App.Writer, "%s: schema version %d\n", termsafe.Escape(db.Path()), v)
	return err
}
