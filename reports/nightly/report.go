package nightly

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Source is what a report reads: the methods of *store.DB it uses.
type Source interface {
	// Runs returns every run, oldest first.
	Runs(ctx context.Context) ([]store.Run, error)
	// Results calls fn for every result of the runs ids. The result is
	// reused between calls.
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
}

// Defaults of Options.
const (
	DefaultBaseline     = 10
	DefaultThreshold    = 0.05
	DefaultAlpha        = 0.05
	DefaultChangeAlpha  = 0.01
	DefaultPermutations = 199
	DefaultConfidence   = 0.95
)

// DefaultSeries are the labels (or configuration keys) that identify a
// series by default.
var DefaultSeries = []string{"host", "goos", "goarch", "cpu", "branch"}

// ErrNoRuns is returned by Build when the source holds no runs.
var ErrNoRuns = errors.New("no runs stored")

// Options configure a report. The zero value of each field means its
// default.
type Options struct {
	// Series are the run labels or configuration keys whose values
	// identify a series (default DefaultSeries). A run's label wins over
	// its configuration line of the same key.
	Series []string
	// Baseline is the number of earlier runs the current level is
	// compared with (default 10).
	Baseline int
	// Threshold is the smallest relative change reported (default 0.05).
	Threshold float64
	// Alpha is the false discovery rate (default 0.05).
	Alpha float64
	// ChangeAlpha is the significance level of each change point's
	// permutation test (default 0.01).
	ChangeAlpha float64
	// Permutations is the number of permutations of a change point test
	// (default 199).
	Permutations int
	// Confidence is the confidence level of intervals (default 0.95).
	Confidence float64
	// Noise is the largest run-to-run variation judged: the robust
	// standard deviation of the logarithms of a benchmark's run levels
	// (see Noisy.RunCV) before the current level. A noisier benchmark is
	// listed as noisy. The default, 2*log(1+Threshold)/3.3, is where a
	// change of twice the threshold is just told from noise. A change
	// must also exceed this variation (scaled to the runs compared) by
	// the Student t quantile that one night in 1,000 passes in each
	// direction, with the degrees of freedom of the variation's estimate.
	Noise float64
	// Since, when nonzero, limits the report to changes that started, and
	// series whose newest run is, after Now() - Since.
	Since time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Seed seeds the permutation tests; the same seed and history give
	// the same report.
	Seed uint64
}

func (o Options) withDefaults() Options {
	if len(o.Series) == 0 {
		o.Series = DefaultSeries
	}
	if o.Baseline <= 0 {
		o.Baseline = DefaultBaseline
	}
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Alpha <= 0 {
		o.Alpha = DefaultAlpha
	}
	if o.ChangeAlpha <= 0 {
		o.ChangeAlpha = DefaultChangeAlpha
	}
	if o.Permutations <= 0 {
		o.Permutations = DefaultPermutations
	}
	if o.Confidence <= 0 {
		o.Confidence = DefaultConfidence
	}
	if o.Noise <= 0 {
		o.Noise = 2 * math.Log1p(o.Threshold) / noiseZ
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// A Report is the result of Build.
type Report struct {
	// Generated is when the report was built.
	Generated time.Time
	// Options are the options used, with defaults filled in.
	Options Options
	// Series are the series, sorted by their labels.
	Series []*Series
	// Regressions and Improvements are the significant changes, largest
	// first.
	Regressions, Improvements []*Change
	// Noisy lists benchmarks too noisy to judge.
	Noisy []*Noisy
	// New lists benchmarks that appear for the first time in the newest
	// run of their series; Missing those that were in the baseline window
	// but not in the newest run.
	New, Missing []*Entry
}

// A Series is a sequence of runs made in one place.
type Series struct {
	// Labels are the values of the series keys (keys without a value
	// are left out).
	Labels map[string]string
	// Runs are the series' runs, oldest first.
	Runs []store.Run
	// Geomean is, for each run, the geometric mean over the benchmarks of
	// the run of each benchmark's median divided by its typical level (the
	// median of its run medians over the series); rates are inverted so
	// that up is worse. Benchmarks with fewer than five runs, and those
	// listed as noisy, are left out.
	// NaN where the run has no such benchmark.
	Geomean []float64

	key string // Key, once computed by Build
}

// Key returns the series labels as "k=v k=v", sorted by key.
func (s *Series) Key() string {
	if s.key != "" {
		return s.key
	}
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + s.Labels[k])
	}
	return b.String()
}

