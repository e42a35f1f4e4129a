package nightly

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/benchdb/benchdb/reports"
	store "github.com/benchdb/benchdb/store/storedata"
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
	DefaultBaseline    = 10
	DefaultThreshold   = 0.05
	DefaultAlpha       = 0.05
	DefaultChangeAlpha = 0.01
	DefaultConfidence  = 0.95
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
	// ChangeAlpha is the significance level of each change point's test,
	// Bonferroni-adjusted for the splits tried (default 0.01).
	ChangeAlpha float64
	// Confidence is the confidence level of intervals (default 0.95).
	Confidence float64
	// Noise is the minimum detectable effect (a relative change, see
	// Change.MDE) above which a benchmark is listed as noisy (default
	// twice Threshold). Noisy benchmarks are judged all the same: their
	// noise raises the bar a change must pass, it does not hide it.
	Noise float64
	// Since, when nonzero, limits the report to changes that started, and
	// series whose newest run is, after Now() - Since.
	Since time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Seed is kept for compatibility: the tests are parametric now, and
	// the same history always gives the same report.
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
	if o.Confidence <= 0 {
		o.Confidence = DefaultConfidence
	}
	if o.Noise <= 0 {
		o.Noise = 2 * o.Threshold
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
	// Noisy lists benchmarks whose minimum detectable effect is above
	// Options.Noise. They are judged like any other; a change well above
	// their noise is among Regressions or Improvements.
	Noisy []*Noisy
	// Shifts lists every change point that started in the report's
	// window (after Now() - Since, or within the last Baseline runs of
	// its series when Since is zero), oldest first: the history of
	// changes, beside the current regressions.
	Shifts []*Shift
	// Pending lists benchmarks with too short a history to judge (fewer
	// than three earlier runs since their last change) whose newest run
	// differs from the one before by the threshold or more, significant
	// by a within-run test: evidence that cannot yet tell a change from
	// night-to-night noise, never an alarm. It also lists changes of the
	// newest night alone in benchmarks whose level has jumped as far
	// before (Pending.Wait): they are reported when a second night
	// confirms them.
	Pending []*Pending
	// Judged is how many benchmarks were judged (had a long enough
	// history in a series whose newest run is in the window).
	Judged int
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
	// Machine is, for each run, the machine's speed that night: the
	// calibration probe's time (package ProbePackage) against its typical
	// level, 1.1 for a machine 10% slower than usual. NaN where the run
	// has no probe; nil when no run of the series has one.
	Machine []float64

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
	// MDE is the minimum detectable effect of the benchmark, in percent:
	// the smallest change one night can reveal against its baseline, at
	// its night-to-night noise (Noise, the standard deviation of its run
	// levels' logarithms, in percent). Noisy says MDE is above
	// Options.Noise.
	MDE, Noise float64
	Noisy      bool
	// Corrected says the benchmark was judged against the machine's
	// speed (its levels divided by the probe's), which made its history
	// steadier.
	Corrected bool
	// Machine is the machine's speed change on the night of Change
	// against the night before, in percent, from the probe (NaN without
	// one); Drift the same for the geomean of the series' benchmarks.
	Machine, Drift float64
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

// Noisy describes a benchmark whose noise only lets changes larger than
// Options.Noise be seen.
type Noisy struct {
	Benchmark
	Series *Series
	// CV is the robust coefficient of variation of the samples of its
	// newest run, and RunCV the night-to-night standard deviation of the
	// logarithms of its run levels (about their coefficient of
	// variation); a run's level is the mean logarithm of its samples,
	// leaving out outliers.
	CV, RunCV float64
	// MDE is the smallest relative change one night can reveal.
	MDE float64
}

// A Shift is a change point of one benchmark's history: where its level
// moved.
type Shift struct {
	Benchmark
	Series *Series
	// Run is the first run at the new level, Good the last before it.
	Run, Good store.Run
	// Pct is the change of level, in percent, between the runs since the
	// change point before (or the start) and the runs up to the next one
	// (or the newest); Nights how many runs are at the new level.
	Pct    float64
	Nights int
	// Machine says Run and Good carry the same commit label: the code did
	// not change, so the machine did.
	Machine bool
}

// Commit returns the commit label of the shift's run, or "".
func (s *Shift) Commit() string { return s.Run.Labels["commit"] }

// Pending is a benchmark whose history is too short to judge.
type Pending struct {
	Benchmark
	Series *Series
	// Runs is how many runs the benchmark has in the series.
	Runs int
	// Pct is the change of the newest run's median from the run before,
	// in percent, and P the within-run Mann-Whitney U test's p-value; or,
	// when Wait is set, the newest run's change from its baseline and its
	// p-value against the night-to-night noise.
	Pct, P float64
	// Wait says the history is long enough, but the change is of the
	// newest night alone, and the benchmark's level has jumped as far
	// before and come back: one more night will tell.
	Wait bool
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
	// levels are the run levels (see runLevels), floor the standard
	// error of one level from its samples (withinFloor).
	levels []float64
	floor  float64
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
		for _, s := range h.samples {
			slices.Sort(s)
		}
		h.levels = runLevels(h) // sets h.floor too
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

	// Per benchmark: the prior of its night-to-night noise (see
	// fitPriors); per series: whether it has wild nights, and the
	// machine's speed.
	prior := fitPriors(order)
	machine := map[*Series][]float64{}
	spiky := map[*Series]bool{}
	{
		spikes, nights := map[*Series]int{}, map[*Series]int{}
		// Count spikes against each benchmark's noise moderated by its
		// prior (a benchmark's own estimate is sometimes too small).
		for _, h := range order {
			if sd, df := noise(h.levels); df >= 2 && h.bench.Package != ProbePackage {
				sd, _ = moderate(sd, df, prior[h], h.floor)
				kept, _ := despike(h.levels, sd*spikyK/spikeK)
				spikes[h.series] += len(h.levels) - len(kept)
				nights[h.series] += len(h.levels)
			}
		}
		for _, s := range rep.Series {
			// A machine is trusted with one-night verdicts only once it
			// has shown calmNights without wild nights.
			spiky[s] = len(s.Runs) < calmNights || float64(spikes[s]) > spikyRate*float64(nights[s])
		}
		for _, s := range rep.Series {
			machine[s] = machineSpeed(s, order)
			if machine[s] != nil {
				s.Machine = make([]float64, len(machine[s]))
				for i, m := range machine[s] {
					s.Machine[i] = math.Exp(m)
				}
			}
		}
	}
	for _, s := range rep.Series {
		s.Geomean = geomean(s, order)
	}

	since := time.Time{}
	if opt.Since > 0 {
		since = now.Add(-opt.Since)
	}
	var cands []verdict
	for _, h := range order {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s := h.series
		if h.bench.Package == ProbePackage {
			continue
		}
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
		v := judge(h, prior[h], spiky[s], machine[s], opt)
		rep.Shifts = append(rep.Shifts, shifts(v, since, opt)...)
		if v.short {
			n := len(h.samples)
			d := math.Expm1(h.logMedian(h.samples[n-1]) - h.logMedian(h.samples[n-2]))
			if math.Abs(d) >= opt.Threshold && v.withinP <= opt.Alpha {
				rep.Pending = append(rep.Pending, &Pending{Benchmark: h.bench, Series: s, Runs: n, Pct: 100 * d, P: v.withinP})
			}
			continue
		}
		if math.Expm1(v.mde) > opt.Noise {
			rep.Noisy = append(rep.Noisy, &Noisy{Benchmark: h.bench, Series: s,
				CV: robustCV(h.samples[len(h.samples)-1]), RunCV: v.sd, MDE: math.Expm1(v.mde)})
		}
		cands = append(cands, v)
	}
	rep.Judged = len(cands)
	sort.SliceStable(rep.Shifts, func(i, j int) bool { return rep.Shifts[i].Run.Time.Before(rep.Shifts[j].Run.Time) })

	ps := make([]float64, len(cands))
	for i, c := range cands {
		ps[i] = c.p
	}
	qs := reports.AdjustBH(ps)
	for i, v := range cands {
		if qs[i] > opt.Alpha || v.p > noiseAlpha || math.Abs(v.est) < math.Log1p(opt.Threshold) {
			continue
		}
		h := v.h
		start := v.cur
		change, good := h.series.Runs[h.runs[start]], h.series.Runs[h.runs[start-1]]
		if change.Time.Before(since) || sameCommit(change, good) {
			continue // old news, or the machine: the code did not change
		}
		if v.wait {
			rep.Pending = append(rep.Pending, &Pending{Benchmark: h.bench, Series: h.series, Runs: len(h.runs),
				Pct: 100 * math.Expm1(v.est), P: v.p, Wait: true})
			continue
		}
		est, lo, hi := v.interval(opt.Confidence)
		ch := &Change{
			Benchmark:    h.bench,
			Series:       h.series,
			Pct:          100 * est,
			LoPct:        100 * lo,
			HiPct:        100 * hi,
			P:            qs[i],
			RawP:         v.p,
			Change:       change,
			Good:         good,
			Baseline:     v.cur - v.base,
			Current:      len(h.runs) - v.cur,
			History:      points(h, opt.Confidence),
			ChangeIndex:  start,
			ChangePoints: v.cps,
			MDE:          100 * math.Expm1(v.mde),
			Noise:        100 * v.sd,
			Noisy:        math.Expm1(v.mde) > opt.Noise,
			Corrected:    v.corrected,
			Machine:      nightChange(h.series.Machine, h.runs[start]),
			Drift:        nightChange(h.series.Geomean, h.runs[start]),
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
	return rep, nil
}

// sameCommit reports whether runs a and b carry the same, non-empty,
// commit label.
func sameCommit(a, b store.Run) bool {
	c := a.Labels["commit"]
	return c != "" && c == b.Labels["commit"]
}

// nightChange returns, in percent, how much ratio v[i] moved from v[i-1];
// NaN when either is unknown.
func nightChange(v []float64, i int) float64 {
	if i < 1 || i >= len(v) || math.IsNaN(v[i]) || math.IsNaN(v[i-1]) {
		return math.NaN()
	}
	return 100 * (v[i]/v[i-1] - 1)
}

// shifts returns the change points of v's history that started after
// since (or, when since is zero, within the last Baseline runs of the
// series).
func shifts(v verdict, since time.Time, opt Options) []*Shift {
	h := v.h
	runs := h.series.Runs
	var out []*Shift
	for k, cp := range v.cps {
		run := runs[h.runs[cp]]
		if since.IsZero() {
			if h.runs[cp] < len(runs)-opt.Baseline {
				continue
			}
		} else if run.Time.Before(since) {
			continue
		}
		lo, hi := 0, len(v.levels)
		if k > 0 {
			lo = v.cps[k-1]
		}
		if k+1 < len(v.cps) {
			hi = v.cps[k+1]
		}
		sd := v.sd
		if sd == 0 {
			sd = math.Inf(1)
		}
		d := robustMean(v.levels[cp:hi], sd) - robustMean(v.levels[lo:cp], sd)
		good := runs[h.runs[cp-1]]
		out = append(out, &Shift{Benchmark: h.bench, Series: h.series, Run: run, Good: good,
			Pct: 100 * math.Expm1(d), Nights: hi - cp, Machine: sameCommit(run, good)})
	}
	return out
}

// machineSpeed returns the machine's speed per run of s, as the log of
// the probe's time against its typical level (the mean over the probe's
// kinds of work), NaN where a run has no probe; nil when no run has one.
func machineSpeed(s *Series, hs []*history) []float64 {
	sum := make([]float64, len(s.Runs))
	cnt := make([]int, len(s.Runs))
	found := false
	for _, h := range hs {
		if h.series != s || h.bench.Package != ProbePackage || h.bench.Unit != "sec/op" {
			continue
		}
		found = true
		ref := median(sortedCopy(h.levels))
		for i, l := range h.levels {
			sum[h.runs[i]] += l - ref
			cnt[h.runs[i]]++
		}
	}
	if !found {
		return nil
	}
	m := make([]float64, len(s.Runs))
	for i := range m {
		if cnt[i] == 0 {
			m[i] = math.NaN()
		} else {
			m[i] = sum[i] / float64(cnt[i])
		}
	}
	return m
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
	var dev []float64
	for i, s := range h.samples {
		meds[i] = h.logMedian(s)
		for _, v := range s {
			dev = append(dev, math.Abs(math.Log(v+h.off)-meds[i]))
		}
	}
	slices.Sort(dev)
	// The standard error of one run's level from its samples: the
	// within-run deviation over the square root of the samples per run.
	// Night-to-night noise is never smaller.
	h.floor = 1.4826 * median(dev) / math.Sqrt(float64(len(dev))/float64(len(h.samples)))
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
		if h.series != s || len(h.runs) < minTrendRuns || h.bench.Package == ProbePackage {
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
