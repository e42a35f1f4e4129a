package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/store"

	"github.com/benchdb/benchdb/internal/termsafe"
)

func ingestCommand() *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "store `go test -bench` output",
		ArgsUsage: "FILE...",
		Description: `Ingest stores each FILE (- for standard input) as one run: every result
line, every unit, the configuration lines (goos, pkg, cpu, any "key: value")
in effect for each result, Unit metadata lines, and the given labels.
FILE holds the Go benchmark format or "go test -json" output (found by its
first character).

Each file is stored in its own transaction, whole or not at all. If the same
content was stored before, nothing is stored and the earlier run is named.
Malformed result lines are reported on standard error as FILE:LINE and
skipped; with --strict they fail the file. A file with no results, or one
that is not benchmark output, is an error. Files are stored in order: if
one fails, benchdb stops with exit status 2, and the files before it stay
stored. The store (--db) is created if it does not exist, once the first
file has been checked: a first file that fails leaves no new, empty store.

Output: one line per file, or with --format json
[{"id": N, "results": N, "duplicate_of": N|null, "skipped_lines": N}]
(for a duplicate, id is the run that already holds the content).

Examples:

   go test -bench . -count 10 ./... > new.txt
   benchdb ingest --label commit=$(git rev-parse --short HEAD) new.txt

   go test -bench . -count 10 -json ./... | benchdb ingest --label branch=main -

   benchdb ingest --time 2026-01-02T03:04:05Z --format json old/*.txt

   BENCHDB_TOKEN=... benchdb ingest --server https://bench.example new.txt   # to a benchdb serve`,
		Flags: withStore([]cli.Flag{
			labelFlag("store the run with label `KEY=VALUE` (repeatable)"),
			&cli.StringFlag{
				Name:     "time",
				Usage:    "the run's `TIME`, RFC 3339 (default: now), for backfilling history",
				Category: catStore,
			},
			&cli.BoolFlag{
				Name:     "strict",
				Usage:    "fail a file on its first malformed line, storing nothing of it",
				Category: catStore,
			},
			formatFlag("text", "json"),
		}, remoteFlags()),
		Action: ingestAction,
	}
}

// ingestJSON is one element of `benchdb ingest --format json`.
type ingestJSON struct {
	ID           int64  `json:"id"`
	Results      int    `json:"results"`
	DuplicateOf  *int64 `json:"duplicate_of"`
	SkippedLines int    `json:"skipped_lines"`
}

func ingestAction(c *cli.Context) error {
	files, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("ingest: no FILE given (use - for standard input)")
	}
	if n := countOf(files, "-"); n > 1 {
		return usagef("ingest: - (standard input) given %d times", n)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return err
	}
	var t time.Time
	if s := c.String("time"); s != "" {
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return usagef("--time %q: want RFC 3339, such as 2026-01-02T15:04:05Z", s)
		}
		if y := t.UTC().Year(); y < 0 || y > 9999 {
			return usagef("--time %q: year %d in UTC, want 0000 to 9999", s, y)
		}
		if t.IsZero() {
			// The store reads a zero time as "now"; January 1 of year 1
			// is no benchmark's time anyway.
			return usagef("--time %q: the zero time (0001-01-01T00:00:00Z) is not a run's time", s)
		}
	}
	if c.String("server") != "" {
		return ingestRemote(c, files, labels, t)
	}
	// Check every file before the store is opened or created, so that a
	// mistyped name stores nothing.
	for _, f := range files {
		if f == "-" {
			continue
		}
		fi, err := os.Stat(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f, unwrapPathError(err))
		}
		if fi.IsDir() {
			return fmt.Errorf("%s: is a directory", f)
		}
	}

	optsFor := func(f string) store.IngestOptions {
		return store.IngestOptions{Name: f, Labels: labels, Time: t, Strict: c.Bool("strict")}
	}
	var stdin io.Reader = c.App.Reader
	if stdin == nil {
		stdin = os.Stdin
	}
	if _, err := os.Stat(dbPath(c)); errors.Is(err, fs.ErrNotExist) {
		// The store is new: check the first file without a database
		// first, so that a bad file creates nothing at --db.
		first, cleanup, err := checkFirstFile(c, files[0], stdin, optsFor(files[0]))
		defer cleanup()
		if err != nil {
			return err
		}
		if first != nil {
			stdin = first
		}
	}

	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()

	jsonOut := c.String("format") == "json"
	var out []ingestJSON
	var ingestErr error
	for _, f := range files {
		got, err := ingestFile(c.Context, db, f, stdin, optsFor(f))
		printWarnings(c.App.ErrWriter, got.Warnings)
		if err != nil {
			ingestErr = err
			break
		}
		j := ingestJSON{ID: got.ID, Results: got.Results, SkippedLines: got.SkippedLines}
		if got.DuplicateOf != 0 {
			j.DuplicateOf = &got.DuplicateOf
		}
		out = append(out, j)
		if !jsonOut {
			printIngested(c.App.Writer, f, got)
		}
	}
	if jsonOut {
		if out == nil {
			out = []ingestJSON{}
		}
		if err := encodeJSON(c.App.Writer, out); err != nil {
			return err
		}
	}
	return ingestErr
}

