package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/benchcfg"
)

// Export writes the runs ids to w in the Go benchmark format: their Unit
// metadata lines first, then their results in stored order, each
// preceded by the configuration lines that changed. Read back with
// benchfmt.Reader, the export gives the stored results exactly, their
// configuration in the same order included, so benchstat computes the
// same numbers from the export as from the original input.
func (db *DB) Export(ctx context.Context, w io.Writer, ids ...int64) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	units, err := db.UnitMetadata(ctx, ids)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, u := range units {
		fmt.Fprintf(bw, "Unit %s %s=%s\n", u.OrigUnit, u.Key, u.Value)
	}
	ew := &exportWriter{w: bw}
	err = db.Results(ctx, ids, func(_ int64, r *benchfmt.Result) error {
		ew.result(r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exportWriter writes results with the configuration lines that take
// benchfmt.Reader from the configuration of the previous result to that
// of the next. benchfmt.Writer does not do this exactly: a key deleted
// and set again comes back, in the reader, at a different place in
// Result.Config, and the reader deletes a key by moving the last key
// into its place, which the writer does not model. exportWriter keeps
// the reader's state as the reader keeps it and checks that its lines
// reach the wanted order; where the few lines cannot, it deletes every
// key and sets them again in order.
type exportWriter struct {
	w     *bufio.Writer
	state []benchfmt.Config // the reader's configuration, in its order
	began bool              // a result has been written
	buf   bytes.Buffer
	line  []byte
}

func (ew *exportWriter) result(r *benchfmt.Result) {
	want := fileConfig(r.Config)
	if !benchcfg.Equal(ew.state, want) {
		ew.config(want)
	}
	ew.line = append(ew.line[:0], "Benchmark"...)
	ew.line = append(ew.line, r.Name...)
	ew.line = append(ew.line, ' ')
	ew.line = strconv.AppendInt(ew.line, int64(r.Iters), 10)
	for _, v := range r.Values {
		val, unit := v.Value, v.Unit
		if v.OrigUnit != "" {
			val, unit = v.OrigValue, v.OrigUnit
		}
		// %v of a float64, as benchfmt.Writer writes it.
		ew.line = append(ew.line, ' ')
		ew.line = fmt.Appendf(ew.line, "%v", val)
		ew.line = append(ew.line, ' ')
		ew.line = append(ew.line, unit...)
	}
	ew.line = append(ew.line, '\n')
	ew.w.Write(ew.line)
	ew.began = true
}

// config writes the block of configuration lines that turns ew.state
// into want, and sets ew.state to want.
func (ew *exportWriter) config(want []benchfmt.Config) {
	ew.buf.Reset()
	sim := slices.Clone(ew.state)
	// Keys are looked up by scanning a small configuration and through a
	// map in a large one: a run with a new key before each result has n
	// configurations of up to n keys, and scanning made exporting it
	// cubic (10,000 such results took minutes).
	var wantAt, simAt map[string]int
	if len(want)+len(sim) > maxScannedConfig {
		wantAt, simAt = configIndex(want), configIndex(sim)
	}
	index := func(cfg []benchfmt.Config, at map[string]int, key string) int {
		if at == nil {
			return indexConfig(cfg, key)
		}
		if i, ok := at[key]; ok {
			return i
		}
		return -1
	}
	// Deletions first, then changed and new keys.
	for _, c := range ew.state {
		if index(want, wantAt, c.Key) >= 0 {
			continue
		}
		ew.setLine(c.Key, nil)
		// As benchfmt.Reader deletes: the last key takes its place.
		if i := index(sim, simAt, c.Key); i >= 0 {
			last := len(sim) - 1
			if simAt != nil {
				simAt[sim[last].Key] = i
				delete(simAt, c.Key)
			}
			sim[i] = sim[last]
			sim = sim[:last]
		}
	}
	for _, c := range want {
		i := index(sim, simAt, c.Key)
		switch {
		case i < 0:
			if simAt != nil {
				simAt[c.Key] = len(sim)
			}
			sim = append(sim, c)
		case bytes.Equal(sim[i].Value, c.Value):
			continue
		default:
			sim[i] = c
		}
		ew.setLine(c.Key, c.Value)
	}
	if !benchcfg.Equal(sim, want) {
		// The order cannot be reached by changes in place: start
		// from an empty configuration.
		ew.buf.Reset()
		for _, c := range ew.state {
			ew.setLine(c.Key, nil)
		}
		for _, c := range want {
			ew.setLine(c.Key, c.Value)
		}
	}
	if ew.began {
		// A blank line between results and the block, as
		// benchfmt.Writer writes it.
		ew.w.WriteByte('\n')
	}
	ew.w.Write(ew.buf.Bytes())
	ew.w.WriteByte('\n')
	ew.state = append(ew.state[:0], want...)
	// Own the values: r is reused by the caller.
	for i := range ew.state {
		ew.state[i].Value = slices.Clone(ew.state[i].Value)
	}
}

// maxScannedConfig is the most keys (of the old and the new
// configuration together) that exportWriter.config finds by scanning.
const maxScannedConfig = 64

// configIndex maps each key of cfg to its index.
func configIndex(cfg []benchfmt.Config) map[string]int {
	m := make(map[string]int, len(cfg))
	for i, c := range cfg {
		m[c.Key] = i
	}
	return m
}

// setLine writes "key: value", or "key:" to delete key.
func (ew *exportWriter) setLine(key string, value []byte) {
	ew.buf.WriteString(key)
	ew.buf.WriteByte(':')
	if len(value) > 0 {
		ew.buf.WriteByte(' ')
		ew.buf.Write(value)
	}
	ew.buf.WriteByte('\n')
}

// fileConfig returns the file configuration of cfg, the keys a
// configuration line sets.
func fileConfig(cfg []benchfmt.Config) []benchfmt.Config {
	for _, c := range cfg {
		if !c.File {
			return slices.DeleteFunc(slices.Clone(cfg), func(c benchfmt.Config) bool { return !c.File })
		}
	}
	return cfg
}

func indexConfig(cfg []benchfmt.Config, key string) int {
	for i, c := range cfg {
		if c.Key == key {
			return i
		}
	}
	return -1
}
