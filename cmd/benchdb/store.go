package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
)

// openStore opens the store named by --db (or BENCHDB_DB), creating it if
// needed. The caller closes it.
func openStore(c *cli.Context) (*store.DB, error) {
	return store.Open(c.Context, dbPath(c))
}

// openExistingStore opens the store for commands that only read (runs,
// show, export, compare, report): read-only (store.OpenReadOnly), so
// that they work with read access alone, never migrate or change the
// file, and leave no -wal or -shm file behind. A missing file is an
// error (a mistyped --db would otherwise create an empty store).
func openExistingStore(c *cli.Context) (*store.DB, error) {
	path := dbPath(c)
	if store.IsPostgres(path) {
		return store.OpenReadOnly(c.Context, path)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open store %s: no such file (benchdb ingest creates it; see --db)", path)
	}
	return store.OpenReadOnly(c.Context, path)
}

// isOldSchema reports whether err is OpenReadOnly's refusal of a store
// that needs a migration.
func isOldSchema(err error) bool { return errors.Is(err, store.ErrOldSchema) }

// encodeJSON writes v as indented JSON.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// parseRuns parses RUN arguments: a run id as `benchdb runs` lists it,
// `latest`, `latest~N`, or a label query (`branch:main`), as compare's
// selectors are written (without a NAME= prefix). It checks the syntax
// before the store is opened.
func parseRuns(args []string) ([]reports.Selector, error) {
	sels := make([]reports.Selector, 0, len(args))
	for _, a := range args {
		sel, err := reports.ParseSelector(a)
		if err != nil || sel.Name != sel.Text {
			return nil, usagef("RUN %q: want a run id, latest, latest~N or a label query (see benchdb runs)", a)
		}
		sels = append(sels, sel)
	}
	return sels, nil
}

// resolveRuns returns the ids of the runs that sels select, in argument
// order and each run once. A selector that matches no run is an error
// naming it.
func resolveRuns(ctx context.Context, db *store.DB, sels []reports.Selector) ([]int64, error) {
	runs, err := db.Runs(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	seen := make(map[int64]bool)
	for _, sel := range sels {
		m, err := sel.Match(runs)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", sel.Text, store.ErrNoRun)
		}
		for _, id := range m {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// openRuns parses the RUN arguments, opens the existing store and resolves
// them to run ids, as parseRuns and resolveRuns do. The caller closes the
// store; on error it is closed already. An error from resolveRuns starts
// with prefix.
func openRuns(c *cli.Context, args []string, prefix string) (*store.DB, []int64, error) {
	sels, err := parseRuns(args)
	if err != nil {
		return nil, nil, err
	}
	db, err := openExistingStore(c)
	if err != nil {
		return nil, nil, err
	}
	ids, err := resolveRuns(c.Context, db, sels)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("%s%w", prefix, err)
	}
	return db, ids, nil
}

// runJSON is a run as `benchdb runs --format json` and `benchdb show
// --format json` print it.
type runJSON struct {
	ID      int64             `json:"id"`
	Time    string            `json:"time"`
	Labels  map[string]string `json:"labels"`
	Config  map[string]string `json:"config"`
	Results int               `json:"results"`
}

func newRunJSON(r store.Run) runJSON {
	return runJSON{
		ID:      r.ID,
		Time:    r.Time.UTC().Format(time.RFC3339Nano),
		Labels:  r.Labels,
		Config:  r.Config,
		Results: r.Results,
	}
}

// formatKeyValues prints a map as sorted key=value pairs, each key and
// value escaped by termsafe.Escape for the terminal.
func formatKeyValues(m map[string]string) string {
	var sb strings.Builder
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(termsafe.Escape(k))
		sb.WriteByte('=')
		sb.WriteString(termsafe.Escape(m[k]))
	}
	return sb.String()
}

// positionalArgs returns the command's arguments after applying the
// command's own flags found among them, so that `benchdb show 3 --format
// json` works as `benchdb show --format json 3` does (args_test.go).
//
// It must exist because urfave/cli v2 cannot do this itself: a command's
// flags are parsed by the standard flag package (Command.parseFlags, not
// exported), which stops at the first argument that is not a flag and
// leaves the rest, "--format" and "json" here, among the arguments; v2 has
// no option to read flags after arguments (v1's argument reordering was
// dropped in v2), and SkipFlagParsing would give up its parsing of the
// flags before the arguments too. What positionalArgs does by hand is
// only the split: each value goes through urfave/cli's own parser of that
// flag (Context.Set) and the flag's Action runs, as for a flag before the
// arguments.
//
// An argument that starts with "--" and names a flag of the command is
// that flag, with its value in the same argument after "=" or, unless it
// is a boolean flag, in the next argument; a later flag wins over an
// earlier one, and a repeatable flag (--label) adds a value. "--" ends the
// flags: every argument after it is kept as it is, even one that starts
// with "-". --help after the arguments shows the command's help.
//
// Any other argument that starts with "-" (except "-" itself, standard
// input) is a usage error, unless dashArgs is set: compare sets it, since
// a selector such as -branch:main may start with one dash.
func positionalArgs(c *cli.Context, dashArgs bool) ([]string, error) {
	in := c.Args().Slice()
	var args []string
	for i := 0; i < len(in); i++ {
		a := in[i]
		if a == "--" {
			return append(args, in[i+1:]...), nil
		}
		if !strings.HasPrefix(a, "--") {
			if strings.HasPrefix(a, "-") && a != "-" && !dashArgs {
				return nil, usagef("%s: flag %s after the arguments: put flags before them", c.Command.Name, a)
			}
			args = append(args, a)
			continue
		}
		name, value, hasValue := strings.Cut(a[2:], "=")
		if name == "help" {
			if err := cli.ShowCommandHelp(c.Lineage()[1], c.Command.Name); err != nil {
				return nil, err
			}
			return nil, errHelpShown
		}
		f := commandFlag(c.Command, name)
		if f == nil {
			return nil, usagef("%s: %s after the arguments is not a flag of %s (put -- before an argument that starts with -)", c.Command.Name, a, c.Command.Name)
		}
		if tv, ok := f.(interface{ TakesValue() bool }); ok && tv.TakesValue() && !hasValue {
			if i+1 == len(in) {
				return nil, usagef("%s: flag needs an argument: --%s", c.Command.Name, name)
			}
			i++
			value, hasValue = in[i], true
		}
		if !hasValue {
			value = "true"
		}
		if err := c.Set(name, value); err != nil {
			return nil, usagef("%s: invalid value %q for flag --%s: %v", c.Command.Name, value, name, err)
		}
		if af, ok := f.(cli.ActionableFlag); ok {
			if err := af.RunAction(c); err != nil {
				return nil, err
			}
		}
	}
	return args, nil
}

// errHelpShown is returned by positionalArgs when it has shown the command's
// help instead of running it; report maps it to success.
var errHelpShown = errors.New("help shown")

// commandFlag returns the flag of cmd named name, or nil.
func commandFlag(cmd *cli.Command, name string) cli.Flag {
	for _, f := range cmd.Flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}
