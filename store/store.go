// Package store keeps Go benchmark results in one SQLite file, losslessly.
//
// A run is one ingested benchmark file (or one `benchdb run`): its results,
// every sample of every -count repetition, every unit, the configuration
// lines in effect for each result, Unit metadata lines, and the user's
// labels. A run is stored whole, in one transaction, or not at all, and the
// same content ingested twice is stored once.
//
// The store reads and writes the Go benchmark format with
// golang.org/x/perf/benchfmt, and accepts `go test -json` output too. It
// knows nothing of benchdb's suites; the reports package reads what it
// returns (Runs, Results, UnitMetadata), and Export gives the format back.
//
// The file is in WAL mode: several processes may ingest into it at once,
// each waiting for the others' write transactions, while readers go on.
// schema.md describes the tables and views for users of the sqlite3
// tool; schema.go holds the schema, the migrations that Open applies to
// older files and the statements of ingest, while the queries live
// beside what uses them (query.go, profile.go, copy.go, and postgres*.go
// for PostgreSQL). storetest opens a temporary store for
// tests.
package store

import "github.com/benchdb/benchdb/store/storedata"

// The store's data types and errors are declared in package storedata,
// which has no database driver (reports imports it and builds without
// cgo); these aliases keep them in this package's API.

// Sentinel errors: see storedata.
var (
	// ErrNoRun is returned (wrapped) when a run id does not exist.
	ErrNoRun = storedata.ErrNoRun
	// ErrNoResults is returned (wrapped) by Ingest for input with no
	// benchmark result lines.
	ErrNoResults = storedata.ErrNoResults
	// ErrFull is returned (wrapped) when the database cannot grow: its
	// disk is full, or it reached Options.MaxPages.
	ErrFull = storedata.ErrFull
	// ErrInputChanged is returned (wrapped in an *InputError) by Ingest
	// when the input read to store it differs from the input read to
	// hash it: a file that changed during the ingest. Nothing is stored.
	ErrInputChanged = storedata.ErrInputChanged
)

// A Run describes one stored run (storedata.Run).
type Run = storedata.Run

// IngestOptions says how to store one input (storedata.IngestOptions).
type IngestOptions = storedata.IngestOptions

// Ingested is what Ingest stored (storedata.Ingested).
type Ingested = storedata.Ingested