// A Benchmark identifies a benchmark: package, full name and unit.
type Benchmark struct {
	Package string
	// Name is the full name without the "Benchmark" prefix.
	Name string
	// Unit is the tidied unit (sec/op, B/op, B/s, ...), whose values are
	// in base units.
	Unit string
}

// String returns "package.Name unit" (or "Name unit" without a package).
func (b Benchmark) String() string {
	if b.Package == "" {
		return b.Name + " " + b.Unit
	}
	return b.Package + "." + b.Name + " " + b.Unit
}

// A Point is one run of a benchmark's history.
type Point struct {
	Run store.Run
	// Median and its confidence interval Lo, Hi at Options.Confidence;
	// when there are too few samples for that confidence (fewer than six
	// for 95%), Lo and Hi are the smallest and largest sample.
	Median, Lo, Hi float64
	// N is the number of samples.
	N int
}

// A Change is a significant regression or improvement.
type Change struct {
	Benchmark
	Series *Series
	// Pct is the relative change of the current level from the baseline,
	// in percent, with its confidence interval LoPct, HiPct. For a
	// history holding zeros (such as 0 allocs/op) it is the change of
	// the values plus the smallest positive value of the history (or 1),
	// so that a change from 0 to 1 alloc/op is +100%.
	Pct, LoPct, HiPct float64
	// P is the Benjamini-Hochberg adjusted p-value of the U test; RawP
	// the unadjusted one.
	P, RawP float64
	// Change is the run where the change started, and Good the last run
	// before it.
	Change, Good store.Run
	// Baseline and Current are how many runs were compared.
	Baseline, Current int
	// History is the benchmark's history in the series, and ChangeIndex
	// the index in it of Change; ChangePoints are the indices of every
	// change point found.
	History      []Point
	ChangeIndex  int
	ChangePoints []int
}

// higherIsBetter reports whether larger values of unit are better, by
// the rule of reports.Direction (a report reads no unit metadata).
func higherIsBetter(unit string) bool { return reports.Direction(unit, nil) > 0 }

// Kind returns "regression" or "improvement".
func (c *Change) Kind() string {
	if (c.Pct > 0) != higherIsBetter(c.Unit) {
		return "regression"
	}
	return "improvement"
}

// Commit returns the commit label of the run where the change started,
// or "".
func (c *Change) Commit() string { return c.Change.Labels["commit"] }

// Noisy describes a benchmark whose history is too noisy to judge.
type Noisy struct {
	Benchmark
	Series *Series
	// CV is the robust coefficient of variation of its baseline samples,
	// and RunCV the robust standard deviation of the logarithms of its
	// run levels (about their coefficient of variation); a run's level
	// is the mean logarithm of its samples, leaving out outliers.
	CV, RunCV float64
	// Excursions is how many runs before the current one were off their
	// level by the threshold or more.
	Excursions int
}

// An Entry is a new or missing benchmark.
type Entry struct {
	Benchmark
	Series *Series
	// Run is the newest run of the series for a new benchmark, and the
	// last run that had it for a missing one.
	Run store.Run
}

