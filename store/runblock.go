package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// A run block (table run_block, schema version 8, SQLite) holds a run's
// results and configuration lines, the only copy of them: the run's
// value blocks (block.go), each with its first input line, name id and
// unit set, and its configuration lines, in input order, packed into a
// few compressed rows per run (chunks of about runBlockChunk bytes
// before compression) instead of a row per group of results and per
// configuration line. Every reader reads them: Results (export, compare,
// show, copy), Samples (report), and the views through the SQL
// functions benchdb_groups and benchdb_config (sqlfunc.go).
//
// Records come in the order of their input lines (a group by its first
// line; a group before a configuration line of the same line, which
// only stores migrated from version 2 have), so that a reader replays
// the configuration and merges interleaved groups as it goes, in memory
// bounded by the open groups.
//
// Layout of a chunk (uvarint and varint as encoding/binary writes them;
// str = len:uvarint bytes):
//
//	chunk  = 0x01 deflate(header record*)            raw DEFLATE (RFC 1951)
//	       | 0x02 header record*                     stored: DEFLATE saved under 15%
//	header = seq:uvarint pkg                         seq: the run's number of the chunk's first configuration line
//	pkg    = 0x00                                    no pkg configuration line before the chunk
//	       | 0x01 value:str                          the value of the last one (empty: deleted)
//	record = 0x00 dline:uvarint key:str value:str    configuration line (value empty: key deleted)
//	       | 0x01 dline:uvarint value:str            configuration line of the chunk's previous key
//	       | 0x02 dline:uvarint dname:varint unitset:uvarint len:uvarint block
//
// dline is the record's input line minus the previous record's in the
// chunk (the first's minus 0); dname the group's name id minus the
// previous group's in the chunk (the first's minus 0); block a value
// block of len bytes. The header makes each chunk readable alone (the
// views decode chunk by chunk). A chunk of values alone (few benchmarks
// with many results, interleaved benchmarks) compresses by 10 to 15%
// (its value blocks are compact already), names and configuration
// lines by 60%: a chunk that DEFLATE shrinks by less than 15% is stored
// as it is, so that reading it costs no inflating (a fifth of Results'
// time on such input).
const (
	runBlockVersion = 1 // DEFLATE-compressed
	runBlockStored  = 2
)

// Record tags of a run block chunk.
const (
	recConfig     = 0
	recConfigSame = 1
	recGroup      = 2
)

// runBlockChunk is the size (before compression) past which a chunk is
// stored and a new one begun.
const runBlockChunk = 64 << 10

// maxRunBlockChunk bounds a chunk as it is inflated, so that a damaged
// one cannot ask for a huge allocation.
const maxRunBlockChunk = 64 << 20

// maxPendingGroups bounds the bytes of value blocks an ingest holds
// before it writes them in line order (runWriter.drainGroups): past it,
// every open group is ended, so memory stays flat on any input.
const maxPendingGroups = 1 << 20

// errRunBlock is the error for a damaged run block.
var errRunBlock = errors.New("bad run block")

// A runBlockWriter packs a run's records into chunks and passes each
// full chunk, and the last, to emit. Records must come in line order.
// The chunk passed is reused after emit returns.
type runBlockWriter struct {
	emit func(chunk []byte) error
	buf  []byte // the chunk begun, before compression
	z    bytes.Buffer
	fw   *flate.Writer

	// Delta state within the chunk begun.
	line    int
	name    int64
	lastKey string
	hasKey  bool

	// State for the next chunk's header.
	seq    uint64 // configuration lines written
	pkg    string
	hasPkg bool
}

// begin starts a chunk if none is begun.
func (bw *runBlockWriter) begin() {
	if len(bw.buf) > 0 {
		return
	}
	bw.line, bw.name, bw.lastKey, bw.hasKey = 0, 0, "", false
	bw.buf = binary.AppendUvarint(bw.buf, bw.seq)
	if bw.hasPkg {
		bw.buf = appendStr(append(bw.buf, 1), bw.pkg)
	} else {
		bw.buf = append(bw.buf, 0)
	}
}

// appendLine appends the delta of line, which must not be before the
// previous record's.
func (bw *runBlockWriter) appendLine(line int) error {
	if line < bw.line {
		return fmt.Errorf("%w: line %d after line %d", errRunBlock, line, bw.line)
	}
	bw.buf = binary.AppendUvarint(bw.buf, uint64(line-bw.line))
	bw.line = line
	return nil
}

