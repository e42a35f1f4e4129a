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
