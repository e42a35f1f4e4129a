package nightly

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"

	store "github.com/benchdb/benchdb/store/storedata"
)

// history is one benchmark's samples in one series.
type history struct {
	bench  Benchmark
	series *Series
	// runs are indices into series.Runs, and samples the values of each,
	// sorted; inOrder, in a series with a stretch per test process, the
	// same values in the order the run wrote them, where that differs
	// (nil otherwise: see written). A run of several test processes
	// writes each process's samples after the one before's, as it
	// writes their stretches (pairedLevels).
	runs    []int
	samples [][]float64
	inOrder [][]float64
	// off is added to every value before taking logarithms: zero, unless
	// the history holds zeros (0 allocs/op), when it is its smallest
	// positive value (or 1), so that a change from 0 is measurable.
	off float64
	// levels are the run levels (see runLevels), floor the standard
	// error of one level from its samples (withinFloor).
	levels []float64
	floor  float64
	// bad is the newest run (an index into series.Runs) that gave the
	// benchmark a value that is not a measurement (NaN, infinite or
	// negative; the store keeps what go test wrote), and badValue the
	// first such value of that run; bad is -1 if none did.
	bad      int
	badValue float64
}

// normalize puts the runs of h in order, merging the samples of a run
// that came in more than one piece, in case the source did not return
// the runs in the order asked.
func (h *history) normalize() {
	sorted := true
	for i := 1; i < len(h.runs); i++ {
		if h.runs[i] <= h.runs[i-1] {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	byRun := map[int][]float64{}
	for i, r := range h.runs {
		byRun[r] = append(byRun[r], h.samples[i]...)
	}
	h.runs = slices.Sorted(maps.Keys(byRun))
	h.samples = h.samples[:0]
	for _, r := range h.runs {
		h.samples = append(h.samples, byRun[r])
	}
}

// written returns the samples of h's run i in the order the run wrote
// them, where h keeps that order, else sorted.
func (h *history) written(i int) []float64 {
	if h.inOrder != nil {
		return h.inOrder[i]
	}
	return h.samples[i]
}

// setOffset sets h.off.
func (h *history) setOffset() {
	zero, minPos := false, math.Inf(1)
	for _, s := range h.samples {
		for _, v := range s {
			if v == 0 {
				zero = true
			} else {
				minPos = min(minPos, v)
			}
		}
	}
	switch {
	case !zero:
		h.off = 0
	case math.IsInf(minPos, 1):
		h.off = 1
	default:
		h.off = minPos
	}
}

// logMedian returns the logarithm of the median of sorted run samples,
// offset by h.off.
func (h *history) logMedian(sorted []float64) float64 {
	return math.Log(median(sorted) + h.off)
}

// runLevels returns the level of each run of h: the mean logarithm (of
// the values plus h.off) of the run's samples within 3.5 within-run
// standard deviations of the run's median, the deviation pooled over the
// whole history (a median absolute deviation from each run's median).
// It is nearly as precise as the mean, where a median of five samples
// wastes a third of them, and as robust to outliers as the median. The
// samples of h must be sorted. It also sets h.floor.
func runLevels(h *history) []float64 {
	meds := make([]float64, len(h.samples))
	sizes := make([]int, len(h.samples))
	total := 0
	for i, s := range h.samples {
		sizes[i] = len(s)
		total += len(s)
	}
	// logs holds each sample's logarithm, computed once; dev their
	// deviations from their run's median, which trimmedLevels reorders.
	logs := make([]float64, 0, total)
	dev := make([]float64, 0, total)
	for i, s := range h.samples {
		meds[i] = h.logMedian(s)
		for _, v := range s {
			l := math.Log(v + h.off)
			logs = append(logs, l)
			dev = append(dev, math.Abs(l-meds[i]))
		}
	}
	levels, floor := trimmedLevels(logs, dev, sizes, meds)
	h.floor = floor
	return levels
}

// pairedLevels returns the run levels of h judged against a machine
// measure with slope beta about its median mid, each sample corrected by
// the measure of the test process that wrote it: procs[r] holds run r's
// measure per process, in order (NaN where a process has none), and m
// the run's mean measure, per run of h (NaN where it has none). A run
// of k processes wrote its samples process by process, and they are
// paired where each process wrote as many (by default `benchdb run`
// runs one a repetition): a run whose processes wrote unequal shares,
// or that lacks the stretch of one of them (a process too short for
// the sampler to see), cannot be paired by position and is corrected
// by m. The levels are then taken from the corrected logarithms as
// runLevels takes them (trimmedLevels): a process the machine slowed is
// corrected by its own stretch instead of by the run's, and is left out
// only if it still stands out. Runs with one process are corrected by
// m. It also returns the standard error of one level from its corrected
// samples (as runLevels sets h.floor). (It cannot be sure a position is
// a process: a run of 6 samples in 3 processes that lost one of their 3
// stretches would pair 3 and 3; `benchdb run` loses a stretch only for a
// process the sampler never saw.)
func pairedLevels(h *history, beta, mid float64, m []float64, procs [][]float64) ([]float64, float64) {
	var logs, dev []float64
	sizes := make([]int, len(h.runs))
	meds := make([]float64, len(h.runs))
	for i, r := range h.runs {
		raw := h.written(i)
		ps := procs[r]
		start := len(logs)
		for j, v := range raw {
			l := math.Log(v + h.off)
			corr := m[i]
			if k := len(ps); k > 1 && len(raw)%k == 0 {
				// Sample j's process: each wrote len/k samples.
				if p := j / (len(raw) / k); !math.IsNaN(ps[p]) {
					corr = ps[p]
				}
			}
			if !math.IsNaN(corr) {
				l -= beta * (corr - mid)
			}
			logs = append(logs, l)
		}
		sizes[i] = len(raw)
		meds[i] = median(sortedCopy(logs[start:]))
		for _, l := range logs[start:] {
			dev = append(dev, math.Abs(l-meds[i]))
		}
	}
	return trimmedLevels(logs, dev, sizes, meds)
}

// trimmedLevels returns the level of each run from the logarithms of its
// samples (logs holds run i's sizes[i] values after run i-1's; meds[i]
// is their median, and dev holds each value's distance from it, in the
// same order, which it reorders): their mean within 3.5 within-run
// standard deviations of the median, the deviation 1.4826 times the
// median of dev; the median where none is within. It also returns the
// standard error of one level from its samples: that deviation over the
// square root of the samples per run.
func trimmedLevels(logs, dev []float64, sizes []int, meds []float64) ([]float64, float64) {
	mad := selectMedian(dev) // median(dev sorted), without sorting it all
	// The standard error of one run's level from its samples: the
	// within-run deviation over the square root of the samples per run.
	// Night-to-night noise is never smaller.
	floor := 1.4826 * mad / math.Sqrt(float64(len(dev))/float64(len(sizes)))
	limit := 3.5 * 1.4826 * mad
	levels := make([]float64, len(sizes))
	for i, n := range sizes {
		sum, k := 0.0, 0
		for _, l := range logs[:n] {
			if math.Abs(l-meds[i]) <= limit {
				sum += l
				k++
			}
		}
		logs = logs[n:]
		if k == 0 {
			// An even run whose two middle values both lie beyond a
			// zero limit (a history of nearly constant values).
			levels[i] = meds[i]
			continue
		}
		levels[i] = sum / float64(k)
	}
	return levels, floor
}

// selectMedian returns median of v sorted, exactly, reordering v: a
// quickselect takes linear time where sorting a history's pooled
// deviations took most of runLevels'. With a NaN in v it sorts.
func selectMedian(v []float64) float64 {
	n := len(v)
	for _, x := range v {
		if x != x {
			slices.Sort(v)
			return median(v)
		}
	}
	if n == 0 {
		return median(v)
	}
	k := n / 2
	lo, hi := 0, n-1
	for lo < hi {
		// Median of three as the pivot; Hoare partition.
		mid := lo + (hi-lo)/2
		a, b, c := v[lo], v[mid], v[hi]
		p := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			lo, hi = k, k // v[j+1:i] all equal p
		}
	}
	if n%2 == 1 {
		return v[k]
	}
	// v[:k] holds the k smallest: the largest of them is the other
	// middle value.
	return (slices.Max(v[:k]) + v[k]) / 2
}

// points returns the per-run medians of h with confidence intervals.
func points(h *history, confidence float64) []Point {
	th := benchmath.DefaultThresholds
	ps := make([]Point, len(h.runs))
	for i, s := range h.samples {
		sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(s), &th), confidence)
		if math.IsInf(sum.Lo, 0) || math.IsInf(sum.Hi, 0) {
			sum.Lo, sum.Hi = s[0], s[len(s)-1] // s is sorted
		}
		ps[i] = Point{Run: h.series.Runs[h.runs[i]], Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(s)}
	}
	return ps
}

