package store

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"fmt"
	"io"
)

// A run's configuration summary (Run.Config: the first value each
// configuration key had in its input) is, on SQLite from schema version
// 8, one row of run_config_block per run instead of a run_config row
// per key: a run with a new key before every result had as many rows
// as results, each with its index entry. The view run_config gives the
// rows back (SQL function benchdb_run_config, sqlfunc.go), and Runs and
// Run read it.
//
// Layout (str = len:uvarint bytes):
//
//	data  = 0x00 entry*                 entries as they are
//	      | 0x01 deflate(entry*)        raw DEFLATE, for a long list
//	entry = key:str value:str
const (
	runConfigRaw     = 0
	runConfigDeflate = 1
)

// runConfigDeflateMin is the length of entries past which they are
// compressed: short lists (goos, goarch, pkg, cpu) are not worth a
// DEFLATE stream, and reading them needs no inflater.
const runConfigDeflateMin = 1 << 10

// appendRunConfig appends the encoding of the keys (in order) and their
// values.
func appendRunConfig(dst []byte, keys []string, values map[string]string) []byte {
	var raw []byte
	for _, k := range keys {
		raw = appendStr(raw, k)
		raw = appendStr(raw, values[k])
	}
	if len(raw) <= runConfigDeflateMin {
		return append(append(dst, runConfigRaw), raw...)
	}
	var z bytes.Buffer
	z.WriteByte(runConfigDeflate)
	fw, _ := flate.NewWriter(&z, flate.BestSpeed) // the level is valid
	fw.Write(raw)                                 // a bytes.Buffer does not fail
	fw.Close()
	return append(dst, z.Bytes()...)
}

// decodeRunConfig calls fn for each key and value of data.
func decodeRunConfig(data []byte, fn func(key, value []byte)) error {
	if len(data) == 0 {
		return fmt.Errorf("bad run configuration: empty")
	}
	raw := data[1:]
	switch data[0] {
	case runConfigRaw:
	case runConfigDeflate:
		var b bytes.Buffer
		fr := flate.NewReader(bytes.NewReader(data[1:]))
		if _, err := b.ReadFrom(io.LimitReader(fr, maxRunBlockChunk+1)); err != nil {
			return fmt.Errorf("bad run configuration: %w", err)
		}
		if b.Len() > maxRunBlockChunk {
			return fmt.Errorf("bad run configuration: over %d bytes", maxRunBlockChunk)
		}
		raw = b.Bytes()
	default:
		return fmt.Errorf("bad run configuration: kind %d", data[0])
	}
	c := chunkCursor{d: blockDecoder{data: raw}}
	for len(c.d.data) > 0 && c.d.err == nil {
		k := c.str()
		v := c.str()
		if c.d.err == nil {
			fn(k, v)
		}
	}
	if c.d.err != nil {
		return fmt.Errorf("bad run configuration: %w", c.d.err)
	}
	return nil
}

// runConfigJSON returns data's entries as a JSON array of [hex(key),
// hex(value)], for the run_config view.
func runConfigJSON(data []byte) (string, error) {
	out := []byte{'['}
	err := decodeRunConfig(data, func(k, v []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = appendHexJSON(append(out, '['), k)
		out = appendHexJSON(append(out, ','), v)
		out = append(out, ']')
	})
	if err != nil {
		return "", err
	}
	return string(append(out, ']')), nil
}

// migrateRunConfig is part of version 8's conversion: each run's
// run_config rows become its run_config_block row.
func migrateRunConfig(ctx context.Context, tx *sql.Tx) error {
	runs, err := runIDs(ctx, tx)
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, sqlInsertRunConfigBlock)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, run := range runs {
		var keys []string
		values := map[string]string{}
		rows, err := tx.QueryContext(ctx, sqlRunConfig, run)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
			values[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(keys) == 0 {
			continue
		}
		if _, err := ins.ExecContext(ctx, run, appendRunConfig(nil, keys, values)); err != nil {
			return fmt.Errorf("run %d: store configuration: %w", run, err)
		}
	}
	return nil
}
