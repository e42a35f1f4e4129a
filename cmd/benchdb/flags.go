package main

import (
	"slices"
	"strings"
	"unicode"

	"github.com/urfave/cli/v2"
)

// Flag categories, as `benchdb COMMAND --help` groups them.
const (
	catStore  = "Store"
	catOutput = "Output"
	catFilter = "Selection"
	catRun    = "Running"
)

// defaultDB is the database used when neither --db nor BENCHDB_DB is set.
const defaultDB = "benchdb.sqlite"

// globalFlags are accepted before the command name.
func globalFlags() []cli.Flag {
	return []cli.Flag{dbFlag([]string{"BENCHDB_DB"})}
}

// storeFlags selects the database after the command name, as in
// `benchdb runs --db x.sqlite`. The command's copy of --db has no
// environment variable: BENCHDB_DB is read by the global flag alone, so
// that an explicit --db wins over it wherever it stands (see dbPath).
func storeFlags() []cli.Flag {
	return []cli.Flag{dbFlag(nil)}
}

func dbFlag(env []string) cli.Flag {
	return &cli.StringFlag{
		Name:     "db",
		Usage:    "SQLite database `PATH`",
		Value:    defaultDB,
		EnvVars:  env,
		Category: catStore,
	}
}

// dbPath returns the database path: the --db given after the command
// name, else the global --db, else BENCHDB_DB, else defaultDB.
func dbPath(c *cli.Context) string {
	lineage := c.Lineage() // the command's context first, then the app's
	for _, cc := range lineage {
		if cc.IsSet("db") {
			return cc.String("db")
		}
	}
	return defaultDB
}

// formatFlag returns a --format flag that accepts the given formats; the
// first is the default.
func formatFlag(formats ...string) cli.Flag {
	return &cli.StringFlag{
		Name:     "format",
		Usage:    "output format: " + strings.Join(formats, ", "),
		Value:    formats[0],
		Category: catOutput,
		Action: func(_ *cli.Context, v string) error {
			if !slices.Contains(formats, v) {
				return usagef("--format %q: want one of %s", v, strings.Join(formats, ", "))
			}
			return nil
		},
	}
}

// withStore adds the store flags to a command's own flags, so that
// `benchdb runs --db x.sqlite` works as well as `benchdb --db x.sqlite runs`.
func withStore(flags ...[]cli.Flag) []cli.Flag {
	return slices.Concat(append(flags, storeFlags())...)
}

// labelFlag returns the repeatable --label key=value flag.
func labelFlag(usage string) cli.Flag {
	return &cli.StringSliceFlag{
		Name:     "label",
		Usage:    usage,
		Category: catStore,
	}
}

// parseLabels parses --label key=value flags. Keys are non-empty and
// hold no '=' or white space, and each key is given once. The error names
// the bad --label.
func parseLabels(flags []string) (map[string]string, error) {
	labels := make(map[string]string, len(flags))
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case !ok:
			return nil, usagef("--label %q: want key=value", f)
		case k == "":
			return nil, usagef("--label %q: empty key", f)
		case strings.ContainsFunc(k, unicode.IsSpace):
			return nil, usagef("--label %q: key has white space", f)
		case strings.ContainsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }):
			return nil, usagef("--label %q: value has a line break", f)
		}
		if _, dup := labels[k]; dup {
			return nil, usagef("--label %q: key %s given twice", f, k)
		}
		labels[k] = v
	}
	return labels, nil
}