func sortedCopy(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

// A SampleSource is a Source that also gives each run's values grouped
// by benchmark and unit, as *store.DB's Samples does: fn is called, run
// after run in the order of ids, with the values (tidied, in base
// units) of one benchmark (package, full name) in one unit, one or more
// times for each benchmark and unit of a run; fn must not retain
// values. Build and Histories read a source that has it through it, and
// give the same report: a run's level depends only on its values, in any
// order.
type SampleSource interface {
	Samples(ctx context.Context, ids []int64, fn func(runID int64, pkg, name, unit string, values []float64) error) error
}

// seriesLabels returns the values of run r's series keys: its label, else
// its configuration line, of each key.
func seriesLabels(r store.Run, keys []string) map[string]string {
	labels := map[string]string{}
	for _, k := range keys {
		if v, ok := r.Labels[k]; ok {
			labels[k] = v
		} else if v, ok := r.Config[k]; ok {
			// go test pads its cpu line with spaces; `benchdb run`
			// labels the run with the name trimmed: one machine is
			// one series however its runs were stored.
			labels[k] = strings.TrimSpace(v)
		}
	}
	return labels
}

// readHistories reads src into per-series histories: the runs grouped
// into series by opt.Series (each in time order, the series sorted by
// key), and one history per series and benchmark (package, full name and
// unit) whose package and name match accepts (all when match is nil),
// its runs in order and each run's samples sorted, sorted by series,
// package, name and unit. Build and Histories form series alike through
// it. Runs that benchdb ab stored (isABRun) are measurements of two
// commits side by side, not nights: they are left out of the series and
// returned apart, oldest first, for Build to read as ABChecks.
func readHistories(ctx context.Context, src Source, opt Options, match func(pkg, name string) bool) ([]*Series, []*history, []store.Run, error) {
	runs, err := src.Runs(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("list runs: %w", err)
	}
	var sorted, abRuns []store.Run
	for _, r := range runs {
		if isABRun(r) {
			abRuns = append(abRuns, r)
		} else {
			sorted = append(sorted, r)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	sort.SliceStable(abRuns, func(i, j int) bool { return abRuns[i].Time.Before(abRuns[j].Time) })
	seriesOf := make(map[int64]*Series, len(sorted))
	runIndex := make(map[int64]int, len(sorted))
	byKey := map[string]*Series{}
	var series []*Series
	ids := make([]int64, len(sorted))
	for i, r := range sorted {
		ids[i] = r.ID
		s := &Series{Labels: seriesLabels(r, opt.Series)}
		s.key = s.Key()
		if old, ok := byKey[s.key]; ok {
			s = old
		} else {
			byKey[s.key] = s
			series = append(series, s)
		}
		runIndex[r.ID] = len(s.Runs)
		s.Runs = append(s.Runs, r)
		seriesOf[r.ID] = s
	}
	sort.Slice(series, func(i, j int) bool { return series[i].key < series[j].key })

	type hkey struct {
		s *Series
		b Benchmark
	}
	hist := map[hkey]*history{}
	var order []*history
	type badValue struct {
		run int
		v   float64
	}
	bad := map[hkey]badValue{}
	interned := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := interned[string(b)]; ok {
			return s
		}
		s := string(b)
		interned[s] = s
		return s
	}
	// alloc returns an empty slice of capacity n, from a slab: a run's
	// samples are one allocation in many, not several each.
	var slab []float64
	alloc := func(n int) []float64 {
		if n > len(slab) {
			slab = make([]float64, max(n, 1<<14))
		}
		s := slab[:0:n]
		slab = slab[n:]
		return s
	}
	// add appends the measurements among values to the history of
	// benchmark b in run id's series.
	add := func(id int64, b Benchmark, values []float64) {
		s := seriesOf[id]
		ri := runIndex[id]
		var h *history
		for _, v := range values {
			if !(v >= 0) || math.IsInf(v, 0) {
				// NaN, infinite or negative: not a measurement, kept
				// to tell "it ran and gave NaN" from "it did not run".
				k := hkey{s, b}
				if old, ok := bad[k]; !ok || old.run < ri {
					bad[k] = badValue{ri, v}
				}
				continue
			}
			if h == nil {
				k := hkey{s, b}
				h = hist[k]
				if h == nil {
					h = &history{bench: b, series: s, bad: -1}
					hist[k] = h
					order = append(order, h)
				}
				if n := len(h.runs); n == 0 || h.runs[n-1] != ri {
					h.runs = append(h.runs, ri)
					h.samples = append(h.samples, alloc(len(values)))
				}
			}
			h.samples[len(h.samples)-1] = append(h.samples[len(h.samples)-1], v)
		}
	}
	if ss, ok := src.(SampleSource); ok {
		// The fast path: each run's values come grouped by benchmark
		// and unit, without a result per sample.
		err = ss.Samples(ctx, ids, func(id int64, pkg, name, unit string, values []float64) error {
			if seriesOf[id] == nil || match != nil && !match(pkg, name) {
				return nil
			}
			add(id, Benchmark{pkg, name, unit}, values)
			return nil
		})
	} else {
		var one [1]float64
		err = src.Results(ctx, ids, func(id int64, r *benchfmt.Result) error {
			if seriesOf[id] == nil {
				return nil
			}
			// Look the strings up rather than allocate them for every result.
			name := intern(r.Name.Full())
			var pkgBytes []byte
			for _, c := range r.Config { // GetConfig would build a map per result
				if c.Key == "pkg" {
					pkgBytes = c.Value
					break
				}
			}
			pkg := intern(pkgBytes)
			if match != nil && !match(pkg, name) {
				return nil
			}
			for _, v := range r.Values {
				one[0] = v.Value
				add(id, Benchmark{pkg, name, v.Unit}, one[:])
			}
			return nil
		})
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read results: %w", err)
	}
	// A series whose runs hold a stretch per test process (more than one
	// stretch sample in a run, once a run's pieces are merged) keeps the
	// order its samples were written in, which pairs them with their
	// processes' stretches (pairedLevels); other series do without the
	// copy.
	paired := map[*Series]bool{}
	for _, h := range order {
		if b, ok := bad[hkey{h.series, h.bench}]; ok {
			h.bad, h.badValue = b.run, b.v
		}
		h.normalize()
		h.setOffset()
		if h.bench.Package == ProbePackage && h.bench.Unit == "stretch" && !paired[h.series] {
			paired[h.series] = slices.ContainsFunc(h.samples, func(s []float64) bool { return len(s) > 1 })
		}
	}
	for _, h := range order {
		keep := paired[h.series]
		for i, s := range h.samples {
			if keep && !slices.IsSorted(s) {
				if h.inOrder == nil {
					h.inOrder = slices.Clone(h.samples)
				}
				h.inOrder[i] = append(alloc(len(s)), s...)
			}
			slices.Sort(s)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.series != b.series {
			return a.series.key < b.series.key
		}
		if a.bench.Package != b.bench.Package {
			return a.bench.Package < b.bench.Package
		}
		if a.bench.Name != b.bench.Name {
			return a.bench.Name < b.bench.Name
		}
		return a.bench.Unit < b.bench.Unit
	})
	return series, order, abRuns, nil
}
