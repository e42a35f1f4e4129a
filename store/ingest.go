package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
)

// timeLayout is how run times are stored: UTC with a fixed number of
// digits, so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// resultBatch is the number of result_group rows inserted by one
// statement.
const resultBatch = 32

// resultCols is the number of bound columns of a result_group row.
const resultCols = 7

// maxOpenGroups bounds the result groups an ingest keeps open at once
// (the benchmarks seen since the last configuration line): when a new
// benchmark would exceed it, every open group is stored. It keeps memory
// flat, and the groups Results merges at once few.
const maxOpenGroups = 1024

// maxGroup is the most results one result_group row holds.
const maxGroup = 100

// maxGroupBytes ends a result_group row once its iters, vals and lines
// hold this many bytes: a row of result_group (WITHOUT ROWID, so an
// index b-tree) longer than about 1,000 bytes on a 4 KiB page spills
// into an overflow page of its own, mostly empty, which made rows of
// 100 results (a -count 1000 benchmark, or interleaved repetitions)
// take twice the space their text does.
const maxGroupBytes = 800

// maxNameCache bounds the benchmark names an ingest remembers, so that
// memory stays flat on inputs with millions of distinct names.
const maxNameCache = 1 << 16

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

// An Input is benchmark output that NewInput has read once, checked and
// hashed, ready to be stored (DB.IngestInput) or checked (CheckInput),
// any number of times. Close releases it. An Input is not safe for
// concurrent use.
type Input struct {
	name    string
	opts    IngestOptions
	sum     string // SHA-256 of the normalised content, hex
	key     string // the run's content hash, if not sum (Copy keeps the source's)
	reread  func() (io.Reader, error)
	cleanup func()
}

// NewInput reads r once: it checks what makes a whole input fail (binary
// data, a line longer than MaxLineLength, an empty input) and computes
// the content hash, the run's identity. Input that cannot seek (a pipe,
// standard input) is copied as it is read to a private temporary file,
// which is removed from its directory as soon as it is created, so that
// no way out of the process leaves it behind; a bad line stops the
// copy. NewInput stops with ctx's error when ctx is done. The caller
// must Close the Input.
//
// Every later read of the input (by IngestInput or CheckInput) hashes
// it again, and fails with an *InputError wrapping ErrInputChanged if it
// differs: what is stored is exactly what was hashed.
func NewInput(ctx context.Context, r io.Reader, opts IngestOptions) (*Input, error) {
	in := &Input{name: opts.Name, opts: opts}
	if in.name == "" {
		in.name = "<input>"
		in.opts.Name = in.name
	}
	// Run times are stored as text in a fixed layout that only years
	// 0000 to 9999 fit; any other would make the run unreadable.
	if y := opts.Time.UTC().Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("ingest %s: time %s is year %d in UTC, outside 0000 to 9999", in.name, opts.Time.Format(time.RFC3339Nano), y)
	}
	first, again, cleanup, err := rereadable(r)
	if err != nil {
		return nil, &InputError{Name: in.name, Msg: err.Error(), Err: err}
	}
	h := sha256.New()
	if err := checkInput(ctx, first, in.name, h); err != nil {
		cleanup()
		return nil, err
	}
	in.sum = hex.EncodeToString(h.Sum(nil))
	in.reread, in.cleanup = again, cleanup
	return in, nil
}

// Name returns the input's name, as errors and warnings give it.
func (in *Input) Name() string { return in.name }

// Close releases the input's temporary copy, if any. It is safe to call
// more than once.
func (in *Input) Close() error {
	if in.cleanup != nil {
		in.cleanup()
		in.cleanup = nil
	}
	return nil
}

// again returns the input again from the start.
func (in *Input) again() (io.Reader, error) {
	if in.cleanup == nil {
		return nil, &InputError{Name: in.name, Msg: "input closed"}
	}
	r, err := in.reread()
	if err != nil {
		return nil, &InputError{Name: in.name, Msg: err.Error(), Err: err}
	}
	return r, nil
}

