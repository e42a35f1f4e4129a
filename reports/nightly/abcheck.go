package nightly

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/paired"
	store "github.com/benchdb/benchdb/store/storedata"
)

// The labels benchdb ab stores its two runs with (package ab).
const (
	abLabel     = "ab"   // the measurement's id, on both runs
	abSide      = "side" // "old" or "new"
	abSideOld   = "old"
	abSideNew   = "new"
	abRevLabel  = "rev"   // the revision as it was given
	abRoundConf = "round" // each result's round, a configuration line
)

// Verdicts of an ABCheck.
const (
	// ABConfirmed: the two commits, measured alternately, differ in the
	// change's direction by at least Options.Threshold, significantly.
	ABConfirmed = "confirmed"
	// ABRefuted: the measurement's interval excludes, in the change's
	// direction, a change of Options.Threshold or of the least the
	// history's interval allows, whichever is larger: the change the
	// nights showed was the machine's. The change is listed as pending,
	// not as a regression or an improvement.
	ABRefuted = "refuted"
	// ABUndecided: neither (the interval holds both no change and the
	// change the nights showed), or too few rounds to bound it (6 for a
	// 95% interval); the change stands as the history judged it, and
	// Change.Confirm still gives the command.
	ABUndecided = "undecided"
)

// An ABCheck is a change measured again by benchdb ab (Change.Confirm's
// command, or any ab or bisect run of the same two commits on the
// change's machine): the two commits' test binaries run alternately,
// round by round, so that a shift of the machine's level falls on both
// sides alike. It is judged as ab judges it (each round's best value,
// the per-round ratios' Hodges-Lehmann estimate with its signed-rank
// interval at Options.Confidence).
type ABCheck struct {
	// ID is the newest measurement's ab label, and Old and New its two
	// runs; Measurements is how many measurements of the two commits
	// were pooled (each round still paired with its own).
	ID           string
	Old, New     store.Run
	Measurements int
	// Rounds is how many rounds had the benchmark on both sides, over
	// all the measurements.
	Rounds int
	// Pct is NEW against OLD in percent, with its interval LoPct, HiPct
	// (NaN when the rounds were too few), and P the signed-rank test's
	// p-value.
	Pct, LoPct, HiPct, P float64
	// Verdict is ABConfirmed, ABRefuted or ABUndecided.
	Verdict string
}

// String says what the check found, as the report shows it.
func (a *ABCheck) String() string {
	id := a.ID
	if a.Measurements > 1 {
		id = fmt.Sprintf("%s and %d earlier", a.ID, a.Measurements-1)
	}
	if math.IsNaN(a.LoPct) {
		return fmt.Sprintf("benchdb ab %s: %s in %d rounds, too few to judge", id, pct(a.Pct), a.Rounds)
	}
	return fmt.Sprintf("benchdb ab %s: %s [%s, %s] in %d rounds, %s", id, pct(a.Pct), pct(a.LoPct), pct(a.HiPct), a.Rounds, a.Verdict)
}

// isABRun reports whether r is one side of a benchdb ab (or bisect)
// measurement: labels ab and side, the side old or new. A run that only
// happens to carry a label named ab stays a night of its series.
func isABRun(r store.Run) bool {
	if _, ok := r.Labels[abLabel]; !ok {
		return false
	}
	side := r.Labels[abSide]
	return side == abSideOld || side == abSideNew
}

// An abPair is one ab measurement's two stored runs.
type abPair struct {
	id       string
	old, new store.Run
	// labels are its new run's values of the series keys.
	labels map[string]string
	listed bool
}

