package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"
)

// timeLayout is how run times are stored: UTC with a fixed number of
// digits, so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// Ingest stores one input, either the Go benchmark format or `go test
// -json` output (detected by its first character), as a new run, in one
// transaction. It is NewInput, IngestInput and Close.
func (db *DB) Ingest(ctx context.Context, r io.Reader, opts IngestOptions) (Ingested, error) {
	in, err := NewInput(ctx, r, opts)
	if err != nil {
		return Ingested{}, err
	}
	defer in.Close()
	return db.IngestInput(ctx, in)
}

// Check reads an input as Ingest would and returns what Ingest into a
// new, empty store would return, without storing anything and without a
// database: the same warnings, result and skipped-line counts, and the
// same input errors (an *InputError, ErrNoResults, a --strict failure).
// The returned ID is 0. It is NewInput, CheckInput and Close.
func Check(ctx context.Context, r io.Reader, opts IngestOptions) (Ingested, error) {
	in, err := NewInput(ctx, r, opts)
	if err != nil {
		return Ingested{}, err
	}
	defer in.Close()
	return CheckInput(ctx, in)
}

// CheckInput returns what IngestInput into a new, empty store would
// return, without a database (see Check).
func CheckInput(ctx context.Context, in *Input) (Ingested, error) {
	return in.parse(ctx, &countSink{})
}

// IngestInput stores in as a new run, in one transaction.
//
// It holds the database's write lock only while it reads the input the
// second time and inserts it; the first read (NewInput) found the
// content hash, so a duplicate is found before the lock is taken.
//
// If the same content (after line endings are normalised and `go test
// -json` output is extracted) was stored before, no new run is stored:
// the result names the earlier run in ID and DuplicateOf, with that run's
// Results and SkippedLines. Labels and time do not count as content, but
// labels may be added: each of opts.Labels whose key the earlier run does
// not have is added to it (LabelsAdded), in one transaction; a key the
// run has with another value is left as it is and described in Warnings.
// With opts.Strict a malformed line fails the input even when its content
// is stored already.
//
// Malformed result lines are skipped and described in Warnings (each a
// *Warning); with opts.Strict the first one fails the whole input. Input that cannot be
// benchmark output (binary data, lines longer than MaxLineLength, an
// empty input, a result line cut off at the end) is an *InputError,
// and input without results wraps ErrNoResults. On any error nothing is
// stored; the returned Ingested still reports the warnings found.
func (db *DB) IngestInput(ctx context.Context, in *Input) (Ingested, error) {
	if db.readOnly {
		return Ingested{}, fmt.Errorf("ingest %s: store %s is open read-only", in.name, db.path)
	}
	if dup, ok, err := db.runByHash(ctx, db.db, in.contentHash()); err != nil {
		return Ingested{}, fmt.Errorf("ingest %s: %w", in.name, err)
	} else if ok {
		return db.duplicate(ctx, in, dup)
	}
	t := in.opts.Time
	if t.IsZero() {
		t = db.now()
	}
	res, dup, err := db.ingestTx(ctx, in, t)
	if err == nil && dup {
		return db.duplicate(ctx, in, res)
	}
	return res, err
}

// duplicate finishes an ingest of content stored already as run dup.ID:
// it judges the input first under --strict, then adds the labels the run
// lacks.
func (db *DB) duplicate(ctx context.Context, in *Input, dup Ingested) (Ingested, error) {
	if in.opts.Strict {
		if res, err := CheckInput(ctx, in); err != nil {
			return res, err
		}
	}
	if len(in.opts.Labels) == 0 {
		return dup, nil
	}
	var tx *sql.Tx
	err := retryBusy(ctx, func() error {
		var err error
		tx, err = db.db.BeginTx(ctx, nil)
		return err
	})
	if err != nil {
		return dup, fmt.Errorf("ingest %s: begin: %w", in.name, sqliteError(err))
	}
	defer tx.Rollback()
	have := map[string]string{}
	rows, err := tx.QueryContext(ctx, sqlLabels, dup.ID)
	if err != nil {
		return dup, fmt.Errorf("ingest %s: read labels of run %d: %w", in.name, dup.ID, sqliteError(err))
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return dup, fmt.Errorf("ingest %s: read labels of run %d: %w", in.name, dup.ID, err)
		}
		have[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dup, fmt.Errorf("ingest %s: read labels of run %d: %w", in.name, dup.ID, sqliteError(err))
	}
	for _, k := range sortedKeys(in.opts.Labels) {
		v := in.opts.Labels[k]
		old, ok := have[k]
		switch {
		case !ok:
			if _, err := tx.ExecContext(ctx, sqlInsertLabel, dup.ID, k, v); err != nil {
				return dup, fmt.Errorf("ingest %s: add label %s to run %d: %w", in.name, k, dup.ID, sqliteError(err))
			}
			if dup.LabelsAdded == nil {
				dup.LabelsAdded = map[string]string{}
			}
			dup.LabelsAdded[k] = v
		case old != v:
			dup.Warnings = append(dup.Warnings, &LabelConflictError{Name: in.name, Run: dup.ID, Key: k, Value: v, Stored: old})
		}
	}
	if err := tx.Commit(); err != nil {
		return dup, fmt.Errorf("ingest %s: add labels to run %d: %w", in.name, dup.ID, sqliteError(err))
	}
	return dup, nil
}

