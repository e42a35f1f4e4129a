package store

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"golang.org/x/perf/benchfmt"
)

// Export writes the runs ids to w in the Go benchmark format: their Unit
// metadata lines first, then their results in stored order, each
// preceded by the configuration lines that changed. benchstat computes
// the same numbers from the export as from the original input.
func (db *DB) Export(ctx context.Context, w io.Writer, ids ...int64) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fw := benchfmt.NewWriter(bw)
	units, err := db.UnitMetadata(ctx, ids)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, u := range units {
		if err := fw.Write(u); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	err = db.Results(ctx, ids, func(_ int64, r *benchfmt.Result) error {
		return fw.Write(r)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