// parse reads the input again into sink, checking that it is still the
// content NewInput hashed.
func (in *Input) parse(ctx context.Context, sink recordSink) (Ingested, error) {
	r, err := in.again()
	if err != nil {
		return Ingested{}, err
	}
	h := sha256.New()
	res, err := parseInput(ctx, r, in.name, in.opts, sink, h)
	if err != nil {
		return res, err
	}
	if hex.EncodeToString(h.Sum(nil)) != in.sum {
		return res, &InputError{Name: in.name, Err: ErrInputChanged,
			Msg: "changed while it was being read (its content differs from the first read); nothing stored"}
	}
	return res, nil
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
// Malformed result lines are skipped and described in Warnings; with
// opts.Strict the first one fails the whole input. Input that cannot be
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

// A countSink counts records, for Check.
type countSink struct {
	results int
}

func (s *countSink) result(*benchfmt.Result) error             { s.results++; return nil }
func (s *countSink) unitMetadata(*benchfmt.UnitMetadata) error { return nil }
func (s *countSink) configLine(int, []byte, []byte)            {}
func (s *countSink) flush() error                              { return nil }
func (s *countSink) count() int                                { return s.results }

// rereadable returns a reader for a first pass over r and a function
// that gives r's content again from the start. If r cannot seek, the
// first pass copies it to a temporary file, unlinked at once, which
// cleanup closes.
func rereadable(r io.Reader) (first io.Reader, again func() (io.Reader, error), cleanup func(), err error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if off, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return r, func() (io.Reader, error) {
				if _, err := rs.Seek(off, io.SeekStart); err != nil {
					return nil, fmt.Errorf("seek: %w", err)
				}
				return rs, nil
			}, func() {}, nil
		}
	}
	f, err := os.CreateTemp("", "benchdb-ingest-*")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("create temporary file: %w", err)
	}
	// Unlinked now, the file lives only as long as f is open: no exit
	// path (error, signal, crash) leaves it behind. Where an open file
	// cannot be removed (Windows), cleanup removes it.
	removed := os.Remove(f.Name()) == nil
	cleanup = func() {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}
	again = func() (io.Reader, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read temporary file: %w", err)
		}
		return f, nil
	}
	return &spool{r: r, f: f}, again, cleanup, nil
}

