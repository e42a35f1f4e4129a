package store

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A run digest (table run_digest, schema version 7) holds what a
// report reads of a run: each result_group row's package, name id, unit
// set and values, without iteration counts or lines, packed into a few
// rows per run (chunks of at most about digestChunk bytes) instead of a
// row per group. Reading 1,000 runs of 200 benchmarks was reading
// 200,000 rows, most of a report's time; it is now a thousand. The
// result_group rows stay the source of truth: a digest is written in
// the same transaction as its run (or by the migration to version 7,
// from the rows), and a run without one is read from its rows.
//
// Since schema version 8 only a PostgreSQL store keeps digests: a
// SQLite store keeps its values once, in run blocks (runblock.go),
// which Samples reads instead, and version 8's migration drops
// run_digest.
//
// Layout of a chunk (uvarint and varint as encoding/binary writes them):
//
//	chunk = 0x01 deflate(entry*)                     raw DEFLATE (RFC 1951)
//	entry = flags:byte [pkg:uvarint-length bytes]   pkg present if flags&1
//	        name:varint                              name_id minus the previous entry's (0 first)
//	        unitset:uvarint n:uvarint units:uvarint column{units}
//
// An entry's pkg is the previous entry's when absent (flags&1 is set on
// a chunk's first entry); columns are those of a value block (block.go):
// column j holds value j of each of the n results, in the units of the
// unit set, as the input wrote them.
const digestVersion = 1

// maxDigestChunk bounds a chunk's entries as digestDecoder inflates
// them, so that a damaged chunk cannot ask for a huge allocation.
const maxDigestChunk = 64 << 20

// digestChunk is the size (before compression) past which a digest chunk is stored and a new
// one begun: memory stays flat on any input, and a usual run's digest
// is one row.
const digestChunk = 64 << 10

// A digestWriter packs entries into chunks and passes each full chunk,
// and the last, to emit. The chunk passed is reused after emit returns.
type digestWriter struct {
	emit     func(chunk []byte) error
	buf      []byte // entries of the chunk begun
	z        bytes.Buffer
	fw       *flate.Writer
	pkg      string
	lastName int64
	scratch  []int64
}

// add appends an entry: n results of benchmark nameID in package pkg,
// with units values each (vals, result by result) in unit set unitSet.
// cols, if not nil, is the columns' encoding (appendColumns) already
// made; else add encodes vals.
func (dw *digestWriter) add(pkg string, nameID, unitSet int64, n, units int, vals []float64, cols []byte) error {
	if len(dw.buf) == 0 {
		dw.lastName = 0
		dw.buf = dw.appendPkg(pkg)
	} else if pkg != dw.pkg {
		dw.buf = dw.appendPkg(pkg)
	} else {
		dw.buf = append(dw.buf, 0)
	}
	dw.buf = binary.AppendVarint(dw.buf, nameID-dw.lastName)
	dw.lastName = nameID
	dw.buf = binary.AppendUvarint(dw.buf, uint64(unitSet))
	dw.buf = binary.AppendUvarint(dw.buf, uint64(n))
	dw.buf = binary.AppendUvarint(dw.buf, uint64(units))
	if cols != nil {
		dw.buf = append(dw.buf, cols...)
	} else {
		dw.buf, dw.scratch = appendColumns(dw.buf, n, units, vals, dw.scratch)
	}
	if len(dw.buf) >= digestChunk {
		return dw.flush()
	}
	return nil
}

func (dw *digestWriter) appendPkg(pkg string) []byte {
	dw.pkg = pkg
	b := append(dw.buf, 1)
	b = binary.AppendUvarint(b, uint64(len(pkg)))
	return append(b, pkg...)
}

// flush emits the chunk begun, if any.
func (dw *digestWriter) flush() error {
	if len(dw.buf) == 0 {
		return nil
	}
	dw.z.Reset()
	dw.z.WriteByte(digestVersion)
	if dw.fw == nil {
		// Huffman coding alone: the values, most of a digest, have
		// few repeats for LZ77 to find, and BestSpeed's search for
		// them was 7% of an ingest's CPU time (0.6 MB instead of 0.9
		// MB for 10^5 lines of distinct benchmarks' single results;
		// the same size on value-heavy input).
		dw.fw, _ = flate.NewWriter(&dw.z, flate.HuffmanOnly) // the level is valid
	} else {
		dw.fw.Reset(&dw.z)
	}
	dw.fw.Write(dw.buf) // a bytes.Buffer does not fail
	dw.fw.Close()
	dw.buf = dw.buf[:0]
	return dw.emit(dw.z.Bytes())
}