// history is one benchmark's samples in one series.
type history struct {
	bench  Benchmark
	series *Series
	// runs are indices into series.Runs, and samples the values of each.
	runs    []int
	samples [][]float64
	// off is added to every value before taking logarithms: zero, unless
	// the history holds zeros (0 allocs/op), when it is its smallest
	// positive value (or 1), so that a change from 0 is measurable.
	off float64
	// noisy is set when the history was judged too noisy.
	noisy bool
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

// candidate is a tested benchmark, before the false discovery rate
// decision.
type candidate struct {
	h         *history
	p         float64
	est       float64
	lo, hi    float64
	need      float64 // smallest |log(1+est)| reported
	cur, base int     // start of the current segment and of the baseline (indices into h.runs)
	cps       []int
	levels    []float64 // the run levels (see runLevels)
}

// Build reads the history from src and returns the report. It is safe to
// call concurrently with different sources.
func Build(ctx context.Context, src Source, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	now := opt.Now()
	runs, err := src.Runs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	if len(runs) == 0 {
		return nil, ErrNoRuns
	}
	rep := &Report{Generated: now, Options: opt}

	// Group the runs into series, keeping each series in time order.
	seriesOf := make(map[int64]*Series, len(runs))
	runIndex := make(map[int64]int, len(runs))
	byKey := map[string]*Series{}
	sorted := slices.Clone(runs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	for _, r := range sorted {
		labels := map[string]string{}
		for _, k := range opt.Series {
			if v, ok := r.Labels[k]; ok {
				labels[k] = v
			} else if v, ok := r.Config[k]; ok {
				labels[k] = v
			}
		}
		s := &Series{Labels: labels}
		s.key = s.Key()
		if old, ok := byKey[s.key]; ok {
			s = old
		} else {
			byKey[s.key] = s
			rep.Series = append(rep.Series, s)
		}
		runIndex[r.ID] = len(s.Runs)
		s.Runs = append(s.Runs, r)
		seriesOf[r.ID] = s
	}
	sort.Slice(rep.Series, func(i, j int) bool { return rep.Series[i].Key() < rep.Series[j].Key() })

	// Read every result into per-series histories.
	type hkey struct {
		s *Series
		b Benchmark
	}
	hist := map[hkey]*history{}
	var order []*history
	ids := make([]int64, len(sorted))
	for i, r := range sorted {
		ids[i] = r.ID
	}
	interned := map[string]string{}
	err = src.Results(ctx, ids, func(id int64, r *benchfmt.Result) error {
		s := seriesOf[id]
		if s == nil {
			return nil
		}
		ri := runIndex[id]
		// Look the strings up rather than allocate them for every result.
		full := r.Name.Full()
		name, ok := interned[string(full)]
		if !ok {
			name = string(full)
			interned[name] = name
		}
		var pkgBytes []byte
		for _, c := range r.Config { // GetConfig would build a map per result
			if c.Key == "pkg" {
				pkgBytes = c.Value
				break
			}
		}
		pkg, ok := interned[string(pkgBytes)]
		if !ok {
			pkg = string(pkgBytes)
			interned[pkg] = pkg
		}
		for _, v := range r.Values {
			if !(v.Value >= 0) || math.IsInf(v.Value, 0) {
				continue // NaN, infinite or negative: not a measurement
			}
			k := hkey{s, Benchmark{pkg, name, v.Unit}}
			h := hist[k]
			if h == nil {
				h = &history{bench: k.b, series: s}
				hist[k] = h
				order = append(order, h)
			}
			if n := len(h.runs); n == 0 || h.runs[n-1] != ri {
				h.runs = append(h.runs, ri)
				h.samples = append(h.samples, nil)
			}
			h.samples[len(h.samples)-1] = append(h.samples[len(h.samples)-1], v.Value)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	for _, h := range order {
		h.normalize()
		h.setOffset()
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.series != b.series {
			return a.series.Key() < b.series.Key()
		}
		if a.bench.Package != b.bench.Package {
			return a.bench.Package < b.bench.Package
		}
		if a.bench.Name != b.bench.Name {
			return a.bench.Name < b.bench.Name
		}
		return a.bench.Unit < b.bench.Unit
	})

	since := time.Time{}
	if opt.Since > 0 {
		since = now.Add(-opt.Since)
	}
	var cands []candidate
	for _, h := range order {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s := h.series
		newest := len(s.Runs) - 1
		if s.Runs[newest].Time.Before(since) {
			continue
		}
		last := h.runs[len(h.runs)-1]
		switch {
		case last != newest:
			// Missing only when it ran within the baseline window.
			if newest-last <= opt.Baseline {
				rep.Missing = append(rep.Missing, &Entry{Benchmark: h.bench, Series: s, Run: s.Runs[last]})
			}
			continue
		case len(h.runs) == 1:
			rep.New = append(rep.New, &Entry{Benchmark: h.bench, Series: s, Run: s.Runs[newest]})
			continue
		}
		c, noisy := test(h, opt)
		if noisy != nil {
			h.noisy = true
			rep.Noisy = append(rep.Noisy, noisy)
			continue
		}
		cands = append(cands, c)
	}

	ps := make([]float64, len(cands))
	for i, c := range cands {
		ps[i] = c.p
	}
	qs := reports.AdjustBH(ps)
	for i, c := range cands {
		if qs[i] > opt.Alpha || math.Abs(math.Log1p(c.est)) < c.need {
			continue
		}
		h := c.h
		start := bestSplit(c.levels, c.base)
		if s := h.series.Runs[h.runs[start]]; s.Time.Before(since) {
			continue
		}
		ch := &Change{
			Benchmark:    h.bench,
			Series:       h.series,
			Pct:          100 * c.est,
			LoPct:        100 * c.lo,
			HiPct:        100 * c.hi,
			P:            qs[i],
			RawP:         c.p,
			Change:       h.series.Runs[h.runs[start]],
			Good:         h.series.Runs[h.runs[start-1]],
			Baseline:     c.cur - c.base,
			Current:      len(h.runs) - c.cur,
			History:      points(h, opt.Confidence),
			ChangeIndex:  start,
			ChangePoints: c.cps,
		}
		if ch.Kind() == "regression" {
			rep.Regressions = append(rep.Regressions, ch)
		} else {
			rep.Improvements = append(rep.Improvements, ch)
		}
	}
	bySize := func(list []*Change) {
		sort.SliceStable(list, func(i, j int) bool { return math.Abs(list[i].Pct) > math.Abs(list[j].Pct) })
	}
	bySize(rep.Regressions)
	bySize(rep.Improvements)
	for _, s := range rep.Series {
		s.Geomean = geomean(s, order)
	}
	return rep, nil
}

// noiseZ sets the default Options.Noise: with normal run noise, one
// night in 1,000 goes past 3.3 standard deviations either way.
const noiseZ = 3.3

// noiseRuns is the most runs the run-to-run variation is estimated from:
// enough for the t quantile to be near the normal one, few enough that a
// slow drift does not count as noise.
const noiseRuns = 100

// noiseAlpha is the two-sided probability that the newest run of a
// benchmark with no change passes the noise part of the minimum effect:
// one night in 1,000 each way.
const noiseAlpha = 0.002

// runLevels returns the level of each run of h: the mean logarithm (of
// the values plus h.off) of the run's samples within 3.5 within-run
// standard deviations of the run's median, the deviation pooled over the
// whole history (a median absolute deviation from each run's median).
// It is nearly as precise as the mean, where a median of five samples
// wastes a third of them, and as robust to outliers as the median. The
// samples of h must be sorted.
func runLevels(h *history) []float64 {
	meds := make([]float64, len(h.samples))
	var dev []float64
	for i, s := range h.samples {
		meds[i] = h.logMedian(s)
		for _, v := range s {
			dev = append(dev, math.Abs(math.Log(v+h.off)-meds[i]))
		}
	}
	slices.Sort(dev)
	limit := 3.5 * 1.4826 * median(dev)
	levels := make([]float64, len(h.samples))
	for i, s := range h.samples {
		sum, k := 0.0, 0
		for _, v := range s {
			if l := math.Log(v + h.off); math.Abs(l-meds[i]) <= limit {
				sum += l
				k++
			}
		}
		if k == 0 {
			// An even run whose two middle values both lie beyond a
			// zero limit (a history of nearly constant values).
			levels[i] = meds[i]
			continue
		}
		levels[i] = sum / float64(k)
	}
	return levels
}

// test compares the current level of h with its baseline. It returns a
// Noisy instead when the run-to-run variation is too large to judge.
func test(h *history, opt Options) (candidate, *Noisy) {
	n := len(h.runs)
	for _, s := range h.samples {
		slices.Sort(s)
	}
	logs := runLevels(h)
	cps := changePoints(logs, opt.ChangeAlpha, opt.Permutations, 2, seeded(opt.Seed, h))

	// The current level starts at the last change point if it is recent,
	// otherwise it is the newest run alone.
	cur, prev := n-1, 0
	if len(cps) > 0 && cps[len(cps)-1] >= n-opt.Baseline {
		cur = cps[len(cps)-1]
		if len(cps) > 1 {
			prev = cps[len(cps)-2]
		}
	} else if len(cps) > 0 {
		prev = cps[len(cps)-1]
	}
	base := max(cur-opt.Baseline, prev)
	if cur-base < 3 {
		base = max(cur-opt.Baseline, 0)
	}
	if cur < n-1 {
		// The change point test places a change to within a run or two
		// near the end of a series; settle it with the two-level fit.
		cur = bestSplit(logs, base)
		base = max(cur-opt.Baseline, min(prev, cur-1))
		if cur-base < 3 {
			base = max(cur-opt.Baseline, 0)
		}
	}
	var bs, cs []float64
	for _, s := range h.samples[base:cur] {
		bs = append(bs, s...)
	}
	for _, s := range h.samples[cur:] {
		cs = append(cs, s...)
	}

	// The run-to-run variation, from the level before the current one
	// (up to noiseRuns runs).
	nw := max(cur-noiseRuns, prev)
	if cur-nw < 3 {
		nw = max(cur-noiseRuns, 0)
	}
	cv := robustCV(bs)
	var runSD, df float64
	if cur-nw >= 3 {
		runSD, df = trimmedSD(logs[nw:cur]), float64(cur-nw-1)
	} else {
		// Too few runs: estimate it from the spread of the samples.
		runSD, df = cv/math.Sqrt(float64(len(bs))/float64(cur-base)), float64(max(len(bs)-1, 1))
	}
	// Runs that moved by the threshold and came back (more than one in
	// ten) show a history too jumpy to judge, such as a benchmark with
	// two modes, which a median absolute deviation can miss.
	excursions := 0
	if cur-nw >= 3 {
		level := median(sortedCopy(logs[nw:cur]))
		for _, l := range logs[nw:cur] {
			if math.Abs(l-level) >= math.Log1p(opt.Threshold) {
				excursions++
			}
		}
	}
	if runSD > opt.Noise || excursions > max(1, (cur-nw)/10) {
		return candidate{}, &Noisy{Benchmark: h.bench, Series: h.series, CV: cv, RunCV: runSD, Excursions: excursions}
	}
	est, lo, hi := shift(cs, bs, h.off, opt.Confidence)
	// The noise part of the minimum effect is a t test of the change in
	// run level: the estimate of runSD from a few dozen runs is itself
	// uncertain, which a fixed multiple of it would ignore.
	z := tQuantile(1-noiseAlpha/2, df)
	need := max(math.Log1p(opt.Threshold), z*runSD*math.Sqrt(1/float64(n-cur)+1/float64(cur-base)))
	return candidate{h: h, p: uTest(cs, bs), est: est, lo: lo, hi: hi, need: need, cur: cur, base: base, cps: cps, levels: logs}, nil
}

// bestSplit returns the t in (lo, len(x)) that splits x[lo:] into two
// levels with the least total absolute deviation of the values from
// their level's median; among equals, the latest.
func bestSplit(x []float64, lo int) int {
	best, at := math.Inf(1), len(x)-1
	for t := lo + 1; t < len(x); t++ {
		if d := absDev(x[lo:t]) + absDev(x[t:]); d <= best {
			best, at = d, t
		}
	}
	return at
}

// absDev returns the sum of absolute deviations of v from its median.
func absDev(v []float64) float64 {
	s := sortedCopy(v)
	med := median(s)
	d := 0.0
	for _, x := range s {
		d += math.Abs(x - med)
	}
	return d
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

// minTrendRuns is how many runs a benchmark needs to count in a trend.
const minTrendRuns = 5

// geomean computes the series' geomean trend from the histories.
func geomean(s *Series, hs []*history) []float64 {
	sum := make([]float64, len(s.Runs))
	cnt := make([]int, len(s.Runs))
	for _, h := range hs {
		// A benchmark with few runs has no typical level yet.
		if h.series != s || len(h.runs) < minTrendRuns || h.noisy {
			continue
		}
		logs := make([]float64, len(h.runs))
		for i, v := range h.samples {
			logs[i] = h.logMedian(sortedCopy(v))
		}
		ref := median(sortedCopy(logs))
		sign := 1.0
		if higherIsBetter(h.bench.Unit) {
			sign = -1
		}
		for i, l := range logs {
			sum[h.runs[i]] += sign * (l - ref)
			cnt[h.runs[i]]++
		}
	}
	g := make([]float64, len(s.Runs))
	for i := range g {
		if cnt[i] == 0 {
			g[i] = math.NaN()
		} else {
			g[i] = math.Exp(sum[i] / float64(cnt[i]))
		}
	}
	return g
}

func sortedCopy(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

// seeded returns the random source for h's permutation tests: a function
// of the seed and the benchmark's identity, so that the result does not
// depend on the order in which benchmarks are tested.
func seeded(seed uint64, h *history) *rand.Rand {
	f := fnv.New64a()
	f.Write([]byte(h.series.Key()))
	f.Write([]byte{0})
	f.Write([]byte(h.bench.String()))
	return rand.New(rand.NewPCG(seed, f.Sum64()))
}
