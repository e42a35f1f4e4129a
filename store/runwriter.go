package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// maxOpenGroups bounds the result groups an ingest keeps open at once
// (the benchmarks seen since the last configuration line): when a new
// benchmark would exceed it, every open group is stored. It keeps memory
// flat, and the groups Results merges at once few.
const maxOpenGroups = 1024

// maxGroup is the most results one result_group row holds.
const maxGroup = 100

// maxGroupBytes bounds a group's value block (SQLite) or a result_group
// row's iters, vals and lines (PostgreSQL): a group whose encoding is
// longer is stored as two groups, each half of it, and so on. (A row of
// result_group, WITHOUT ROWID, longer than about 1,000 bytes on a 4 KiB
// page spilled into an overflow page of its own, mostly empty; in run
// blocks, schema version 8, it keeps groups of a size the views and
// readers decode quickly.)
const maxGroupBytes = 800

// A runWriter inserts the records of one run within a transaction,
// interning names, configuration sets and unit sets.
type runWriter struct {
	ctx   context.Context
	tx    *sql.Tx
	runID int64

	nameID        *sql.Stmt
	insertUnitMD  *sql.Stmt
	insertCfgLine *sql.Stmt // PostgreSQL
	insertDigest  *sql.Stmt // PostgreSQL
	insertBlock   *sql.Stmt // SQLite

	// On PostgreSQL, digest packs the run's digest (digest.go);
	// digestSeq numbers its chunks.
	digest    digestWriter
	digestSeq int

	// On SQLite, blocks packs the run's results and configuration lines
	// into run_block chunks (runblock.go); blockSeq numbers them.
	// Groups ended wait in pendGroups (their value blocks in pend) until
	// every group begun before them has ended, then go in line order
	// (drainGroups).
	blocks     runBlockWriter
	blockSeq   int
	pend       []byte
	pendGroups []pendingGroup
	maxPending int // bytes of pend past which every group ends

	// names caches name ids. If namesAll is set, it holds every stored
	// name, so a name missing from it is new.
	names    map[string]int64
	namesAll bool
	maxNames int // size of the cache: DB.maxNames

	// New names on SQLite, numbered here as INTEGER PRIMARY KEY would
	// (max(id)+1, ...: the ingest holds the write lock) and inserted
	// nameBatch at a time: nextName is the next id (0 until read),
	// newNames the names not yet inserted and nameRows their rows.
	nextName    int64
	newNames    map[string]int64
	nameRows    []any
	insertNames *sql.Stmt

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

	scratch []int64
	text    [3][]byte // PostgreSQL: a row's iters, vals and lines
	results int

	pg *pgCopy // on PostgreSQL: rows and new names go by COPY
}

// A resultGroup is results of one benchmark with the same configuration
// and units (the repetitions of go test -count, consecutive or
// interleaved with other benchmarks'), stored as one result_group row.
type resultGroup struct {
	n             int
	name          string
	nameID, units int64
	nunits        int       // values per result
	iters         []int64   // of each result
	lines         []int     // input line of each result
	vals          []float64 // nunits per result, as written in the input
}

// A pendingGroup is a value block an ingest has made but not yet
// written, in runWriter.pend[start:end].
type pendingGroup struct {
	line            int
	nameID, unitSet int64
	start, end      int
}

// sortPending sorts pending groups by first line.
func sortPending(p []pendingGroup) {
	slices.SortFunc(p, func(a, b pendingGroup) int { return a.line - b.line })
}

// newRunWriter returns a writer of run runID's records in tx; on
// PostgreSQL, cp sends its rows by COPY.
func newRunWriter(ctx context.Context, tx *sql.Tx, runID int64, maxNames int, cp *pgCopy) (*runWriter, error) {
	w := &runWriter{
		ctx: ctx, tx: tx, runID: runID, maxNames: maxNames, pg: cp,
		names:       make(map[string]int64),
		open:        make(map[string]*resultGroup),
		cfgValue:    make(map[string]string),
		unitIDs:     make(map[string]int64),
		firstConfig: make(map[string]string),
		maxPending:  maxPendingGroups,
	}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.PrepareContext(ctx, q)
		return s
	}
	if cp == nil {
		w.insertNames = prep(sqlInsertNamesCols + strings.TrimSuffix(strings.Repeat(sqlInsertNamesRow+", ", nameBatch), ", "))
		w.insertBlock = prep(sqlInsertRunBlock)
		w.blocks.emit = w.storeBlock
	} else {
		w.insertCfgLine = prep(sqlInsertCfgLine)
		w.insertDigest = prep(sqlInsertDigest)
		w.digest.emit = w.storeDigest
	}
	w.nameID = prep(sqlNameID)
	w.insertUnitMD = prep(sqlInsertUnitMD)
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
	for _, s := range []*sql.Stmt{w.nameID, w.insertNames, w.insertUnitMD, w.insertCfgLine, w.insertDigest, w.insertBlock} {
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
		g.units, g.nunits = w.unitsID, len(r.Values)
		g.iters, g.lines, g.vals = g.iters[:0], g.lines[:0], g.vals[:0]
	}
	g.iters = append(g.iters, int64(r.Iters))
	g.lines = append(g.lines, line)
	for _, v := range r.Values {
		f, _ := origValue(v)
		g.vals = append(g.vals, f)
	}
	g.n++
	w.results++
	if len(w.pend) > w.maxPending {
		// Groups ended wait for one begun long ago: end them all.
		return w.endGroups()
	}
	return nil
}