// checkInput reads the input once: it finds input-wide errors before
// anything is stored and writes the content to h.
func checkInput(ctx context.Context, r io.Reader, name string, h hash.Hash) error {
	src := newLineSource(ctx, r, name)
	nonblank := false
	var buf []byte
	for {
		line, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if !nonblank && len(bytes.TrimSpace(line)) > 0 {
			nonblank = true
		}
		buf = append(append(buf[:0], line...), '\n')
		h.Write(buf)
	}
	if !nonblank {
		return &InputError{Name: name, Msg: "empty input", Err: ErrNoResults}
	}
	return nil
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

	w, err := newRunWriter(ctx, tx, runID, db.maxNames)
	if err != nil {
		return Ingested{}, false, fmt.Errorf("ingest %s: %w", name, err)
	}
	defer w.close()
	w.pg = cp

	if res, err = in.parse(ctx, w); err != nil {
		return res, false, err
	}
	if len(w.firstConfigOrder) > 0 {
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

// A recordSink takes the records of one input as parseInput reads them.
type recordSink interface {
	result(*benchfmt.Result) error
	unitMetadata(*benchfmt.UnitMetadata) error
	// configLine is called for each configuration line, before the
	// results that follow it, perhaps before results that precede it
	// (benchfmt reads ahead); line tells them apart.
	configLine(line int, key, value []byte)
	flush() error
	count() int // results taken
}

// parseInput reads the records of an input that checkInput accepted
// into sink, writing its content to h, and returns the warnings and
// counts, or the error that makes the whole input fail.
func parseInput(ctx context.Context, r io.Reader, name string, opts IngestOptions, sink recordSink, h hash.Hash) (res Ingested, err error) {
	src := newLineSource(ctx, r, name)
	br := benchfmt.NewReader(&lineFeed{src: src, sink: sink, h: h}, name)
	lastSkipped := 0
	lastSkippedMsg := ""
	warn := func(e *InputError) error {
		if opts.Strict {
			e.Msg += " (--strict)"
			return e
		}
		res.Warnings = append(res.Warnings, e)
		if e.Line != lastSkipped {
			res.SkippedLines++
			lastSkipped = e.Line
		}
		lastSkippedMsg = e.Msg
		return nil
	}
	flushSrcWarnings := func() error {
		for _, e := range src.warnings {
			if err := warn(e); err != nil {
				return err
			}
		}
		src.warnings = src.warnings[:0]
		return nil
	}
	lastSyntaxOut := 0
	for br.Scan() {
		if err := flushSrcWarnings(); err != nil {
			return res, err
		}
		switch rec := br.Result().(type) {
		case *benchfmt.Result:
			if err := sink.result(rec); err != nil {
				return res, fmt.Errorf("ingest %s: %w", name, err)
			}
		case *benchfmt.UnitMetadata:
			if err := sink.unitMetadata(rec); err != nil {
				return res, fmt.Errorf("ingest %s: %w", name, err)
			}
		case *benchfmt.SyntaxError:
			lastSyntaxOut = rec.Line
			if err := warn(&InputError{Name: name, Line: src.srcLineOf(rec.Line), Msg: rec.Msg}); err != nil {
				return res, err
			}
		}
	}
	if err := br.Err(); err != nil {
		if ie, ok := errAs(err); ok {
			return res, ie
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return res, fmt.Errorf("ingest %s: %w", name, ctx.Err())
		}
		return res, &InputError{Name: name, Msg: err.Error(), Err: err}
	}
	if err := flushSrcWarnings(); err != nil {
		return res, err
	}
	if lastSyntaxOut > 0 && lastSyntaxOut == src.outLine && src.unterminated && !src.json {
		// The error replaces the warning about the same line.
		res.Warnings = res.Warnings[:len(res.Warnings)-1]
		res.SkippedLines--
		return res, &InputError{Name: name, Line: src.srcLineOf(lastSyntaxOut),
			Msg: "truncated result line at end of input: " + lastSkippedMsg}
	}
	if err := sink.flush(); err != nil {
		return res, fmt.Errorf("ingest %s: %w", name, err)
	}
	if sink.count() == 0 {
		return res, &InputError{Name: name, Msg: "no benchmark results", Err: ErrNoResults}
	}
	res.Results = sink.count()
	return res, nil
}

// A runWriter inserts the records of one run within a transaction,
// interning names, configuration sets and unit sets.
type runWriter struct {
	ctx   context.Context
	tx    *sql.Tx
	runID int64

	insertBatch, insertOne *sql.Stmt
	nameID, insertName     *sql.Stmt
	insertUnitMD           *sql.Stmt
	insertCfgLine          *sql.Stmt

	// names caches name ids. If namesAll is set, it holds every stored
	// name, so a name missing from it is new.
	names    map[string]int64
	namesAll bool
	maxNames int // size of the cache: DB.maxNames

	// Configuration lines read but not yet stored (benchfmt reads ahead
	// of the result it returns), the number stored, and each key's
	// current value.
	pending  []configOp
	cfgSeq   int
	cfgValue map[string]string
	touched  []string // keys set since the last result

	// Current unit set.
	units   []string
	unitsID int64
	unitIDs map[string]int64

	firstConfig      map[string]string
	firstConfigOrder []string

	// Open groups, by benchmark name: results of a benchmark since the
	// last configuration line join its group, whether or not other
	// benchmarks' results come between them.
	open     map[string]*resultGroup
	openList []*resultGroup // in the order they were opened
	free     []*resultGroup // closed, for reuse

	rows    []any // pending result_group rows, resultCols values each
	results int

	pg *pgCopy // on PostgreSQL: rows and new names go by COPY
}

// A resultGroup is results of one benchmark with the same configuration
// and units (the repetitions of go test -count, consecutive or
// interleaved with other benchmarks'), stored as one result_group row.
type resultGroup struct {
	n                  int
	name               string
	nameID, units      int64
	first, last        int    // input lines
	iters, vals, lines []byte // JSON arrays being built
	consecutive        bool   // lines are first, first+1, ...
}

func newRunWriter(ctx context.Context, tx *sql.Tx, runID int64, maxNames int) (*runWriter, error) {
	w := &runWriter{
		ctx: ctx, tx: tx, runID: runID, maxNames: maxNames,
		names:       make(map[string]int64),
		open:        make(map[string]*resultGroup),
		cfgValue:    make(map[string]string),
		unitIDs:     make(map[string]int64),
		firstConfig: make(map[string]string),
		rows:        make([]any, 0, resultBatch*resultCols),
	}
	row := fmt.Sprintf(sqlInsertResultRow, runID)
	batch := sqlInsertResultCols + strings.TrimSuffix(strings.Repeat(row+", ", resultBatch), ", ")
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.PrepareContext(ctx, q)
		return s
	}
	w.insertBatch = prep(batch)
	w.insertOne = prep(sqlInsertResultCols + row)
	w.nameID = prep(sqlNameID)
	w.insertName = prep(sqlInsertName)
	w.insertUnitMD = prep(sqlInsertUnitMD)
	w.insertCfgLine = prep(sqlInsertCfgLine)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("prepare: %w", sqliteError(err))
	}
	if err := w.loadNames(); err != nil {
		w.close()
		return nil, fmt.Errorf("read names: %w", err)
	}
	return w, nil
}

