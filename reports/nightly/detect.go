package nightly

import (
	"context"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/benchdb/benchdb/internal/benchname"
	"github.com/benchdb/benchdb/internal/stretchname"
	"github.com/benchdb/benchdb/reports"
	store "github.com/benchdb/benchdb/store/storedata"
)

// Build reads the history from src and returns the report. It is safe to
// call concurrently with different sources.
func Build(ctx context.Context, src Source, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	now := opt.Now()
	series, order, abRuns, err := readHistories(ctx, src, opt, nil)
	if err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, ErrNoRuns
	}
	rep := &Report{Generated: now, Options: opt, Series: series}
	for _, h := range order {
		h.levels = runLevels(h) // sets h.floor too
	}

	// Per series: the machine's speed, from the calibration probe and
	// from each package's stretch (see machine.go), and whether it has
	// wild nights; per benchmark: its levels corrected by the first of
	// those it follows (correct), and the prior of its night-to-night
	// noise (fitPriors, shortPriors).
	machine := map[*Series][]float64{}
	stretch := stretches(order)
	benchStretch := benchStretches(order)
	for _, s := range rep.Series {
		machine[s] = machineSpeed(s, order)
		if machine[s] != nil {
			s.Machine = make([]float64, len(machine[s]))
			for i, m := range machine[s] {
				s.Machine[i] = math.Exp(m)
			}
		}
	}
	measures := func(h *history) []machineMeasure {
		s := h.series
		own := stretchOf(benchStretch[s][h.bench.Package], h.bench.Name)
		pkg := stretch[s][h.bench.Package]
		return []machineMeasure{
			{m: own.mean, procs: own.procs, minRuns: minStretchRuns, unit: true},
			{m: pkg.mean, procs: pkg.procs, minRuns: minStretchRuns, unit: true},
			{m: machine[s], minRuns: minProbeRuns},
		}
	}
	// The corrections of short series' benchmarks, for their priors
	// (shortPriors); the others' are made as they are judged.
	corr := map[*history]correction{}
	for _, h := range order {
		if len(h.series.Runs) < shortPriorRuns && h.bench.Package != ProbePackage {
			corr[h] = correct(h, measures(h))
		}
	}
	prior := fitPriors(order, nil)
	shortPriors(prior, order, corr)
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
	}
	for _, s := range rep.Series {
		s.Geomean = geomean(s, order)
	}

	since := time.Time{}
	if opt.Since > 0 {
		since = now.Add(-opt.Since)
	}
	// Each benchmark's newest time per operation, for the repetitions
	// of the command that measures a change of any of its units again.
	opTimes := map[opKey]float64{}
	for _, h := range order {
		if h.bench.Unit == "sec/op" && len(h.samples) > 0 {
			opTimes[opKey{h.series, h.bench.Package, h.bench.Name}] = median(h.samples[len(h.samples)-1])
		}
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
		case last != newest && h.bad == newest:
			// It ran, but gave no measurement.
			rep.Missing = append(rep.Missing, &Entry{Benchmark: h.bench, Series: s, Run: s.Runs[last],
				NotMeasured: strconv.FormatFloat(h.badValue, 'g', -1, 64)})
			continue
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
		c, ok := corr[h]
		if !ok {
			c = correct(h, measures(h))
		}
		v := judge(h, prior[h], spiky[s], c, opt)
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
	// news returns the runs on either side of a change of h starting at
	// its run cur, and whether it is news: in the window, and between
	// two commits (runs of one commit on both sides are the machine).
	news := func(h *history, cur int) (change, good store.Run, ok bool) {
		change, good = h.series.Runs[h.runs[cur]], h.series.Runs[h.runs[cur-1]]
		return change, good, !change.Time.Before(since) && !sameCommit(change, good)
	}
	for i, v := range cands {
		large := math.Abs(v.est) >= math.Log1p(opt.Threshold)
		h := v.h
		change, good, ok := news(h, v.cur)
		if !ok {
			continue
		}
		if qs[i] > opt.Alpha || v.p > noiseAlpha || !large {
			if large && v.p <= suspectAlpha {
				if c := newChange(v, qs[i], change, good, benchStretch, stretch, opTimes, opt); c.Kind() == "regression" {
					rep.Suspects = append(rep.Suspects, c)
					continue
				}
			}
			if w, ok := sustained(v, opt); ok {
				if change, good, ok := news(h, w.cur); ok {
					rep.Suspects = append(rep.Suspects, newChange(w, w.p, change, good, benchStretch, stretch, opTimes, opt))
				}
			}
			continue
		}
		if v.wait {
			rep.Pending = append(rep.Pending, &Pending{Benchmark: h.bench, Series: h.series, Runs: len(h.runs),
				Pct: 100 * math.Expm1(v.est), P: v.p, Wait: true})
			continue
		}
		ch := withHistory(newChange(v, qs[i], change, good, benchStretch, stretch, opTimes, opt), opt.Confidence)
		if ch.Kind() == "regression" {
			rep.Regressions = append(rep.Regressions, ch)
		} else {
			rep.Improvements = append(rep.Improvements, ch)
		}
	}
	if err := checkAB(ctx, src, rep, abRuns, opt); err != nil {
		return nil, err
	}
	sort.SliceStable(rep.Suspects, func(i, j int) bool { return rep.Suspects[i].RawP < rep.Suspects[j].RawP })
	if len(rep.Suspects) > maxSuspects {
		rep.Suspects = rep.Suspects[:maxSuspects]
	}
	// The suspects kept, and those ab made changes, get their history
	// only now.
	for _, c := range slices.Concat(rep.Regressions, rep.Improvements, rep.Suspects) {
		withHistory(c, opt.Confidence)
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

// logChange returns, in percent, how much exp(v[i]) moved from
// exp(v[i-1]); NaN when either is unknown.
func logChange(v []float64, i int) float64 {
	if i < 1 || i >= len(v) || math.IsNaN(v[i]) || math.IsNaN(v[i-1]) {
		return math.NaN()
	}
	return 100 * math.Expm1(v[i]-v[i-1])
}

// shifts returns the change points of v's history that started after
// since (or, when since is zero, within the last Baseline runs of the
// series), but those of corrected levels that the benchmark's own
// levels do not show moving the same way (as judge).
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
		if v.corrected && !ownLevelsShow(d, h.levels[lo:cp], h.levels[cp:hi], sd) {
			continue // the machine measure's alone
		}
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

// stretches returns, per series and package, the logarithm of the
// package's stretch in each run of the series (how long its benchmarks'
// threads waited for a CPU against how long they ran, as `benchdb run`
// measures it; NaN in a run without one).
func stretches(hs []*history) map[*Series]map[string]runMeasure {
	out := map[*Series]map[string]runMeasure{}
	for _, h := range hs {
		if h.bench.Package != ProbePackage || h.bench.Unit != "stretch" {
			continue
		}
		pkg, bench, ok := stretchname.Parse(h.bench.Name)
		if !ok || bench != "" {
			continue // a benchmark's (benchStretches) or not one
		}
		if out[h.series] == nil {
			out[h.series] = map[string]runMeasure{}
		}
		out[h.series][pkg] = stretchSeries(h)
	}
	return out
}

// maxStretch is the largest stretch taken as a measurement: threads that
// waited a thousand times as long as they ran did not run a benchmark
// whose time means anything; a larger (or infinite) stored value is
// treated as missing rather than turned into a correction of hundreds
// of logarithms.
const maxStretch = 1000

// A runMeasure is a measure of the machine in each run of a series: the
// mean of its samples' logarithms (NaN in a run without one) and, in a
// run with several (one a test process), each sample's logarithm in the
// order the run wrote them (NaN for one that is not a measurement; nil
// in a run with fewer than two).
type runMeasure struct {
	mean  []float64
	procs [][]float64
}

// stretchSeries returns the stretch history h as a runMeasure: in each
// run of its series the mean logarithm of its samples within [1,
// maxStretch], as a run's level is the mean logarithm of its samples
// (with several test processes, one stretch and the same share of the
// samples each).
func stretchSeries(h *history) runMeasure {
	m := runMeasure{mean: make([]float64, len(h.series.Runs))}
	for i := range m.mean {
		m.mean[i] = math.NaN()
	}
	for i, r := range h.runs {
		v := h.written(i)
		sum, k := 0.0, 0
		var procs []float64
		if len(v) > 1 {
			procs = make([]float64, len(v))
		}
		for j, s := range v {
			l := math.NaN()
			if s >= 1 && s <= maxStretch {
				l = math.Log(s)
				sum += l
				k++
			}
			if procs != nil {
				procs[j] = l
			}
		}
		if k > 0 {
			m.mean[r] = sum / float64(k)
			if procs != nil {
				if m.procs == nil {
					m.procs = make([][]float64, len(h.series.Runs))
				}
				m.procs[r] = procs
			}
		}
	}
	return m
}

// benchStretches returns, per series, package and benchmark (as go test
// names it, without the Benchmark prefix and the -N suffix), the
// logarithm of the benchmark's stretch in each run of the series (NaN in
// a run without one): `benchdb run` records it beside its package's as
// `Probe/kind=stretch/pkg=P/bench=B`, B's slashes written as %2F.
func benchStretches(hs []*history) map[*Series]map[string]map[string]runMeasure {
	out := map[*Series]map[string]map[string]runMeasure{}
	for _, h := range hs {
		if h.bench.Package != ProbePackage || h.bench.Unit != "stretch" {
			continue
		}
		pkg, bench, ok := stretchname.Parse(h.bench.Name)
		if !ok || bench == "" {
			continue
		}
		if out[h.series] == nil {
			out[h.series] = map[string]map[string]runMeasure{}
		}
		if out[h.series][pkg] == nil {
			out[h.series][pkg] = map[string]runMeasure{}
		}
		out[h.series][pkg][bench] = stretchSeries(h)
	}
	return out
}

// stretchOf returns the stretch of benchmark name (a report's name, with
// its -N suffix) among a package's benchmarks' (benchStretches): its
// own, or else its nearest parent's (go test may name only the top-level
// benchmark as it starts it); the zero runMeasure if none.
func stretchOf(bs map[string]runMeasure, name string) runMeasure {
	if len(bs) == 0 {
		return runMeasure{}
	}
	if base, procs := benchname.SplitProcs(name); procs != "" {
		if m := stretchOf(bs, base); m.mean != nil {
			return m
		}
	}
	for n := name; n != ""; {
		if m, ok := bs[n]; ok {
			return m
		}
		i := strings.LastIndexByte(n, '/')
		if i < 0 {
			break
		}
		n = n[:i]
	}
	return runMeasure{}
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

// opKey names a benchmark in a series, whatever its unit.
type opKey struct {
	s         *Series
	pkg, name string
}

// newChange returns the change verdict v found, from run good to run
// change, with q its adjusted p-value; benchStretch and stretch are the
// stretches of each series' benchmarks and packages, shown beside it,
// and opTimes each benchmark's newest time per operation. Its History is
// left for withHistory: a suspect the report does not keep needs none.
func newChange(v verdict, q float64, change, good store.Run, benchStretch map[*Series]map[string]map[string]runMeasure, stretch map[*Series]map[string]runMeasure, opTimes map[opKey]float64, opt Options) *Change {
	h := v.h
	start := v.cur
	est, lo, hi := v.interval(opt.Confidence)
	// The stretch shown is the benchmark's own where it was recorded.
	st := stretchOf(benchStretch[h.series][h.bench.Package], h.bench.Name).mean
	if st == nil {
		st = stretch[h.series][h.bench.Package].mean
	}
	return &Change{
		Benchmark:    h.bench,
		Series:       h.series,
		Pct:          100 * est,
		LoPct:        100 * lo,
		HiPct:        100 * hi,
		P:            q,
		RawP:         v.p,
		Change:       change,
		Good:         good,
		Baseline:     v.cur - v.base,
		Current:      len(h.runs) - v.cur,
		ChangeIndex:  start,
		ChangePoints: v.cps,
		MDE:          100 * math.Expm1(v.mde),
		Noise:        100 * v.sd,
		Noisy:        math.Expm1(v.mde) > opt.Noise,
		Corrected:    v.corrected,
		Machine:      nightChange(h.series.Machine, h.runs[start]),
		Stretch:      logChange(st, h.runs[start]),
		Drift:        nightChange(h.series.Geomean, h.runs[start]),
		opTime:       opTimes[opKey{h.series, h.bench.Package, h.bench.Name}],
		hist:         h,
	}
}

// withHistory sets c.History, the benchmark's points in its series, and
// returns c.
func withHistory(c *Change, confidence float64) *Change {
	if c.History == nil {
		c.History = points(c.hist, confidence)
	}
	return c
}
