package reports

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/benchdb/benchdb/internal/benchcfg"
	"github.com/benchdb/benchdb/store/storedata"
)

// Compare reads the runs each selector matches from src and compares
// them. Selectors are read in argument order, so that with the default
// column projection (SelectorKey) the first selector is the baseline.
//
// Every result gets two kinds of extra configuration, internal (not
// part of .config, so they neither split tables nor cause "benchmarks
// vary" warnings) but usable as keys in projections and filters:
//   - SelectorKey (".sel"), the name of the selector that read it, and
//     FileKey (".file"), the same name under benchstat's key for it, so
//     that benchstat's command lines (-col .file, -ignore .file) work;
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

	// Reading the store (SQLite, decoding) and grouping results overlap:
	// one goroutine reads into batches, this one groups them.
	batches := make(chan *batch, 4)
	free := make(chan *batch, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		errc <- readBatches(ctx, src, sels, matched, labels, batches, free)
	}()
	var (
		scratch *benchfmt.Result
		gen     = -1
	)
	for bt := range batches {
		for _, it := range bt.items {
			if it.gen != gen {
				// A fresh Result per configuration, so that benchfmt's
				// lazily built index of it is never stale.
				gen = it.gen
				var vals []benchfmt.Value
				if scratch != nil {
					vals = scratch.Values
				}
				scratch = &benchfmt.Result{Config: it.cfg, Values: vals}
			}
			scratch.Name = bt.names[it.name0:it.name1]
			// The first result's values, with their units.
			scratch.Values = scratch.Values[:0]
			for j := it.unit0; j < it.unit1; j++ {
				scratch.Values = append(scratch.Values, benchfmt.Value{
					Value: bt.values[it.val0+j-it.unit0], Unit: bt.units[j], OrigUnit: bt.origUnits[j],
				})
			}
			b.addGroup(scratch, gen, it.n, bt.values[it.val0:it.val1])
		}
		select {
		case free <- bt:
		default:
		}
	}
	if err := <-errc; err != nil {
		return nil, err
	}
	return b.Tables(units)
}

// injector adds the selector name and run labels to the configuration
// of results. It builds a new configuration only when the run or the
// result's configuration changes, which in stored runs is rare: most
// results of a run share one configuration.
type injector struct {
	sel   []byte
	run   int64
	valid bool
	last  []benchfmt.Config // copy of the source configuration
	// srcGen is the source's ConfigGen of cfg, when reading groups.
	srcGen int
	cfg    []benchfmt.Config // last plus labels and selector
	// gen counts scratch configurations; results with the same gen
	// share one configuration.
	gen int
	// Configurations and their values are allocated in chunks, never
	// reused: a run may have a configuration per result, and a batch
	// still being grouped refers to earlier ones.
	cfgs []benchfmt.Config
	buf  []byte
	// copied counts the configuration entries built (see
	// maxConfigValues).
	copied int
}

// maxConfigValues bounds the configuration entries a comparison reads,
// at least, and configValuesPerResult per result beyond that. Every
// result keeps its configuration, and a run with a configuration line
// before each result, each adding a key (no benchmark prints that, but
// anyone can store it), gives n results of up to n keys: memory
// quadratic in the input (20,000 such lines took 17 GB). 1<<21 entries
// are about 100 MiB.
const (
	maxConfigValues       = 1 << 21
	configValuesPerResult = 64
)

func (in *injector) reset() { in.valid = false }

// chunk is the size of the injector's allocation chunks, in
// configuration entries and in bytes.
const chunk = 4096

// clone returns a copy of b in in's byte chunk.
func (in *injector) clone(b []byte) []byte {
	if len(b) > chunk/8 {
		return bytes.Clone(b)
	}
	if cap(in.buf)-len(in.buf) < len(b) {
		in.buf = make([]byte, 0, chunk)
	}
	n := len(in.buf)
	in.buf = append(in.buf, b...)
	return in.buf[n:len(in.buf):len(in.buf)]
}

// config returns the configuration for r: a copy of r's own plus the
// run labels and the selector name, shared by every result of the same
// run and configuration (in.gen numbers them).
func (in *injector) config(runID int64, labels map[string]string, r *benchfmt.Result) []benchfmt.Config {
	if !in.valid || runID != in.run || !benchcfg.Equal(in.last, r.Config) {
		in.build(runID, labels, r.Config, true)
	}
	return in.cfg
}

// groupConfig is config for a group of the source's configuration
// generation srcGen.
func (in *injector) groupConfig(runID int64, labels map[string]string, g *storedata.ResultGroup) []benchfmt.Config {
	if !in.valid || runID != in.run || g.ConfigGen != in.srcGen {
		in.build(runID, labels, g.Config, false)
		in.srcGen = g.ConfigGen
	}
	return in.cfg
}