func (w *runWriter) close() {
	for _, s := range []*sql.Stmt{w.insertBatch, w.insertOne, w.nameID, w.insertName, w.insertUnitMD, w.insertCfgLine} {
		if s != nil {
			s.Close()
		}
	}
}

// result queues one result row.
func (w *runWriter) result(r *benchfmt.Result) error {
	_, line := r.Pos()
	if len(w.pending) > 0 && w.pending[0].line < line {
		if err := w.endGroups(); err != nil {
			return err
		}
		if err := w.storeConfig(line); err != nil {
			return err
		}
	}
	if !sameUnits(w.units, r.Values) {
		if err := w.setUnits(r.Values); err != nil {
			return err
		}
	}
	g := w.open[string(r.Name)]
	if g != nil && (g.n == maxGroup || g.units != w.unitsID) {
		if err := w.endGroup(g); err != nil {
			return err
		}
	}
	if g == nil {
		if len(w.open) == maxOpenGroups {
			if err := w.endGroups(); err != nil {
				return err
			}
		}
		nameID, err := w.name(r.Name)
		if err != nil {
			return err
		}
		if k := len(w.free); k > 0 {
			g, w.free = w.free[k-1], w.free[:k-1]
		} else {
			g = new(resultGroup)
		}
		g.name, g.nameID = string(r.Name), nameID
		w.open[g.name] = g
		w.openList = append(w.openList, g)
	}
	if g.n == 0 {
		g.units, g.first, g.consecutive = w.unitsID, line, true
		g.iters = append(g.iters[:0], '[')
		g.vals = append(g.vals[:0], '[')
		g.lines = append(g.lines[:0], "[0"...)
	} else {
		g.iters = append(g.iters, ',')
		g.vals = append(g.vals, ',')
		g.lines = append(g.lines, ',')
		g.lines = strconv.AppendInt(g.lines, int64(line-g.first), 10)
		if line != g.last+1 {
			g.consecutive = false
		}
	}
	g.iters = strconv.AppendInt(g.iters, int64(r.Iters), 10)
	g.vals = appendVals(g.vals, r.Values)
	g.last = line
	g.n++
	w.results++
	size := len(g.iters) + len(g.vals)
	if !g.consecutive {
		size += len(g.lines)
	}
	if size >= maxGroupBytes {
		return w.endGroup(g)
	}
	return nil
}