// A digestEntry is an entry of a decoded chunk; its values are
// vals[off:off+n*units] of the decoder.
type digestEntry struct {
	pkg             string
	nameID, unitSet int64
	n, units, off   int
}

// A digestDecoder decodes digest chunks, reusing its buffers.
type digestDecoder struct {
	fr  io.ReadCloser
	raw bytes.Buffer
}

// decode appends the entries of chunk to entries and their values to
// vals. pkgs interns package names.
func (dd *digestDecoder) decode(chunk []byte, entries []digestEntry, vals []float64, pkgs map[string]string) ([]digestEntry, []float64, error) {
	if len(chunk) == 0 || chunk[0] != digestVersion {
		return entries, vals, fmt.Errorf("bad run digest: not version %d", digestVersion)
	}
	if dd.fr == nil {
		dd.fr = flate.NewReader(bytes.NewReader(chunk[1:]))
	} else if err := dd.fr.(flate.Resetter).Reset(bytes.NewReader(chunk[1:]), nil); err != nil {
		return entries, vals, fmt.Errorf("bad run digest: %w", err)
	}
	dd.raw.Reset()
	if _, err := dd.raw.ReadFrom(io.LimitReader(dd.fr, maxDigestChunk+1)); err != nil {
		return entries, vals, fmt.Errorf("bad run digest: %w", err)
	}
	if dd.raw.Len() > maxDigestChunk {
		return entries, vals, fmt.Errorf("bad run digest: over %d bytes", maxDigestChunk)
	}
	d := blockDecoder{data: dd.raw.Bytes()}
	var pkg string
	var name int64
	first := true
	for len(d.data) > 0 && d.err == nil {
		flags := d.byte()
		switch {
		case flags&1 != 0:
			k := d.uvarint()
			if k > uint64(len(d.data)) {
				d.fail()
				break
			}
			p := d.data[:k]
			d.data = d.data[k:]
			s, ok := pkgs[string(p)]
			if !ok {
				s = string(p)
				pkgs[s] = s
			}
			pkg = s
		case flags != 0 || first:
			d.fail()
		}
		first = false
		name += d.varint()
		e := digestEntry{pkg: pkg, nameID: name, unitSet: int64(d.uvarint())}
		n, units := d.uvarint(), d.uvarint()
		if d.err != nil || n < 1 || n > maxBlockResults || units > maxBlockResults || n*units > maxBlockResults {
			d.fail()
			break
		}
		e.n, e.units, e.off = int(n), int(units), len(vals)
		vals = slices.Grow(vals, e.n*e.units)[:e.off+e.n*e.units]
		d.columns(e.n, e.units, vals[e.off:])
		entries = append(entries, e)
	}
	if d.err != nil {
		return entries, vals, fmt.Errorf("bad run digest: %w", d.err)
	}
	return entries, vals, nil
}

// Samples calls fn for the values of the runs ids, run after run in the
// order given: once for each stored group of results of one benchmark
// (package pkg, full name name) and each unit, with the group's values
// in that unit. Units and values are tidied as Results tidies them (a
// value that tidying leaves unchanged, such as 0 ns/op, keeps its
// unit, so a group's values of one unit may come in two calls). Calls
// for one run come in no particular order, and one benchmark and unit
// may come in several. fn must not retain values, which is reused; the
// strings may be kept. An error from fn stops the iteration and is
// returned. A missing run is an error wrapping ErrNoRun.
//
// Samples is what a report reads: on SQLite, a run's blocks
// (runblock.go), a few rows, without building a Result per line; on
// PostgreSQL, the run's digest.
func (db *DB) Samples(ctx context.Context, ids []int64, fn func(runID int64, pkg, name, unit string, values []float64) error) error {
	sr := &sampleReader{
		db:    db,
		units: &resultReader{db: db, units: map[int64][]unitInfo{}},
		names: map[int64]string{},
		pkgs:  map[string]string{},
	}
	query := sqlRunDigest
	if !db.pg {
		query = sqlRunBlocks
		sr.cache = newNameCache(db.db, maxNameCache)
	}
	stmt, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read samples: %w", sqliteError(err))
	}
	defer stmt.Close()
	for _, id := range ids {
		if err := sr.run(ctx, stmt, id, fn); err != nil {
			return err
		}
	}
	return nil
}