// endGroup queues group g as rows, if it holds results, and inserts a
// batch of rows when one is full. g stays open, empty.
func (w *runWriter) endGroup(g *resultGroup) error {
	if g.n == 0 {
		return nil
	}
	err := w.groupRows(g, 0, g.n)
	g.n = 0
	return err
}

// groupRows queues results lo to hi of g as one row, or, if its
// encoding is longer than maxGroupBytes, as two or more.
func (w *runWriter) groupRows(g *resultGroup, lo, hi int) error {
	n, u := hi-lo, g.nunits
	var offsets []int // nil: consecutive lines
	if g.lines[hi-1]-g.lines[lo] != n-1 {
		offsets = make([]int, n)
		for i := range offsets {
			offsets[i] = g.lines[lo+i] - g.lines[lo]
		}
	}
	if w.pg != nil {
		w.text[0] = appendItersJSON(w.text[0][:0], g.iters[lo:hi])
		w.text[1] = appendValsJSON(w.text[1][:0], n, u, g.vals[lo*u:hi*u])
		var lines any // NULL: consecutive
		size := len(w.text[0]) + len(w.text[1])
		if offsets != nil {
			w.text[2] = appendLinesJSON(w.text[2][:0], offsets)
			size += len(w.text[2])
			lines = string(w.text[2])
		}
		if size > maxGroupBytes && n > 1 {
			return w.splitRows(g, lo, hi)
		}
		if err := w.digest.add(w.cfgValue["pkg"], g.nameID, g.units, n, u, g.vals[lo*u:hi*u], nil); err != nil {
			return err
		}
		return w.pg.row(w.runID, g.lines[lo], g.nameID, g.units, n, string(w.text[0]), string(w.text[1]), lines)
	}
	start := len(w.pend)
	w.pend, w.scratch = appendBlock(w.pend, n, u, g.iters[lo:hi], offsets, g.vals[lo*u:hi*u], w.scratch)
	if len(w.pend)-start > maxGroupBytes && n > 1 {
		w.pend = w.pend[:start]
		return w.splitRows(g, lo, hi)
	}
	w.pendGroups = append(w.pendGroups, pendingGroup{line: g.lines[lo], nameID: g.nameID, unitSet: g.units, start: start, end: len(w.pend)})
	return nil
}

// drainGroups writes the groups ended, in the order of their first
// lines, to the run's blocks (SQLite): called when no group is open, so
// that no group yet to be written begins before them.
func (w *runWriter) drainGroups() error {
	sortPending(w.pendGroups)
	for _, p := range w.pendGroups {
		if err := w.blocks.group(p.line, p.nameID, p.unitSet, w.pend[p.start:p.end]); err != nil {
			return err
		}
	}
	w.pendGroups = w.pendGroups[:0]
	w.pend = w.pend[:0]
	return nil
}

// splitRows queues results lo to hi of g as two halves.
func (w *runWriter) splitRows(g *resultGroup, lo, hi int) error {
	mid := lo + (hi-lo)/2
	if err := w.groupRows(g, lo, mid); err != nil {
		return err
	}
	return w.groupRows(g, mid, hi)
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
	if w.pg == nil {
		return w.drainGroups()
	}
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
		if w.pg == nil {
			if err := w.blocks.config(op.line, op.key, op.value); err != nil {
				return fmt.Errorf("store configuration line %d: %w", op.line, err)
			}
		} else if _, err := w.insertCfgLine.ExecContext(w.ctx, w.runID, w.cfgSeq, op.line, op.key, op.value); err != nil {
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
		if err := w.digest.flush(); err != nil {
			return err
		}
		if err := w.pg.send(); err != nil {
			return fmt.Errorf("insert results: %w", err)
		}
	} else if err := w.blocks.flush(); err != nil {
		return err
	}
	for i := 0; i < len(w.nameRows); i += 2 {
		if _, err := w.tx.ExecContext(w.ctx, sqlInsertNamesCols+sqlInsertNamesRow, w.nameRows[i:i+2]...); err != nil {
			return fmt.Errorf("store name %s: %w", w.nameRows[i+1], sqliteError(err))
		}
	}
	w.nameRows = w.nameRows[:0]
	clear(w.newNames)
	return nil
}

// storeBlock stores a chunk of the run's blocks (SQLite).
func (w *runWriter) storeBlock(chunk []byte) error {
	if _, err := w.insertBlock.ExecContext(w.ctx, w.runID, w.blockSeq, chunk); err != nil {
		return fmt.Errorf("insert run block: %w", sqliteError(err))
	}
	w.blockSeq++
	return nil
}

// storeDigest stores a chunk of the run's digest.
func (w *runWriter) storeDigest(chunk []byte) error {
	if _, err := w.insertDigest.ExecContext(w.ctx, w.runID, w.digestSeq, chunk); err != nil {
		return fmt.Errorf("insert digest: %w", sqliteError(err))
	}
	w.digestSeq++
	return nil
}

func (w *runWriter) unitMetadata(m *benchfmt.UnitMetadata) error {
	_, line := m.Pos()
	if _, err := w.insertUnitMD.ExecContext(w.ctx, w.runID, line, m.OrigUnit, m.Key, m.Value); err != nil {
		return fmt.Errorf("insert unit metadata: %w", sqliteError(err))
	}
	return nil
}