// checkFirstFile reads the file name (stdin for "-") as ingest would,
// without a database (store.Check), and returns the error that ingesting
// it into a new store would give, after printing its warnings. Standard
// input is copied to a temporary file, returned as first to be read again
// from the start; cleanup removes it.
func checkFirstFile(c *cli.Context, name string, stdin io.Reader, opts store.IngestOptions) (first io.ReadSeeker, cleanup func(), err error) {
	cleanup = func() {}
	if name == "-" {
		f, err := os.CreateTemp("", "benchdb-stdin-*")
		if err != nil {
			return nil, cleanup, fmt.Errorf("create temporary file: %w", err)
		}
		cleanup = func() {
			f.Close()
			os.Remove(f.Name())
		}
		if _, err := io.Copy(f, stdin); err != nil {
			return nil, cleanup, fmt.Errorf("-: read standard input: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, cleanup, fmt.Errorf("-: %w", err)
		}
		first, stdin = f, f
	}
	in, closeIn, err := openInput(name, stdin)
	if err != nil {
		return nil, cleanup, err
	}
	defer closeIn()
	got, err := store.Check(c.Context, in, opts)
	if err != nil {
		printWarnings(c.App.ErrWriter, got.Warnings)
		return nil, cleanup, err
	}
	if first != nil {
		if _, err := first.Seek(0, io.SeekStart); err != nil {
			return nil, cleanup, fmt.Errorf("-: %w", err)
		}
	}
	return first, cleanup, nil
}

// ingestFile stores the file name, or stdin for "-".
func ingestFile(ctx context.Context, db *store.DB, name string, stdin io.Reader, opts store.IngestOptions) (store.Ingested, error) {
	r, closeR, err := openInput(name, stdin)
	if err != nil {
		return store.Ingested{}, err
	}
	defer closeR()
	return db.Ingest(ctx, r, opts)
}

// openInput opens the file name for reading, or returns stdin for "-".
// The caller calls closeFn when done. The error names the file.
func openInput(name string, stdin io.Reader) (r io.Reader, closeFn func(), err error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
	}
	return f, func() { f.Close() }, nil
}

// printWarnings prints an ingest's warnings (malformed lines skipped) to w.
func printWarnings(w io.Writer, warnings []error) {
	for _, e := range warnings {
		fmt.Fprintf(w, "benchdb: warning: %s\n", termsafe.Lines(e.Error()))
	}
}

func printIngested(w io.Writer, name string, got store.Ingested) {
	name = termsafe.Escape(name)
	switch {
	case got.DuplicateOf != 0:
		fmt.Fprintf(w, "%s: already stored as run %d (%d results); nothing stored\n", name, got.DuplicateOf, got.Results)
	case got.SkippedLines > 0:
		fmt.Fprintf(w, "%s: stored as run %d: %d results, %d malformed lines skipped\n", name, got.ID, got.Results, got.SkippedLines)
	default:
		fmt.Fprintf(w, "%s: stored as run %d: %d results\n", name, got.ID, got.Results)
	}
}

// unwrapPathError drops the operation and path of an *os.PathError,
// which the caller's message already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func countOf(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}