// A sampleReader reads run digests for Samples, caching unit sets and
// names.
type sampleReader struct {
	db      *DB
	units   *resultReader
	names   map[int64]string
	pkgs    map[string]string
	entries []digestEntry
	vals    []float64
	out     [2][]float64 // values in the tidied unit, in the unit as stored
	dd      digestDecoder
	missing []any
	cache   *nameCache // SQLite
	cd      chunkDecoder
	b       block
}

func (sr *sampleReader) run(ctx context.Context, stmt *sql.Stmt, id int64, fn func(int64, string, string, string, []float64) error) error {
	if !sr.db.pg {
		return sr.runBlocks(ctx, stmt, id, fn)
	}
	sr.entries, sr.vals = sr.entries[:0], sr.vals[:0]
	rows, err := stmt.QueryContext(ctx, id)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, sqliteError(err))
	}
	chunks := 0
	for rows.Next() {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		if sr.entries, sr.vals, err = sr.dd.decode(data, sr.entries, sr.vals, sr.pkgs); err != nil {
			rows.Close()
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		chunks++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, sqliteError(err))
	}
	if chunks == 0 {
		// No digest: a run must have one from version 7 on, but the
		// result_group rows are the truth; read them.
		if err := sr.db.exists(ctx, id); err != nil {
			return err
		}
		err := digestRun(ctx, sr.db.db, sr.db.pg, id, func(chunk []byte) error {
			var err error
			sr.entries, sr.vals, err = sr.dd.decode(chunk, sr.entries, sr.vals, sr.pkgs)
			return err
		})
		if err != nil {
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
	}
	if err := sr.loadNames(ctx); err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, err)
	}
	for _, e := range sr.entries {
		if err := sr.group(ctx, id, e.pkg, sr.names[e.nameID], e.unitSet, e.n, e.units, sr.vals[e.off:e.off+e.n*e.units], fn); err != nil {
			return err
		}
	}
	return nil
}

// group calls fn for the values of a group of n results of nunits
// values each (vals, result by result) in unit set unitSet.
func (sr *sampleReader) group(ctx context.Context, id int64, pkg, name string, unitSet int64, n, nunits int, vals []float64, fn func(int64, string, string, string, []float64) error) error {
	units, err := sr.units.unitSet(ctx, unitSet)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, err)
	}
	if len(units) != nunits {
		return fmt.Errorf("read samples of run %d: %d values for %d units", id, nunits, len(units))
	}
	for j, u := range units {
		tidy, orig := sr.out[0][:0], sr.out[1][:0]
		for i := range n {
			f := vals[i*nunits+j]
			// As groupCursor.result: a value tidying leaves as it
			// is keeps its unit.
			if t := f * u.factor; t == f {
				orig = append(orig, f)
			} else {
				tidy = append(tidy, t)
			}
		}
		sr.out[0], sr.out[1] = tidy, orig
		if len(tidy) > 0 {
			if err := fn(id, pkg, name, u.tidy, tidy); err != nil {
				return err
			}
		}
		if len(orig) > 0 {
			if err := fn(id, pkg, name, u.orig, orig); err != nil {
				return err
			}
		}
	}
	return nil
}

