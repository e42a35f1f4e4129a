package nightlytest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/benchdb/benchdb/reports"
	store "github.com/benchdb/benchdb/store/storedata"
	"golang.org/x/perf/benchfmt"
)

// MemSource is an in-memory store of runs, with the Runs and Results
// methods of *store.DB: a reports.MemSource of which it shows only the
// first runs added (see Until). It is safe for concurrent reads once
// built.
type MemSource struct {
	mem *reports.MemSource
	n   int // the runs shown are those with ids 1 to n
}

// NewMemSource parses runs and returns a source holding them with ids 1,
// 2, ... in order.
func NewMemSource(runs []Run) (*MemSource, error) {
	mem := new(reports.MemSource)
	for i, r := range runs {
		if _, err := mem.Add(bytes.NewReader(r.Text), fmt.Sprintf("run%d", i+1), r.Labels, r.Time); err != nil {
			return nil, err
		}
	}
	return &MemSource{mem: mem, n: len(runs)}, nil
}

// MustMemSource is NewMemSource that fails tb on error.
func MustMemSource(tb testing.TB, runs []Run) *MemSource {
	tb.Helper()
	m, err := NewMemSource(runs)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// Runs returns the runs, oldest first.
func (m *MemSource) Runs(ctx context.Context) ([]store.Run, error) {
	runs, err := m.mem.Runs(ctx)
	if err != nil {
		return nil, err
	}
	kept := runs[:0]
	for _, r := range runs {
		if r.ID <= int64(m.n) {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// Results calls fn for each result of the runs ids, in order. The result
// passed to fn must not be modified or kept.
func (m *MemSource) Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error {
	return m.mem.Results(ctx, ids, fn)
}

// Until returns a source that holds only the first n runs of m, sharing
// m's results.
func (m *MemSource) Until(n int) *MemSource {
	return &MemSource{mem: m.mem, n: n}
}