// config adds a configuration line.
func (bw *runBlockWriter) config(line int, key, value string) error {
	bw.begin()
	if bw.hasKey && key == bw.lastKey {
		bw.buf = append(bw.buf, recConfigSame)
		if err := bw.appendLine(line); err != nil {
			return err
		}
	} else {
		bw.buf = append(bw.buf, recConfig)
		if err := bw.appendLine(line); err != nil {
			return err
		}
		bw.buf = appendStr(bw.buf, key)
		bw.lastKey, bw.hasKey = key, true
	}
	bw.buf = appendStr(bw.buf, value)
	bw.seq++
	if key == "pkg" {
		bw.pkg, bw.hasPkg = value, true
	}
	return bw.maybeFlush()
}

// group adds a group of results: its value block, first on input line
// line.
func (bw *runBlockWriter) group(line int, nameID, unitSet int64, block []byte) error {
	bw.begin()
	bw.buf = append(bw.buf, recGroup)
	if err := bw.appendLine(line); err != nil {
		return err
	}
	bw.buf = binary.AppendVarint(bw.buf, nameID-bw.name)
	bw.name = nameID
	bw.buf = binary.AppendUvarint(bw.buf, uint64(unitSet))
	bw.buf = binary.AppendUvarint(bw.buf, uint64(len(block)))
	bw.buf = append(bw.buf, block...)
	return bw.maybeFlush()
}

func (bw *runBlockWriter) maybeFlush() error {
	if len(bw.buf) >= runBlockChunk {
		return bw.flush()
	}
	return nil
}

