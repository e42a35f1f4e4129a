package reports

import (
	"bytes"
	"context"
	"fmt"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// Compare reads the runs each selector matches from src and compares
// them. Selectors are read in argument order, so that with the default
// column projection (SelectorKey) the first selector is the baseline.
//
// Every result gets two kinds of extra configuration, internal (not
// part of .config, so they neither split tables nor cause "benchmarks
// vary" warnings) but usable as keys in projections and filters:
//   - SelectorKey (".sel"), the name of the selector that read it;
//   - each label of its run (such as "profile" or "branch"), unless the
//     result's own file configuration has a key of that name, which wins.
//
// Errors in options are *OptionError values; a selector that matches no
// run is an error naming it.
func Compare(ctx context.Context, src Source, sels []Selector, opts Options) (*Comparison, error) {
	if len(sels) == 0 {
		return nil, fmt.Errorf("no selectors")
	}
	seen := map[string]bool{}
	for _, s := range sels {
		if seen[s.Name] {
			return nil, fmt.Errorf("selector name %q used twice: name them, as NAME=SEL", s.Name)
		}
		seen[s.Name] = true
	}
	b, err := NewBuilder(opts)
	if err != nil {
		return nil, err
	}
	runs, err := src.Runs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	labels := make(map[int64]map[string]string, len(runs))
	for _, r := range runs {
		labels[r.ID] = r.Labels
	}
	matched := make([][]int64, len(sels))
	var all []int64
	inAll := map[int64]bool{}
	for i, s := range sels {
		if matched[i], err = s.Match(runs); err != nil {
			return nil, err
		}
		for _, id := range matched[i] {
			if !inAll[id] {
				inAll[id] = true
				all = append(all, id)
			}
		}
	}
	meta, err := src.UnitMetadata(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("read unit metadata: %w", err)
	}
	units := benchfmt.UnitMetadataMap{}
	for _, m := range meta {
		unit := m.OrigUnit
		if unit == "" {
			unit = m.Unit
		}
		_, tidy := benchunit.Tidy(1, unit)
		k := benchfmt.UnitMetadataKey{Unit: tidy, Key: m.Key}
		if _, ok := units[k]; !ok {
			units[k] = m
		}
	}

	var in injector
	for i, s := range sels {
		in.sel = []byte(s.Name)
		in.reset()
		err := src.Results(ctx, matched[i], func(runID int64, r *benchfmt.Result) error {
			res := in.result(runID, labels[runID], r)
			b.addGen(res, in.gen)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read results of %s: %w", s, err)
		}
	}
	return b.Tables(units)
}

// injector copies results into a scratch Result with the selector name
// and run labels added to the configuration. It rebuilds the scratch
// configuration (and so benchfmt's lazily built index of it) only when
// the run or the result's configuration changes, which in stored runs is
// rare: most results of a run share one configuration.
type injector struct {
	sel     []byte
	run     int64
	valid   bool
	last    []benchfmt.Config // copy of the source configuration
	scratch *benchfmt.Result
	// gen counts scratch configurations; results with the same gen
	// share one configuration.
	gen int
}

func (in *injector) reset() { in.valid = false }

func (in *injector) result(runID int64, labels map[string]string, r *benchfmt.Result) *benchfmt.Result {
	if !in.valid || runID != in.run || !sameConfig(in.last, r.Config) {
		in.run, in.valid = runID, true
		in.gen++
		in.last = in.last[:0]
		cfg := make([]benchfmt.Config, 0, len(r.Config)+len(labels)+1)
		for _, c := range r.Config {
			c.Value = bytes.Clone(c.Value)
			in.last = append(in.last, c)
			cfg = append(cfg, c)
		}
		has := func(k string) bool {
			for _, c := range cfg {
				if c.Key == k {
					return true
				}
			}
			return false
		}
		for k, v := range labels {
			if !has(k) {
				cfg = append(cfg, benchfmt.Config{Key: k, Value: []byte(v)})
			}
		}
		if !has(SelectorKey) {
			cfg = append(cfg, benchfmt.Config{Key: SelectorKey, Value: in.sel})
		}
		in.scratch = &benchfmt.Result{Config: cfg}
	}
	s := in.scratch
	s.Name = r.Name
	s.Iters = r.Iters
	s.Values = append(s.Values[:0], r.Values...)
	for i, v := range s.Values {
		if tv, tu := benchunit.Tidy(v.Value, v.Unit); tu != v.Unit {
			s.Values[i] = benchfmt.Value{Value: tv, Unit: tu, OrigValue: v.Value, OrigUnit: v.Unit}
		}
	}
	return s
}

func sameConfig(a, b []benchfmt.Config) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].File != b[i].File || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}
