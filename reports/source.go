package reports

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/benchdb/benchdb/internal/benchcfg"
	"github.com/benchdb/benchdb/store/storedata"
	"golang.org/x/perf/benchfmt"
)

// A Source is the read side of a benchmark store: the methods of
// *store.DB that reports uses.
type Source interface {
	// Runs returns every stored run, oldest first.
	Runs(ctx context.Context) ([]storedata.Run, error)
	// Results calls fn for every result of the runs ids, in stored
	// order. The *benchfmt.Result may be reused after fn returns.
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
	// UnitMetadata returns the Unit metadata lines of the runs ids.
	UnitMetadata(ctx context.Context, ids []int64) ([]*benchfmt.UnitMetadata, error)
}

// A GroupSource is a Source that also reads results in groups of one
// benchmark with the same configuration and units, which Compare then
// places at once rather than result by result. *store.DB is one.
type GroupSource interface {
	Source
	// ResultGroups calls fn for the results of the runs ids, run after
	// run in the order given, in groups, each at the place of its first
	// result (storedata.ResultGroup says what that keeps). The group
	// may be reused after fn returns.
	ResultGroups(ctx context.Context, ids []int64, fn func(runID int64, g *storedata.ResultGroup) error) error
}

// MemSource is an in-memory Source filled from benchmark-format text. It
// stands in for a database in tests and in tools that compare files.
// Its zero value is empty and ready to use; it is not safe for
// concurrent use while runs are being added.
type MemSource struct {
	runs    []storedata.Run
	results map[int64][]*benchfmt.Result
	units   map[int64][]*benchfmt.UnitMetadata
}

var _ GroupSource = (*MemSource)(nil)

// Add reads benchmark-format text from r as a new run with the given
// labels and time, and returns the run's id (1, 2, ...). name is used in
// error messages. A syntax error in the input is returned as
// name:line: message, and nothing is added.
func (m *MemSource) Add(r io.Reader, name string, labels map[string]string, t time.Time) (int64, error) {
	var (
		rd      = benchfmt.NewReader(r, name)
		results []*benchfmt.Result
		units   []*benchfmt.UnitMetadata
		config  = map[string]string{}
	)
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			return 0, rec
		case *benchfmt.UnitMetadata:
			u := *rec
			units = append(units, &u)
		case *benchfmt.Result:
			res := rec.Clone()
			for _, c := range res.Config {
				if _, ok := config[c.Key]; !ok && c.File {
					config[c.Key] = string(c.Value)
				}
			}
			results = append(results, res)
		}
	}
	if err := rd.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", name, err)
	}
	if len(results) == 0 {
		return 0, fmt.Errorf("%s: %w", name, storedata.ErrNoResults)
	}
	if m.results == nil {
		m.results = map[int64][]*benchfmt.Result{}
		m.units = map[int64][]*benchfmt.UnitMetadata{}
	}
	id := int64(len(m.runs) + 1)
	m.runs = append(m.runs, storedata.Run{
		ID: id, Time: t, Labels: maps.Clone(labels), Config: config, Results: len(results),
	})
	m.results[id] = results
	m.units[id] = units
	return id, nil
}

// AddString is Add for text held in a string.
func (m *MemSource) AddString(text, name string, labels map[string]string, t time.Time) (int64, error) {
	return m.Add(bytes.NewReader([]byte(text)), name, labels, t)
}

// Runs returns the runs added so far, oldest first (by time, then id).
func (m *MemSource) Runs(context.Context) ([]storedata.Run, error) {
	runs := slices.Clone(m.runs)
	slices.SortStableFunc(runs, func(a, b storedata.Run) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return runs, nil
}

// Results calls fn for each result of the runs ids, run by run in the
// order of ids. fn must not keep the *benchfmt.Result or modify its
// Config or Name in place.
func (m *MemSource) Results(ctx context.Context, ids []int64, fn func(int64, *benchfmt.Result) error) error {
	var values []benchfmt.Value
	for _, id := range ids {
		rs, ok := m.results[id]
		if !ok {
			return fmt.Errorf("run %d: %w", id, storedata.ErrNoRun)
		}
		for _, r := range rs {
			if err := ctx.Err(); err != nil {
				return err
			}
			// A fresh Result each time, so that its lazily built
			// config index is never stale; Values are copied because
			// benchproc filters rewrite them in place.
			values = append(values[:0], r.Values...)
			res := &benchfmt.Result{Config: r.Config, Name: r.Name, Iters: r.Iters, Values: values}
			if err := fn(id, res); err != nil {
				return err
			}
		}
	}
	return nil
}

// UnitMetadata returns the Unit metadata of the runs ids.
func (m *MemSource) UnitMetadata(_ context.Context, ids []int64) ([]*benchfmt.UnitMetadata, error) {
	var out []*benchfmt.UnitMetadata
	for _, id := range ids {
		out = append(out, m.units[id]...)
	}
	return out, nil
}

// ResultGroups calls fn for the results of the runs ids, run by run in
// the order of ids, in groups of consecutive results with the same
// name, configuration and units.
func (m *MemSource) ResultGroups(ctx context.Context, ids []int64, fn func(int64, *storedata.ResultGroup) error) error {
	var (
		g   storedata.ResultGroup
		gen int
	)
	for _, id := range ids {
		rs, ok := m.results[id]
		if !ok {
			return fmt.Errorf("run %d: %w", id, storedata.ErrNoRun)
		}
		gen++
		for i := 0; i < len(rs); {
			if err := ctx.Err(); err != nil {
				return err
			}
			r := rs[i]
			if i > 0 && !benchcfg.Equal(rs[i-1].Config, r.Config) {
				gen++
			}
			g.Config, g.ConfigGen, g.Name, g.N = r.Config, gen, r.Name, 0
			g.Units, g.OrigUnits, g.Values = g.Units[:0], g.OrigUnits[:0], g.Values[:0]
			for _, v := range r.Values {
				g.Units = append(g.Units, v.Unit)
				g.OrigUnits = append(g.OrigUnits, v.OrigUnit)
			}
			for ; i < len(rs) && sameGroup(r, rs[i]); i++ {
				for _, v := range rs[i].Values {
					g.Values = append(g.Values, v.Value)
				}
				g.N++
			}
			if err := fn(id, &g); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameGroup reports whether b has the name, configuration and units of
// a.
func sameGroup(a, b *benchfmt.Result) bool {
	if a == b {
		return true
	}
	if !bytes.Equal(a.Name, b.Name) || len(a.Values) != len(b.Values) || !benchcfg.Equal(a.Config, b.Config) {
		return false
	}
	for k, v := range a.Values {
		if w := b.Values[k]; v.Unit != w.Unit || v.OrigUnit != w.OrigUnit {
			return false
		}
	}
	return true
}