// flush emits the chunk begun, if any.
func (bw *runBlockWriter) flush() error {
	if len(bw.buf) == 0 {
		return nil
	}
	bw.z.Reset()
	bw.z.WriteByte(runBlockVersion)
	if bw.fw == nil {
		bw.fw, _ = flate.NewWriter(&bw.z, flate.BestSpeed) // the level is valid
	} else {
		bw.fw.Reset(&bw.z)
	}
	bw.fw.Write(bw.buf) // a bytes.Buffer does not fail
	bw.fw.Close()
	out := bw.z.Bytes()
	if len(out)-1 > len(bw.buf)*85/100 {
		bw.z.Reset()
		bw.z.WriteByte(runBlockStored)
		bw.z.Write(bw.buf)
		out = bw.z.Bytes()
	}
	bw.buf = bw.buf[:0]
	return bw.emit(out)
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// A runRecord is a record of a decoded chunk. Its byte slices point
// into the decoder's buffer: they are valid until the next reset.
type runRecord struct {
	config bool
	line   int
	// A configuration line: its number in the run (from 0), key and
	// value.
	seq        uint64
	key, value []byte
	// A group: its name id, unit set and value block.
	nameID, unitSet int64
	block           []byte
}

// A chunkCursor is a position in a decoded chunk.
type chunkCursor struct {
	d       blockDecoder
	line    int
	name    int64
	seq     uint64
	lastKey []byte
	hasKey  bool
}

// next reads the next record into rec; false at the end of the chunk or
// on an error (in c.d.err).
func (c *chunkCursor) next(rec *runRecord) bool {
	d := &c.d
	if len(d.data) == 0 || d.err != nil {
		return false
	}
	tag := d.byte()
	dline := d.uvarint()
	if dline > math.MaxInt32 || c.line+int(dline) > math.MaxInt32 {
		d.fail()
	}
	c.line += int(dline)
	*rec = runRecord{line: c.line}
	switch tag {
	case recConfig:
		c.lastKey, c.hasKey = c.str(), true
		fallthrough
	case recConfigSame:
		if !c.hasKey {
			d.fail()
		}
		rec.config, rec.seq, rec.key, rec.value = true, c.seq, c.lastKey, c.str()
		c.seq++
	case recGroup:
		c.name += d.varint()
		rec.nameID = c.name
		rec.unitSet = int64(d.uvarint())
		k := d.uvarint()
		if k > uint64(len(d.data)) || rec.unitSet < 0 {
			d.fail()
			break
		}
		rec.block = d.data[:k:k]
		d.data = d.data[k:]
	default:
		d.fail()
	}
	return d.err == nil
}

// str reads a str.
func (c *chunkCursor) str() []byte {
	k := c.d.uvarint()
	if k > uint64(len(c.d.data)) {
		c.d.fail()
		return nil
	}
	s := c.d.data[:k:k]
	c.d.data = c.d.data[k:]
	return s
}

// A chunkDecoder inflates run block chunks, reusing its buffers.
type chunkDecoder struct {
	fr  io.ReadCloser
	raw bytes.Buffer
	// The header of the chunk decoded: pkg (if hasPkg) is the pkg in
	// effect at its start.
	pkg    []byte
	hasPkg bool
	// start is the cursor at the first record.
	start chunkCursor
}

// reset inflates chunk and reads its header; records are then read
// with a copy of cd.start.
func (cd *chunkDecoder) reset(chunk []byte) error {
	if len(chunk) == 0 || chunk[0] != runBlockVersion && chunk[0] != runBlockStored {
		return fmt.Errorf("%w: not version %d", errRunBlock, runBlockVersion)
	}
	cd.raw.Reset()
	if chunk[0] == runBlockStored {
		cd.raw.Write(chunk[1:])
	} else {
		if cd.fr == nil {
			cd.fr = flate.NewReader(bytes.NewReader(chunk[1:]))
		} else if err := cd.fr.(flate.Resetter).Reset(bytes.NewReader(chunk[1:]), nil); err != nil {
			return fmt.Errorf("%w: %w", errRunBlock, err)
		}
		if _, err := cd.raw.ReadFrom(io.LimitReader(cd.fr, maxRunBlockChunk+1)); err != nil {
			return fmt.Errorf("%w: %w", errRunBlock, err)
		}
		if cd.raw.Len() > maxRunBlockChunk {
			return fmt.Errorf("%w: over %d bytes", errRunBlock, maxRunBlockChunk)
		}
	}
	c := chunkCursor{d: blockDecoder{data: cd.raw.Bytes()}}
	c.seq = c.d.uvarint()
	switch c.d.byte() {
	case 0:
		cd.pkg, cd.hasPkg = nil, false
	case 1:
		cd.pkg, cd.hasPkg = c.str(), true
	default:
		c.d.fail()
	}
	if c.d.err != nil {
		return errRunBlock
	}
	cd.start = c
	return nil
}

// blockResults returns the number of results of a value block, from its
// header.
func blockResults(data []byte) (int, error) {
	d := blockDecoder{data: data}
	if d.byte() != blockVersion {
		return 0, errBlock
	}
	n := d.uvarint()
	if d.err != nil || n < 1 || n > maxBlockResults {
		return 0, errBlock
	}
	return int(n), nil
}

// The SQL functions benchdb_groups and benchdb_config (sqlfunc.go): a
// chunk's groups and configuration lines as JSON text, for the views.
// Bytes (value blocks, keys, values, pkg) are hex strings, which the
// views turn back with unhex.

// groupsJSON returns a chunk's groups as a JSON array of [line,
// name_id, unit_set_id, n, hex(block), hex(pkg) or null], pkg being
// the pkg configuration in effect for the group.
func groupsJSON(chunk []byte) (string, error) {
	var cd chunkDecoder
	if err := cd.reset(chunk); err != nil {
		return "", err
	}
	pkg, hasPkg := cd.pkg, cd.hasPkg
	c := cd.start
	var rec runRecord
	out := []byte{'['}
	for c.next(&rec) {
		if rec.config {
			if string(rec.key) == "pkg" {
				pkg, hasPkg = rec.value, true
			}
			continue
		}
		n, err := blockResults(rec.block)
		if err != nil {
			return "", err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '[')
		out = strconv.AppendInt(out, int64(rec.line), 10)
		out = append(out, ',')
		out = strconv.AppendInt(out, rec.nameID, 10)
		out = append(out, ',')
		out = strconv.AppendInt(out, rec.unitSet, 10)
		out = append(out, ',')
		out = strconv.AppendInt(out, int64(n), 10)
		out = appendHexJSON(append(out, ','), rec.block)
		out = append(out, ',')
		if hasPkg {
			out = appendHexJSON(out, pkg)
		} else {
			out = append(out, "null"...)
		}
		out = append(out, ']')
	}
	if c.d.err != nil {
		return "", c.d.err
	}
	return string(append(out, ']')), nil
}

// configJSON returns a chunk's configuration lines as a JSON array of
// [seq, line, hex(key), hex(value)].
func configJSON(chunk []byte) (string, error) {
	var cd chunkDecoder
	if err := cd.reset(chunk); err != nil {
		return "", err
	}
	c := cd.start
	var rec runRecord
	out := []byte{'['}
	for c.next(&rec) {
		if !rec.config {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '[')
		out = strconv.AppendUint(out, rec.seq, 10)
		out = append(out, ',')
		out = strconv.AppendInt(out, int64(rec.line), 10)
		out = appendHexJSON(append(out, ','), rec.key)
		out = appendHexJSON(append(out, ','), rec.value)
		out = append(out, ']')
	}
	if c.d.err != nil {
		return "", c.d.err
	}
	return string(append(out, ']')), nil
}

func appendHexJSON(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = hex.AppendEncode(dst, b)
	return append(dst, '"')
}
