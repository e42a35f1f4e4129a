package runner

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/mathx"
)

// An Outcome summarises the results of one value of a key=value level of
// a benchmark that reports whether its run ran away (BenchmarkScenario
// reports the units runaway, 0 or 1, peak-queue, drain-ms and peak-B).
type Outcome struct {
	Value    string // the level's value, such as the profile
	Samples  int
	Runaways int
	// PeakQueue, DrainMS and PeakBytes are the samples of those units;
	// DrainMS only of the samples that did not run away (a runaway never
	// drains: its drain-ms says nothing).
	PeakQueue []float64
	DrainMS   []float64
	PeakBytes []float64
}

// Verdict is "drained", "runaway", or "runaway in N of M".
func (o *Outcome) Verdict() string {
	switch {
	case o.Runaways == o.Samples:
		return "runaway"
	case o.Runaways > 0:
		return fmt.Sprintf("runaway in %d of %d", o.Runaways, o.Samples)
	}
	return "drained"
}

// Outcomes gathers the Outcome of each value of key in the results of
// benchmark base (a name without "Benchmark", such as "Scenario").
type Outcomes struct {
	base, key string
	byValue   map[string]*Outcome
}

// NewOutcomes returns an empty collection for the key=value level key of
// benchmark base.
func NewOutcomes(base, key string) *Outcomes {
	return &Outcomes{base: base, key: key, byValue: map[string]*Outcome{}}
}

// Add adds r if it is a result of the benchmark with a key=value level.
func (s *Outcomes) Add(r *benchfmt.Result) {
	base, parts := r.Name.Parts()
	if string(base) != s.base {
		return
	}
	var value string
	for _, p := range parts {
		if v, ok := bytes.CutPrefix(p, []byte("/"+s.key+"=")); ok {
			value = string(v)
		}
	}
	if value == "" {
		return
	}
	o := s.byValue[value]
	if o == nil {
		o = &Outcome{Value: value}
		s.byValue[value] = o
	}
	o.Samples++
	runaway := false
	if v, ok := r.Value("runaway"); ok && v >= 0.5 {
		o.Runaways++
		runaway = true
	}
	if v, ok := r.Value("peak-queue"); ok {
		o.PeakQueue = append(o.PeakQueue, v)
	}
	if v, ok := r.Value("drain-ms"); ok && !runaway {
		o.DrainMS = append(o.DrainMS, v)
	}
	if v, ok := r.Value("peak-B"); ok {
		o.PeakBytes = append(o.PeakBytes, v)
	}
}

// Sorted returns the outcomes in the order of the values in order, then
// any other value by name.
func (s *Outcomes) Sorted(order []string) []*Outcome {
	values := slices.SortedFunc(maps.Keys(s.byValue), func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		if ia < 0 {
			ia = len(order)
		}
		if ib < 0 {
			ib = len(order)
		}
		return cmp.Or(cmp.Compare(ia, ib), strings.Compare(a, b))
	})
	out := make([]*Outcome, len(values))
	for i, v := range values {
		out[i] = s.byValue[v]
	}
	return out
}

// Median returns the median of xs (which it sorts), and false for none.
func Median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	slices.Sort(xs)
	return mathx.Median(xs), true
}

// A ResultReader reads the results of stored runs; *store.DB is one.
type ResultReader interface {
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
}

// ReadOutcomes reads the results of run id and returns the Outcomes of
// benchmark bench per value of key (NewOutcomes), and whether any result
// of the run has a key=value level in its name at all.
func ReadOutcomes(ctx context.Context, rr ResultReader, id int64, bench, key string) (o *Outcomes, keyed bool, err error) {
	o = NewOutcomes(bench, key)
	level := []byte("/" + key + "=")
	err = rr.Results(ctx, []int64{id}, func(_ int64, r *benchfmt.Result) error {
		if !keyed {
			_, parts := r.Name.Parts()
			keyed = slices.ContainsFunc(parts, func(p []byte) bool { return bytes.HasPrefix(p, level) })
		}
		o.Add(r)
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("read results of run %d: %w", id, err)
	}
	return o, keyed, nil
}
