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
// ingested into dst with the run's time, labels and source name. The
// copy is idempotent: a run copied before is found by its content hash
// and stored once (missing labels are added). fn, if not nil, is called
// after each run, for progress.
//
// The destination's content hash is that of the exported text, so a run
// copied in and the same original output ingested directly may be two
// runs when the export differs from the original text.
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
		res, err := dst.Ingest(ctx, bytes.NewReader(buf.Bytes()), IngestOptions{
			Name:   run.Source,
			Time:   run.Time,
			Labels: run.Labels,
		})
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