// endGroup queues group g as a row, if it holds results, and inserts a
// batch of rows when one is full. g stays open, empty.
func (w *runWriter) endGroup(g *resultGroup) error {
	if g.n == 0 {
		return nil
	}
	g.iters = append(g.iters, ']')
	g.vals = append(g.vals, ']')
	var lines any // NULL: consecutive
	if !g.consecutive {
		g.lines = append(g.lines, ']')
		lines = string(g.lines)
	}
	if w.pg != nil {
		n := g.n
		g.n = 0
		return w.pg.row(w.runID, g.first, g.nameID, g.units, n, string(g.iters), string(g.vals), lines)
	}
	w.rows = append(w.rows, g.first, g.nameID, g.units, g.n, string(g.iters), string(g.vals), lines)
	g.n = 0
	if len(w.rows) == cap(w.rows) {
		if _, err := w.insertBatch.ExecContext(w.ctx, w.rows...); err != nil {
			return fmt.Errorf("insert results: %w", sqliteError(err))
		}
		w.rows = w.rows[:0]
	}
	return nil
}

// endGroups queues every open group as a row and closes them all: no
// group spans a configuration line.
func (w *runWriter) endGroups() error {
	for _, g := range w.openList {
		if err := w.endGroup(g); err != nil {
			return err
		}
	}
	w.free = append(w.free, w.openList...)
	clear(w.openList)
	w.openList = w.openList[:0]
	clear(w.open)
	return nil
}

// count returns the number of results taken.
func (w *runWriter) count() int { return w.results }

// configLine queues a configuration line until the result after it.
func (w *runWriter) configLine(line int, key, value []byte) {
	w.pending = append(w.pending, configOp{line: line, key: string(key), value: string(value)})
}

// storeConfig stores the queued configuration lines before line, and
// notes the first value of each key that a result has.
func (w *runWriter) storeConfig(line int) error {
	n := 0
	for _, op := range w.pending {
		if op.line >= line {
			break
		}
		if _, err := w.insertCfgLine.ExecContext(w.ctx, w.runID, w.cfgSeq, op.line, op.key, op.value); err != nil {
			return fmt.Errorf("insert configuration line %d: %w", op.line, sqliteError(err))
		}
		w.cfgSeq++
		w.cfgValue[op.key] = op.value
		w.touched = append(w.touched, op.key)
		n++
	}
	w.pending = append(w.pending[:0], w.pending[n:]...)
	if line == math.MaxInt {
		return nil // after the last result
	}
	for _, k := range w.touched {
		if _, ok := w.firstConfig[k]; !ok && w.cfgValue[k] != "" {
			w.firstConfig[k] = w.cfgValue[k]
			w.firstConfigOrder = append(w.firstConfigOrder, k)
		}
	}
	w.touched = w.touched[:0]
	return nil
}

// flush inserts the open group, the pending rows and configuration
// lines after the last result.
func (w *runWriter) flush() error {
	if err := w.endGroups(); err != nil {
		return err
	}
	if err := w.storeConfig(math.MaxInt); err != nil {
		return err
	}
	if w.pg != nil {
		if err := w.pg.send(); err != nil {
			return fmt.Errorf("insert results: %w", err)
		}
	}
	for i := 0; i < len(w.rows); i += resultCols {
		if _, err := w.insertOne.ExecContext(w.ctx, w.rows[i:i+resultCols]...); err != nil {
			return fmt.Errorf("insert results: %w", sqliteError(err))
		}
	}
	w.rows = w.rows[:0]
	return nil
}

// origValue returns the value and unit as written in the input.
func origValue(v benchfmt.Value) (float64, string) {
	if v.OrigUnit != "" {
		return v.OrigValue, v.OrigUnit
	}
	return v.Value, v.Unit
}

// appendVals appends the values as a JSON array of numbers, in the
// units of the input. NaN and infinities are written as SQLite's JSON5
// reads them.
func appendVals(b []byte, vals []benchfmt.Value) []byte {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, v)
	}
	return append(b, ']')
}