// A LabelConflictError is the warning Ingest gives when content stored
// already is ingested again with a label whose key the stored run has
// with another value: the stored value is kept.
type LabelConflictError struct {
	Name       string // the input
	Run        int64
	Key, Value string // the label given
	Stored     string // the run's value, kept
}

func (e *LabelConflictError) Error() string {
	return fmt.Sprintf("%s: label %s=%s not applied: run %d already has %s=%s", e.Name, e.Key, e.Value, e.Run, e.Key, e.Stored)
}

// runByHash returns the run holding content with hash sum, as Ingest
// reports a duplicate of it.
func (db *DB) runByHash(ctx context.Context, q querier, sum string) (Ingested, bool, error) {
	var d Ingested
	err := q.QueryRowContext(ctx, sqlRunByHash, sum).Scan(&d.ID, &d.Results, &d.SkippedLines)
	if err == sql.ErrNoRows {
		return Ingested{}, false, nil
	}
	if err != nil {
		return Ingested{}, false, sqliteError(err)
	}
	d.DuplicateOf = d.ID
	return d, true, nil
}

// ingestTx stores the input in one transaction. If another writer stored
// the same content first, it returns that run with dup set.
func (db *DB) ingestTx(ctx context.Context, in *Input, t time.Time) (res Ingested, dup bool, err error) {
	name, opts := in.name, in.opts
	// BEGIN IMMEDIATE (see Open): wait for the write lock now, before
	// anything is read, so that a retry starts from a clean state.
	var tx *sql.Tx
	var cp *pgCopy // PostgreSQL: samples go by COPY (postgres_ingest.go)
	release := func() {}
	defer func() { release() }()
	err = retryBusy(ctx, func() error {
		var err error
		if db.pg {
			tx, cp, release, err = db.pgBeginIngest(ctx)
			return err
		}
		tx, err = db.db.BeginTx(ctx, nil)
		return err
	})
	if err != nil {
		return Ingested{}, false, fmt.Errorf("ingest %s: begin: %w", name, sqliteError(err))
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if d, ok, err := db.runByHash(ctx, tx, in.contentHash()); err != nil {
		return Ingested{}, false, fmt.Errorf("ingest %s: %w", name, err)
	} else if ok {
		tx.Rollback()
		return d, true, nil
	}

	var runID int64
	if err := tx.QueryRowContext(ctx, sqlInsertRun, t.UTC().Format(timeLayout), name, in.contentHash()).Scan(&runID); err != nil {
		return Ingested{}, false, fmt.Errorf("ingest %s: insert run: %w", name, sqliteError(err))
	}
	for _, k := range sortedKeys(opts.Labels) {
		if _, err := tx.ExecContext(ctx, sqlInsertLabel, runID, k, opts.Labels[k]); err != nil {
			return Ingested{}, false, fmt.Errorf("ingest %s: insert label %s: %w", name, k, sqliteError(err))
		}
	}

	w, err := newRunWriter(ctx, tx, runID, db.maxNames, cp)
	if err != nil {
		return Ingested{}, false, fmt.Errorf("ingest %s: %w", name, err)
	}
	defer w.close()
	if db.maxPending > 0 {
		w.maxPending = db.maxPending
	}

	if res, err = in.parse(ctx, w); err != nil {
		return res, false, err
	}
	if len(w.firstConfigOrder) > 0 && !db.pg {
		// One row (runconfig.go).
		if _, err := tx.ExecContext(ctx, sqlInsertRunConfigBlock, runID, appendRunConfig(nil, w.firstConfigOrder, w.firstConfig)); err != nil {
			return res, false, fmt.Errorf("ingest %s: insert run config: %w", name, sqliteError(err))
		}
	} else if len(w.firstConfigOrder) > 0 {
		// Prepared once: a file may have a key per result.
		ins, err := tx.PrepareContext(ctx, sqlInsertRCfg)
		if err != nil {
			return res, false, fmt.Errorf("ingest %s: insert run config: %w", name, sqliteError(err))
		}
		defer ins.Close()
		for _, k := range w.firstConfigOrder {
			if _, err := ins.ExecContext(ctx, runID, k, w.firstConfig[k]); err != nil {
				return res, false, fmt.Errorf("ingest %s: insert run config: %w", name, sqliteError(err))
			}
		}
	}
	if _, err := tx.ExecContext(ctx, sqlFinishRun, w.results, res.SkippedLines, runID); err != nil {
		return res, false, fmt.Errorf("ingest %s: update run: %w", name, sqliteError(err))
	}
	w.close()
	if err := tx.Commit(); err != nil {
		return res, false, fmt.Errorf("ingest %s: commit: %w", name, sqliteError(err))
	}
	res.ID = runID
	res.Results = w.results
	return res, false, nil
}
