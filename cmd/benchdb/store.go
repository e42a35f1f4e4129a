package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/store"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// openStore opens the store named by --db (or BENCHDB_DB), creating it if
// needed. The caller closes it.
func openStore(c *cli.Context) (*store.DB, error) {
	return store.Open(c.Context, dbPath(c))
}

// openExistingStore is openStore for commands that only read: a missing
// file is an error (a mistyped --db would otherwise create an empty
// store).
func openExistingStore(c *cli.Context) (*store.DB, error) {
	path := dbPath(c)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open store %s: no such file (benchdb ingest creates it; see --db)", path)
	}
	return store.Open(c.Context, path)
}

// encodeJSON writes v as indented JSON.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// parseRunID parses a RUN argument: a run id as `benchdb runs` lists it.
func parseRunID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("RUN %q: want a run id (a positive integer; see benchdb runs)", arg)
	}
	return id, nil
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

// flagsAfterArgs returns a usage error if an argument looks like a flag:
// urfave/cli stops reading flags at the first argument, so
// `benchdb show 3 --format json` would otherwise take "--format" as a
// RUN.
func flagsAfterArgs(c *cli.Context) error {
	for _, a := range c.Args().Slice() {
		if strings.HasPrefix(a, "-") && a != "-" {
			return usagef("%s: flag %s after the arguments: put flags before them", c.Command.Name, a)
		}
	}
	return nil
}