func appendFloat(b []byte, v benchfmt.Value) []byte {
	f, _ := origValue(v)
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	// Whole numbers below 1e6 (most B/op and allocs/op) are written
	// alike by both; AppendInt is several times cheaper. Negative zero
	// is left to AppendFloat, which keeps its sign.
	if f > -1e6 && f < 1e6 && f == math.Trunc(f) && !(f == 0 && math.Signbit(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

func sameUnits(units []string, vals []benchfmt.Value) bool {
	if len(units) != len(vals) {
		return false
	}
	for i, v := range vals {
		if _, u := origValue(v); u != units[i] {
			return false
		}
	}
	return true
}

func (w *runWriter) setUnits(vals []benchfmt.Value) error {
	w.units = w.units[:0]
	for _, v := range vals {
		_, u := origValue(v)
		w.units = append(w.units, u)
	}
	key := unitsJSON(w.units)
	if id, ok := w.unitIDs[key]; ok {
		w.unitsID = id
		return nil
	}
	id, err := w.intern(sqlUnitSetID, sqlInsertUnitSet, key, nil)
	if err != nil {
		return fmt.Errorf("store units: %w", err)
	}
	w.unitIDs[key] = id
	w.unitsID = id
	return nil
}

// unitsJSON encodes units as a JSON array of strings.
func unitsJSON(units []string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, u := range units {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Quote(u))
	}
	sb.WriteByte(']')
	return sb.String()
}

// intern returns the id of the row holding key, inserting it (and
// calling fill with the new id) if there is none.
func (w *runWriter) intern(get, insert, key string, fill func(int64) error) (int64, error) {
	var id int64
	err := w.tx.QueryRowContext(w.ctx, get, key).Scan(&id)
	if err == nil {
		return id, nil
	}
	if err != sql.ErrNoRows {
		return 0, sqliteError(err)
	}
	if err := w.tx.QueryRowContext(w.ctx, insert, key).Scan(&id); err != nil {
		return 0, sqliteError(err)
	}
	if fill != nil {
		if err := fill(id); err != nil {
			return 0, sqliteError(err)
		}
	}
	return id, nil
}

func (w *runWriter) name(n benchfmt.Name) (int64, error) {
	if id, ok := w.names[string(n)]; ok {
		return id, nil
	}
	var id int64
	err := sql.ErrNoRows
	if w.pg != nil {
		id, err = w.pg.name(w, string(n))
	} else if !w.namesAll {
		err = w.nameID.QueryRowContext(w.ctx, string(n)).Scan(&id)
	}
	if err == sql.ErrNoRows {
		err = w.insertName.QueryRowContext(w.ctx, string(n)).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("store name %s: %w", n, sqliteError(err))
	}
	if len(w.names) >= w.maxNames {
		clear(w.names)
		w.namesAll = false
	}
	w.names[string(n)] = id
	return id, nil
}

// loadNames fills the name cache with every stored name if there are few
// enough: then the benchmarks of a store's usual runs need no query, and
// new names only an insert. The write lock keeps the table as it is.
func (w *runWriter) loadNames() error {
	var n int
	if err := w.tx.QueryRowContext(w.ctx, sqlCountNames).Scan(&n); err != nil {
		return sqliteError(err)
	}
	if n > w.maxNames/2 {
		return nil
	}
	rows, err := w.tx.QueryContext(w.ctx, sqlAllNames)
	if err != nil {
		return sqliteError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		w.names[name] = id
	}
	if err := rows.Err(); err != nil {
		return sqliteError(err)
	}
	w.namesAll = true
	return nil
}

func (w *runWriter) unitMetadata(m *benchfmt.UnitMetadata) error {
	_, line := m.Pos()
	if _, err := w.insertUnitMD.ExecContext(w.ctx, w.runID, line, m.OrigUnit, m.Key, m.Value); err != nil {
		return fmt.Errorf("insert unit metadata: %w", sqliteError(err))
	}
	return nil
}

// spool copies a reader that cannot seek to a temporary file as it is
// read, so that Ingest can read it twice.
type spool struct {
	r io.Reader
	f *os.File
}

func (s *spool) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		if _, werr := s.f.Write(p[:n]); werr != nil {
			return n, fmt.Errorf("copy to temporary file: %w", werr)
		}
	}
	return n, err
}
