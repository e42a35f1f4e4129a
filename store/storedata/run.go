package storedata

import (
	"errors"
	"time"
)

// Sentinel errors.
var (
	// ErrNoRun is returned (wrapped) when a run id does not exist.
	ErrNoRun = errors.New("no such run")
	// ErrNoResults is returned (wrapped) by Ingest for input with no
	// benchmark result lines.
	ErrNoResults = errors.New("no benchmark results")
	// ErrFull is returned (wrapped) when the database cannot grow: its
	// disk is full, or it reached Options.MaxPages.
	ErrFull = errors.New("database or disk is full")
	// ErrInputChanged is returned (wrapped in an *InputError) by Ingest
	// when the input read to store it differs from the input read to
	// hash it: a file that changed during the ingest. Nothing is stored.
	ErrInputChanged = errors.New("input changed while it was read")
	// ErrOldSchema is returned (wrapped) by OpenReadOnly for a store whose
	// schema is older than this package's: reading it would need a
	// migration, which only a writer (Open) makes.
	ErrOldSchema = errors.New("schema is older than this benchdb's")
)

// A Run describes one stored run.
type Run struct {
	ID   int64
	Time time.Time
	// Labels are the user's labels (--label k=v) and those benchdb run
	// records (commit, branch, host, ...).
	Labels map[string]string
	// Config holds the file-level configuration lines (goos, goarch, pkg,
	// cpu, any key: value) of the run. A key whose value changed within
	// the file holds the first value; each result carries its own.
	Config map[string]string
	// Results is the number of result lines stored.
	Results int
	// Source is the name the input was ingested under (a file name, or
	// "-" for standard input).
	Source string
	// SkippedLines is the number of malformed lines skipped at ingest.
	SkippedLines int
}

// IngestOptions says how to store one input.
type IngestOptions struct {
	// Name is the input's name in errors and warnings (a file name, or
	// "-" for standard input).
	Name string
	// Labels are stored with the run.
	Labels map[string]string
	// Time is the run's time; the zero value means now.
	Time time.Time
	// Strict makes any malformed line fail the whole input.
	Strict bool
}

// Ingested is what Ingest stored.
type Ingested struct {
	// ID is the run's id. For a duplicate it is the run that already
	// holds the content.
	ID int64
	// Results is the number of result lines in the input.
	Results int
	// DuplicateOf is nonzero when the same content was stored before, by
	// the run it names; nothing new was stored.
	DuplicateOf int64
	// SkippedLines counts malformed lines that were skipped.
	SkippedLines int
	// LabelsAdded holds, for a duplicate, the labels given that the
	// earlier run did not have and now has.
	LabelsAdded map[string]string
	// Warnings describe the skipped lines (package store's *Warning), as
	// FILE:LINE: message, and, for a duplicate, labels not applied
	// (*LabelConflictError).
	Warnings []error
}

// CopyResult is what Copy did with one run of the source.
type CopyResult struct {
	From     int64    // the run in the source
	Ingested Ingested // what the destination stored (or found stored)
}