// build makes the configuration of run runID for the source's
// configuration src, and keeps a copy of src in in.last if keep is set.
func (in *injector) build(runID int64, labels map[string]string, src []benchfmt.Config, keep bool) {
	in.run, in.valid = runID, true
	in.gen++
	in.last = in.last[:0]
	n := len(src) + len(labels) + 2
	if n > chunk/8 {
		in.cfgs = make([]benchfmt.Config, 0, n)
	} else if cap(in.cfgs)-len(in.cfgs) < n {
		in.cfgs = make([]benchfmt.Config, 0, chunk)
	}
	cfg := in.cfgs[len(in.cfgs) : len(in.cfgs) : len(in.cfgs)+n]
	for _, c := range src {
		c.Value = in.clone(c.Value)
		if keep {
			in.last = append(in.last, c)
		}
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
	if !has(FileKey) {
		cfg = append(cfg, benchfmt.Config{Key: FileKey, Value: in.sel})
	}
	in.cfg = slices.Clip(cfg)
	in.cfgs = in.cfgs[:len(in.cfgs)+len(cfg)]
	in.copied += len(cfg)
}

// A batch carries groups of results from the reading goroutine to the
// grouping one. Names, units and values live in shared buffers, indexed
// by the items.
type batch struct {
	items            []batchItem
	names            []byte
	units, origUnits []string
	values           []float64
}

// A batchItem is a group of n results of one benchmark with the same
// configuration and units: names[name0:name1] is its name,
// units[unit0:unit1] its units and values[val0:val1] its values, result
// by result.
type batchItem struct {
	gen          int
	cfg          []benchfmt.Config
	n            int
	name0, name1 int
	unit0, unit1 int
	val0, val1   int
}

// batchSize is the number of groups of a batch; batchValues the number
// of values after which a batch is sent, however few groups it holds.
const (
	batchSize   = 1024
	batchValues = 1 << 15
)

// readBatches reads the results of every selector, in order, adds the
// selector name and run labels to their configuration (see injector),
// and sends them in batches: a group of results at a time from a
// GroupSource, one result at a time from another Source. It never
// closes the channels.
func readBatches(ctx context.Context, src Source, sels []Selector, matched [][]int64, labels map[int64]map[string]string, out chan<- *batch, free <-chan *batch) error {
	var in injector
	next := func() *batch {
		select {
		case bt := <-free:
			bt.items, bt.names, bt.values = bt.items[:0], bt.names[:0], bt.values[:0]
			bt.units, bt.origUnits = bt.units[:0], bt.origUnits[:0]
			return bt
		default:
			return &batch{items: make([]batchItem, 0, batchSize)}
		}
	}
	bt := next()
	results := 0
	// send sends bt if it is full.
	send := func() error {
		if len(bt.items) < batchSize && len(bt.values) < batchValues {
			return nil
		}
		select {
		case out <- bt:
		case <-ctx.Done():
			return ctx.Err()
		}
		bt = next()
		return nil
	}
	check := func(runID int64) error {
		if in.copied > max(maxConfigValues, configValuesPerResult*results) {
			return fmt.Errorf("run %d: %d results carry %d configuration values, more than a comparison reads: a configuration line before each result, with ever more keys (compare fewer results, or store the runs without those lines)",
				runID, results, in.copied)
		}
		return nil
	}
	gs, grouped := src.(GroupSource)
	for i, s := range sels {
		in.sel = []byte(s.Name)
		in.reset()
		var err error
		if grouped {
			err = gs.ResultGroups(ctx, matched[i], func(runID int64, g *storedata.ResultGroup) error {
				cfg := in.groupConfig(runID, labels[runID], g)
				results += g.N
				if err := check(runID); err != nil {
					return err
				}
				it := batchItem{gen: in.gen, cfg: cfg, n: g.N, name0: len(bt.names), unit0: len(bt.units), val0: len(bt.values)}
				bt.names = append(bt.names, g.Name...)
				bt.units = append(bt.units, g.Units...)
				bt.origUnits = append(bt.origUnits, g.OrigUnits...)
				// Sources return tidied values.
				bt.values = append(bt.values, g.Values...)
				it.name1, it.unit1, it.val1 = len(bt.names), len(bt.units), len(bt.values)
				bt.items = append(bt.items, it)
				return send()
			})
		} else {
			err = src.Results(ctx, matched[i], func(runID int64, r *benchfmt.Result) error {
				cfg := in.config(runID, labels[runID], r)
				results++
				if err := check(runID); err != nil {
					return err
				}
				it := batchItem{gen: in.gen, cfg: cfg, n: 1, name0: len(bt.names), unit0: len(bt.units), val0: len(bt.values)}
				bt.names = append(bt.names, r.Name...)
				for _, v := range r.Values {
					// Tidy as benchfmt.Reader does: a value that tidying
					// leaves unchanged (0, ±Inf) keeps its unit, so that
					// 0 ns/op is an ns/op table of its own, as in
					// benchstat. Sources normally return tidied values
					// already; then this changes nothing.
					if tv, tu := benchunit.Tidy(v.Value, v.Unit); tu != v.Unit && tv != v.Value {
						v = benchfmt.Value{Value: tv, Unit: tu, OrigValue: v.Value, OrigUnit: v.Unit}
					}
					bt.units = append(bt.units, v.Unit)
					bt.origUnits = append(bt.origUnits, v.OrigUnit)
					bt.values = append(bt.values, v.Value)
				}
				it.name1, it.unit1, it.val1 = len(bt.names), len(bt.units), len(bt.values)
				bt.items = append(bt.items, it)
				return send()
			})
		}
		if err != nil {
			return fmt.Errorf("read results of %s: %w", s, err)
		}
	}
	if len(bt.items) > 0 {
		select {
		case out <- bt:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