// abPairs returns the complete measurements among runs (oldest first),
// newest first. A side measured from a work tree with uncommitted
// changes (label dirty) is not its commit and makes no pair.
func abPairs(runs []store.Run, keys []string) []*abPair {
	byID := map[string]*abPair{}
	var out []*abPair
	for _, r := range runs {
		id := r.Labels[abLabel]
		if r.Labels["dirty"] == "true" {
			continue
		}
		p := byID[id]
		if p == nil {
			p = &abPair{id: id}
			byID[id] = p
		}
		switch r.Labels[abSide] {
		case abSideOld:
			p.old = r
		case abSideNew:
			p.new = r
			p.labels = seriesLabels(r, keys)
		default:
			continue
		}
		if p.old.ID != 0 && p.new.ID != 0 && !p.listed {
			p.listed = true
			out = append(out, p)
		}
	}
	// Newest first: the latest measurement of two commits is the one
	// read.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// sameMachine reports whether a measurement whose runs have the series
// labels ab ran where a series with labels does: they agree on every key
// both have. benchdb ab records no branch (its two commits say what it
// measured), and a history ingested without a host label says nothing
// of the host.
func sameMachine(ab, labels map[string]string) bool {
	for k, v := range ab {
		if w, ok := labels[k]; ok && w != v {
			return false
		}
	}
	return true
}

// abVerdict judges measurement m of a change that went up (or down) in
// the history, in logarithms as the history is judged: confirmed where
// m's interval excludes no change and its estimate is of the threshold
// or more, the same way; refuted where the interval excludes a change as
// large as claim that way (the larger of the threshold and the least
// change the history's interval allows, both as logarithms): ab may
// still allow a smaller change, or one the other way, but not the one
// the nights showed; else undecided.
func abVerdict(m paired.Comparison, up bool, threshold, claim float64) string {
	if math.IsNaN(m.Lo) || math.IsNaN(m.Hi) {
		return ABUndecided
	}
	est, lo, hi := math.Log(m.Ratio), math.Log(m.Lo), math.Log(m.Hi)
	if !up {
		est, lo, hi = -est, -hi, -lo
	}
	switch {
	case lo > 0 && est >= threshold:
		return ABConfirmed
	case hi < claim:
		return ABRefuted
	}
	return ABUndecided
}

// revIs reports whether ab run r measured the commit a nightly run
// labels commit: the revision as given, the full hash, or a prefix of
// it of seven digits or more (git's short hash).
func revIs(r store.Run, commit string) bool {
	if commit == "" {
		return false
	}
	full := r.Labels["commit"]
	return r.Labels[abRevLabel] == commit || full == commit || len(commit) >= 7 && strings.HasPrefix(full, commit)
}

// checkAB attaches to each change and suspect of rep the ab
// measurements of its two commits on its series' machine that have its
// benchmark, pooled, reading only those runs from src; it moves a change that
// the measurement refutes from Regressions or Improvements to Pending,
// and a suspect it confirms to them (one it refutes is dropped). For a
// regression it refutes, the next pair of commits (nextPair) is measured
// the same way, and is a suspect where ab has not decided it.
func checkAB(ctx context.Context, src Source, rep *Report, abRuns []store.Run, opt Options) error {
	pairs := abPairs(abRuns, opt.Series)
	if len(pairs) == 0 {
		return nil
	}
	changes := slices.Concat(rep.Regressions, rep.Improvements, rep.Suspects)
	if err := measureAB(ctx, src, changes, pairs, opt); err != nil {
		return err
	}
	// A regression ab refutes may be a real step the nights put a night
	// early (a slow night of the old code just before it): ab measured
	// the wrong pair. The next pair, from its run to the next of another
	// commit, is measured in turn where ab has, and is otherwise a
	// suspect with its command.
	var next []*Change
	for _, c := range rep.Regressions {
		if c.AB != nil && c.AB.Verdict == ABRefuted {
			if n := nextPair(c); n != nil {
				next = append(next, n)
			}
		}
	}
	if err := measureAB(ctx, src, next, pairs, opt); err != nil {
		return err
	}
	rep.Suspects = append(rep.Suspects, next...)
	// The change points where these changes start carry the same
	// measurement.
	type at struct {
		series string
		b      Benchmark
		run    int64
	}
	starts := map[at]*ABCheck{}
	for _, c := range changes {
		if c.AB != nil {
			starts[at{c.Series.Key(), c.Benchmark, c.Change.ID}] = c.AB
		}
	}
	for _, sh := range rep.Shifts {
		if a, ok := starts[at{sh.Series.Key(), sh.Benchmark, sh.Run.ID}]; ok {
			sh.AB = a
		}
	}
	keep := func(list []*Change) []*Change {
		out := list[:0]
		for _, c := range list {
			if c.AB != nil && c.AB.Verdict == ABRefuted {
				rep.Pending = append(rep.Pending, &Pending{Benchmark: c.Benchmark, Series: c.Series, Runs: len(c.hist.runs),
					Pct: c.Pct, P: c.RawP, AB: c.AB})
				continue
			}
			out = append(out, c)
		}
		return out
	}
	rep.Regressions = keep(rep.Regressions)
	rep.Improvements = keep(rep.Improvements)
	// A suspect ab confirms is a change; one it refutes is dropped (the
	// history never claimed it); an undecided one stays a suspect.
	suspects := rep.Suspects[:0]
	for _, c := range rep.Suspects {
		switch {
		case c.AB == nil || c.AB.Verdict == ABUndecided:
			suspects = append(suspects, c)
		case c.AB.Verdict == ABConfirmed && c.Kind() == "regression":
			rep.Regressions = append(rep.Regressions, c)
		case c.AB.Verdict == ABConfirmed:
			rep.Improvements = append(rep.Improvements, c)
		}
	}
	rep.Suspects = suspects
	return nil
}

// nextPairShare is how much of the new level's move the first night of
// a change may show before the change cannot have started a night later:
// the slow old-code night before a real step (SortInts on the AMD
// nights: +57% before its +99%) shows part of it, the first night of a
// real step all of it.
const nextPairShare = 0.75

// nextPair returns the change c would be had it started a run later: from
// c's changed run to the next run of c's history, with the nights'
// figures of c; nil where there is none, it is of the same commit, or
// c's first night already moved as far as the nights after it.
func nextPair(c *Change) *Change {
	h := c.hist
	i := c.ChangeIndex + 1
	if h == nil || i >= len(h.runs) || len(h.levels) != len(h.runs) || c.Baseline < 1 {
		return nil
	}
	base := median(sortedCopy(h.levels[max(0, i-1-c.Baseline) : i-1]))
	first, rest := h.levels[i-1]-base, median(sortedCopy(h.levels[i:]))-base
	if rest == 0 || !(first/rest < nextPairShare) {
		return nil // NaN too
	}
	next := h.series.Runs[h.runs[i]]
	if commit := next.Labels["commit"]; commit == "" || commit == c.Change.Labels["commit"] {
		return nil
	}
	n := *c
	n.Good, n.Change = c.Change, next
	n.ChangeIndex = i
	n.Baseline, n.Current = c.Baseline+1, c.Current-1
	n.AB = nil
	return &n
}

// measureAB sets each change's AB: the ab measurements of its two commits
// on its series' machine among pairs that have its benchmark, pooled,
// reading only those runs from src, and ab's verdict on them.
func measureAB(ctx context.Context, src Source, changes []*Change, pairs []*abPair, opt Options) error {
	cands := map[*Change][]*abPair{}
	type want struct {
		run int64
		b   Benchmark
	}
	wanted := map[want]paired.Rounds{}
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range changes {
		good, bad := c.Good.Labels["commit"], c.Change.Labels["commit"]
		if good == "" || bad == "" || good == bad {
			continue
		}
		for _, p := range pairs {
			if !sameMachine(p.labels, c.Series.Labels) || !revIs(p.old, good) || !revIs(p.new, bad) {
				continue
			}
			cands[c] = append(cands[c], p)
			for _, r := range []store.Run{p.old, p.new} {
				wanted[want{r.ID, c.Benchmark}] = paired.Rounds{}
				if !seen[r.ID] {
					seen[r.ID] = true
					ids = append(ids, r.ID)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	err := src.Results(ctx, ids, func(id int64, r *benchfmt.Result) error {
		var pkg, round []byte
		for _, c := range r.Config {
			switch c.Key {
			case "pkg":
				pkg = c.Value
			case abRoundConf:
				round = c.Value
			}
		}
		n, err := strconv.Atoi(string(round))
		if err != nil {
			return nil // not one of ab's rounds
		}
		name := r.Name.Full()
		for _, v := range r.Values {
			k := want{id, Benchmark{string(pkg), string(name), v.Unit}}
			if rounds, ok := wanted[k]; ok && v.Value >= 0 && !math.IsInf(v.Value, 0) {
				rounds[n] = append(rounds[n], v.Value)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read ab runs: %w", err)
	}
	for _, c := range changes {
		// Every measurement of the two commits counts: their rounds
		// are pooled, each still paired with its own (an undecided
		// change measured again on another night gains rounds).
		oldR, newR := paired.Rounds{}, paired.Rounds{}
		var newest *abPair
		n, count := 0, 0
		for _, p := range cands[c] {
			old, new := wanted[want{p.old.ID, c.Benchmark}], wanted[want{p.new.ID, c.Benchmark}]
			rounds := make([]int, 0, len(old))
			for r := range old {
				if len(new[r]) > 0 {
					rounds = append(rounds, r)
				}
			}
			if len(rounds) == 0 {
				continue
			}
			slices.Sort(rounds)
			for _, r := range rounds {
				oldR[n], newR[n] = old[r], new[r]
				n++
			}
			if newest == nil {
				newest = p
			}
			count++
		}
		if newest == nil {
			continue
		}
		better := -1
		if higherIsBetter(c.Unit) {
			better = 1
		}
		m := paired.Compare(oldR, newR, better, opt.Confidence, true)
		if m.Rounds == 0 {
			continue
		}
		a := &ABCheck{ID: newest.id, Old: newest.old, New: newest.new, Measurements: count, Rounds: m.Rounds,
			Pct: 100 * (m.Ratio - 1), LoPct: 100 * (m.Lo - 1), HiPct: 100 * (m.Hi - 1), P: m.P}
		// The least change the history's interval allows, its way.
		least := math.Log1p(c.LoPct / 100)
		if c.Pct < 0 {
			least = -math.Log1p(c.HiPct / 100)
		}
		bar := math.Log1p(opt.Threshold)
		a.Verdict = abVerdict(m, c.Pct > 0, bar, math.Max(bar, least))
		c.AB = a
	}
	return nil
}
