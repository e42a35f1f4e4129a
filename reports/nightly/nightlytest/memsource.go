package nightlytest

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/benchdb/benchdb/store"
	"golang.org/x/perf/benchfmt"
)

// MemSource is an in-memory store of runs, with the Runs and Results
// methods of *store.DB. It is safe for concurrent reads once built.
type MemSource struct {
	runs    []store.Run
	results map[int64][]*benchfmt.Result
}

// NewMemSource parses runs and returns a source holding them with ids 1,
// 2, ... in order.
func NewMemSource(runs []Run) (*MemSource, error) {
	m := &MemSource{results: make(map[int64][]*benchfmt.Result)}
	for i, r := range runs {
		id := int64(i + 1)
		rd := benchfmt.NewReader(bytes.NewReader(r.Text), fmt.Sprintf("run%d", id))
		cfg := map[string]string{}
		n := 0
		for rd.Scan() {
			switch rec := rd.Result().(type) {
			case *benchfmt.Result:
				m.results[id] = append(m.results[id], rec.Clone())
				for _, c := range rec.Config {
					if c.File {
						if _, ok := cfg[c.Key]; !ok {
							cfg[c.Key] = string(c.Value)
						}
					}
				}
				n++
			case *benchfmt.SyntaxError:
				return nil, rec
			}
		}
		if err := rd.Err(); err != nil {
			return nil, err
		}
		m.runs = append(m.runs, store.Run{ID: id, Time: r.Time, Labels: maps.Clone(r.Labels), Config: cfg, Results: n})
	}
	return m, nil
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
	return slices.Clone(m.runs), nil
}

// Results calls fn for each result of the runs ids, in order. The result
// passed to fn must not be modified or kept.
func (m *MemSource) Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error {
	for _, id := range ids {
		for _, r := range m.results[id] {
			if err := fn(id, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// Until returns a source that holds only the first n runs of m, sharing
// m's results.
func (m *MemSource) Until(n int) *MemSource {
	return &MemSource{runs: m.runs[:n], results: m.results}
}