// runBlocks is run on SQLite: it reads the run's blocks.
func (sr *sampleReader) runBlocks(ctx context.Context, stmt *sql.Stmt, id int64, fn func(int64, string, string, string, []float64) error) error {
	rows, err := stmt.QueryContext(ctx, id)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	br := runBlockReader{rows: rows, names: sr.cache, cd: &sr.cd}
	var rec runRecord
	for {
		ok, err := br.next(ctx, &rec)
		if err != nil {
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		if !ok {
			if br.chunks == 0 {
				// Every run stored has results: is there a run?
				return sr.db.exists(ctx, id)
			}
			return nil
		}
		if rec.config {
			continue
		}
		if err := sr.b.decode(rec.block); err != nil {
			return fmt.Errorf("read samples of run %d: %w", id, err)
		}
		pkg, ok := sr.pkgs[string(br.pkg)]
		if !ok {
			pkg = string(br.pkg)
			sr.pkgs[pkg] = pkg
		}
		if err := sr.group(ctx, id, pkg, sr.cache.names[rec.nameID], rec.unitSet, sr.b.n, sr.b.units, sr.b.vals, fn); err != nil {
			return err
		}
	}
}

// namesPerQuery is how many names loadNames asks for in one query.
const namesPerQuery = 256

// loadNames reads the names of the entries that are not cached.
func (sr *sampleReader) loadNames(ctx context.Context) error {
	sr.missing = sr.missing[:0]
	asked := map[int64]bool{}
	for _, e := range sr.entries {
		if _, ok := sr.names[e.nameID]; !ok && !asked[e.nameID] {
			asked[e.nameID] = true
			sr.missing = append(sr.missing, e.nameID)
		}
	}
	for len(sr.missing) > 0 {
		k := min(len(sr.missing), namesPerQuery)
		q := sqlNamesByID + "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
		rows, err := sr.db.db.QueryContext(ctx, q, sr.missing[:k]...)
		if err != nil {
			return fmt.Errorf("read names: %w", sqliteError(err))
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return fmt.Errorf("read names: %w", err)
			}
			sr.names[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read names: %w", sqliteError(err))
		}
		for _, id := range sr.missing[:k] {
			if _, ok := sr.names[id.(int64)]; !ok {
				return fmt.Errorf("read names: no name %d", id)
			}
		}
		sr.missing = sr.missing[k:]
	}
	return nil
}

// digestRun builds the digest of run id from its result_group rows and
// configuration lines (as an ingest builds it), passing each chunk to
// emit.
func digestRun(ctx context.Context, q rowsQuerier, pg bool, id int64, emit func([]byte) error) error {
	ops, err := queryConfigLines(ctx, q, id)
	if err != nil {
		return err
	}
	query := sqlDigestGroups
	if pg {
		query = sqlDigestGroupsJSON
	}
	rows, err := q.QueryContext(ctx, query, id)
	if err != nil {
		return fmt.Errorf("read results: %w", sqliteError(err))
	}
	defer rows.Close()
	dw := digestWriter{emit: emit}
	var (
		b                    block
		pkg                  string
		line                 int
		n                    int
		nameID, unitSet      int64
		data, iters, vals, l []byte
	)
	for rows.Next() {
		if pg {
			err = rows.Scan(&line, &nameID, &unitSet, &n, &iters, &vals, &l)
		} else {
			err = rows.Scan(&line, &nameID, &unitSet, &n, &data)
		}
		if err != nil {
			return fmt.Errorf("read results: %w", err)
		}
		if pg {
			err = b.parseJSON(n, iters, vals, l)
		} else {
			err = b.decode(data)
		}
		if err != nil {
			return fmt.Errorf("result group at line %d: %w", line, err)
		}
		for len(ops) > 0 && ops[0].line < line {
			if ops[0].key == "pkg" {
				pkg = ops[0].value
			}
			ops = ops[1:]
		}
		if err := dw.add(pkg, nameID, unitSet, b.n, b.units, b.vals, nil); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read results: %w", sqliteError(err))
	}
	return dw.flush()
}

// migrateDigestsSQLite is migrateDigests on SQLite.
func migrateDigestsSQLite(ctx context.Context, tx *sql.Tx) error {
	return migrateDigests(ctx, tx, false)
}

// A rowsQuerier runs queries: a *sql.DB or a *sql.Tx.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// migrateDigests is version 7's conversion: the digest of every run,
// from its rows.
func migrateDigests(ctx context.Context, tx *sql.Tx, pg bool) error {
	runs, err := runIDs(ctx, tx)
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, sqlInsertDigest)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, run := range runs {
		seq := 0
		err := digestRun(ctx, tx, pg, run, func(chunk []byte) error {
			if _, err := ins.ExecContext(ctx, run, seq, chunk); err != nil {
				return fmt.Errorf("store digest: %w", sqliteError(err))
			}
			seq++
			return nil
		})
		if err != nil {
			return fmt.Errorf("run %d: %w", run, err)
		}
	}
	return nil
}
