package store

import (
	"bytes"
	"context"
	"fmt"

	"github.com/benchdb/benchdb/store/storedata"
)

// CopyResult is what Copy did with one run of the source
// (storedata.CopyResult).
type CopyResult = storedata.CopyResult

// Copy copies runs (all of them if ids is empty) from src to dst, one
// transaction each: each run's results are exported (Export) and
// ingested into dst with the run's time, labels, source name and content
// hash. The copy is idempotent: the copy of a run keeps the content hash
// of the text first ingested, so a run copied before, the same output
// ingested directly, or a copy of the run copied back is found by it and
// stored once (missing labels are added). fn, if not nil, is called
// after each run, for progress.
func Copy(ctx context.Context, src, dst *DB, ids []int64, fn func(i, n int, r CopyResult)) ([]CopyResult, error) {
	if len(ids) == 0 {
		runs, err := src.Runs(ctx)
		if err != nil {
			return nil, fmt.Errorf("copy from %s: %w", src.Path(), err)
		}
		for _, r := range runs {
			ids = append(ids, r.ID)
		}
	}
	var out []CopyResult
	var buf bytes.Buffer
	for i, id := range ids {
		run, err := src.Run(ctx, id)
		if err != nil {
			return out, fmt.Errorf("copy from %s: %w", src.Path(), err)
		}
		buf.Reset()
		if err := src.Export(ctx, &buf, id); err != nil {
			return out, fmt.Errorf("copy from %s: run %d: %w", src.Path(), id, err)
		}
		var sum string
		if err := src.db.QueryRowContext(ctx, sqlRunHash, id).Scan(&sum); err != nil {
			return out, fmt.Errorf("copy from %s: run %d: read content hash: %w", src.Path(), id, err)
		}
		in, err := NewInput(ctx, bytes.NewReader(buf.Bytes()), IngestOptions{
			Name:   run.Source,
			Time:   run.Time,
			Labels: run.Labels,
		})
		if err != nil {
			return out, fmt.Errorf("copy run %d to %s: %w", id, dst.Path(), err)
		}
		in.key = sum
		res, err := dst.IngestInput(ctx, in)
		in.Close()
		if err != nil {
			return out, fmt.Errorf("copy run %d to %s: %w", id, dst.Path(), err)
		}
		r := CopyResult{From: id, Ingested: res}
		out = append(out, r)
		if fn != nil {
			fn(i, len(ids), r)
		}
	}
	return out, nil
}

// sqlRunHash reads the content hash of a run, its identity.
const sqlRunHash = `SELECT content_hash FROM run WHERE id = ?`

// contentHash returns the hash that identifies the run the input makes:
// that of its content, or the one Copy keeps from the source store.
func (in *Input) contentHash() string {
	if in.key != "" {
		return in.key
	}
	return in.sum
}
