// Package bisect finds the commit that carries a measured benchmark
// change, with the interleaved measurements of package ab.
//
// Bisect first measures BAD against GOOD, picks the benchmark that changed
// most (the change to find), and then walks `git rev-list --first-parent
// GOOD..BAD` by halving: each candidate is measured against GOOD in
// interleaved rounds, and it is bad when its level lies beyond the middle
// of the GOOD-to-BAD change with confidence, good when it lies before it.
// When the interval straddles the middle, it measures more rounds, up to
// a limit, before it decides by the estimate and says so. A commit that
// does not build, or whose benchmark fails or is missing, is skipped as
// `git bisect skip` does. At the end it measures the first bad commit
// against the last good one directly, for the change and its interval.
//
// Every measurement is stored as two runs (ab's sides) labelled
// bisect=<id>, commit and the bisection's parameters, so that Run with
// Options.Resume replays a bisection from the store without measuring
// again what was stored, and `benchdb compare` can show any step.
package bisect

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/store"
)

// Errors.
var (
	// ErrNotReproduced is returned (wrapped), with a Result, when GOOD
	// and BAD do not differ significantly (by at least Threshold).
	ErrNotReproduced = errors.New("change not reproduced between good and bad")
	// ErrNoBisection is returned (wrapped) by Resume for an id with no
	// stored runs.
	ErrNoBisection = errors.New("no such bisection")
)

type bisector struct {
	opts    Options
	ws      *ab.Workspace
	good    ab.Revision
	bad     ab.Revision
	bench   string
	pkgs    []string
	labels  map[string]string
	stored  map[[2]string][]store.Run // by old and new commit: stored runs of this bisection
	step    int
	about   int
	left    int
	measure map[[2]string]*measurement
	stepNo  int
	target  Target
}

// Run bisects as opts says. It returns a Result whenever it got as far as
// measuring GOOD against BAD: with ErrNotReproduced when they do not
// differ, or with an error that stopped it later (the steps so far are
// stored).
func Run(ctx context.Context, opts Options) (res *Result, err error) {
	start := time.Now()
	if opts.Store == nil {
		return nil, errors.New("bisect: no store")
	}
	runs, err := opts.Store.Runs(ctx)
	if err != nil {
		return nil, err
	}
	id := opts.ID
	if opts.Resume != "" {
		id = opts.Resume
		var first *store.Run
		for i, r := range runs {
			if r.Labels[LabelID] == id {
				first = &runs[i]
				break
			}
		}
		if first == nil {
			return nil, fmt.Errorf("resume %s: %w", id, ErrNoBisection)
		}
		opts.Good, opts.Bad, opts.Bench = first.Labels[LabelGood], first.Labels[LabelBad], first.Labels[LabelBench]
		opts.Packages = strings.Fields(first.Labels[LabelPackages])
		if js, ok := first.Labels[LabelSettings]; ok {
			var s settings
			if err := json.Unmarshal([]byte(js), &s); err != nil {
				return nil, fmt.Errorf("resume %s: run %d: label %s: %w", id, first.ID, LabelSettings, err)
			}
			s.restore(&opts)
		}
	}
	if opts.Rounds <= 0 {
		opts.Rounds = ab.DefaultRounds
	}
	if opts.MaxRounds <= 0 {
		opts.MaxRounds = 3 * opts.Rounds
	}
	opts.MaxRounds = max(opts.MaxRounds, opts.Rounds)
	opts.Confidence = cmp.Or(opts.Confidence, ab.DefaultConfidence)
	b := &bisector{opts: opts, stored: map[[2]string][]store.Run{}, measure: map[[2]string]*measurement{}}
	if opts.Good == "" || opts.Bad == "" {
		return nil, errors.New("bisect: want both good and bad revisions")
	}
	if opts.Bench == "" {
		opts.Bench = ab.DefaultBench
	}
	b.bench = opts.Bench
	b.pkgs = opts.Packages
	if len(b.pkgs) == 0 {
		b.pkgs = []string{"."}
	}

	ws := opts.Workspace
	if ws == nil {
		ws, err = ab.NewWorkspace(ctx, opts.Dir)
		if err != nil {
			return nil, err
		}
		ws.BuildFlags = opts.BuildFlags
		ws.Env = opts.Env
		defer func() {
			if cerr := ws.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	b.ws = ws
	if b.good, err = ws.Repo.Resolve(ctx, opts.Good); err != nil {
		return nil, fmt.Errorf("good: %w", err)
	}
	if b.bad, err = ws.Repo.Resolve(ctx, opts.Bad); err != nil {
		return nil, fmt.Errorf("bad: %w", err)
	}
	if b.good.WorkTree || b.bad.WorkTree {
		return nil, errors.New("bisect: good and bad must be commits, not the working tree")
	}
	commits, err := ws.Repo.FirstParents(ctx, b.good.Commit, b.bad.Commit)
	if err != nil {
		return nil, err
	}
	if len(commits) == 0 || commits[len(commits)-1].Commit != b.bad.Commit {
		return nil, fmt.Errorf("bisect: bad %s is not a first-parent descendant of good %s", opts.Bad, opts.Good)
	}
	for i := range commits {
		commits[i].Name = commits[i].Short()
	}
	b.bad.Subject, b.bad.Date, b.bad.Author = commits[len(commits)-1].Subject, commits[len(commits)-1].Date, commits[len(commits)-1].Author
	if id == "" {
		id = ab.NewID(start, b.good.Commit, b.bad.Commit)
	}
	b.labels = map[string]string{}
	for k, v := range opts.Labels {
		b.labels[k] = v
	}
	b.labels[LabelID] = id
	b.labels[LabelGood] = b.good.Commit
	b.labels[LabelBad] = b.bad.Commit
	b.labels[LabelBench] = opts.Bench
	b.labels[LabelPackages] = strings.Join(b.pkgs, " ")
	js, err := json.Marshal(settingsOf(opts))
	if err != nil {
		return nil, err
	}
	b.labels[LabelSettings] = string(js)
	for _, r := range runs {
		if r.Labels[LabelID] == id {
			b.addStored(r, runs)
		}
	}
	b.about = int(math.Ceil(math.Log2(float64(len(commits)+1)))) + 2

	res = &Result{ID: id, Good: b.good, Bad: b.bad, Commits: len(commits)}
	defer func() { res.Elapsed = time.Since(start) }()
	return res, b.run(ctx, res, commits)
}

// addStored records stored run r (one side of an ab measurement) under
// the pair of commits it compares.
func (b *bisector) addStored(r store.Run, runs []store.Run) {
	if r.Labels["side"] != ab.New {
		return
	}
	for _, o := range runs {
		if o.Labels["ab"] == r.Labels["ab"] && o.Labels["side"] == ab.Old && o.Labels[LabelID] == r.Labels[LabelID] {
			k := [2]string{o.Labels["commit"], r.Labels["commit"]}
			b.stored[k] = append(b.stored[k], o, r)
		}
	}
}

func (b *bisector) run(ctx context.Context, res *Result, commits []ab.Revision) error {
	n := len(commits)
	b.left = n
	// The change to find: BAD against GOOD.
	total, err := b.judgeTotal(ctx, res)
	if err != nil {
		return err
	}
	if total == nil {
		return fmt.Errorf("%s..%s: %w", b.good.Short(), b.bad.Short(), ErrNotReproduced)
	}
	T := math.Log(total.Ratio)
	res.Reproduced = true

	// Halving. lo is the last known good index (-1 for GOOD), hi the
	// first known bad (n-1 for BAD).
	lo, hi := -1, n-1
	skipped := map[int]bool{}
	pos := map[int][3]float64{-1: {0, 0, 0}, n - 1: {1, res.Steps[0].PosLo, res.Steps[0].PosHi}}
	guessed := false
	for hi-lo > 1 {
		c := b.pick(lo, hi, skipped)
		if c < 0 {
			break
		}
		b.left = hi - lo - 1
		st, err := b.judge(ctx, commits[c], T)
		if err != nil {
			return err
		}
		res.Steps = append(res.Steps, *st)
		switch st.Outcome {
		case Skip:
			skipped[c] = true
			continue
		case Good:
			lo = c
		case Bad:
			hi = c
		}
		pos[c] = [3]float64{st.Position, st.PosLo, st.PosHi}
		if !st.Clear {
			guessed = true
		}
		// A level clearly between the ends: more than one change.
		if st.PosLo > 0.1 && st.PosHi < 0.9 && st.Row.Significant {
			res.MultipleSteps = true
		}
	}
	res.LastGood = b.good
	if lo >= 0 {
		res.LastGood = commits[lo]
	}
	res.FirstBad = commits[hi]
	for c := lo + 1; c < hi; c++ {
		res.Candidates = append(res.Candidates, commits[c])
	}
	if len(res.Candidates) > 0 {
		res.Candidates = append(res.Candidates, commits[hi])
		res.Notes = append(res.Notes, fmt.Sprintf("%d commits before %s were skipped (do not build or their benchmark fails): the first bad commit is one of %d",
			len(res.Candidates)-1, commits[hi].Short(), len(res.Candidates)))
	}
	res.Found = true

	// The change itself: first bad against last good, directly.
	final, err := b.judgeFinal(ctx, res.LastGood, res.FirstBad, T)
	if err != nil {
		return err
	}
	res.Steps = append(res.Steps, *final)
	res.Change = final.Row
	if m := b.measure[[2]string{res.LastGood.Commit, res.FirstBad.Commit}]; m != nil && len(m.oldRuns) > 0 && len(m.newRuns) > 0 {
		res.FinalRuns = [2]int64{slices.Max(m.oldRuns), slices.Max(m.newRuns)}
	}
	if err := b.profile(ctx, res); err != nil {
		return err
	}
	res.Share = math.Log(final.Row.Ratio) / T
	shareHi := math.Max(math.Log(final.Row.Lo)/T, math.Log(final.Row.Hi)/T)
	if !math.IsNaN(shareHi) && shareHi < 0.8 {
		res.MultipleSteps = true
	}
	if p := pos[lo]; lo >= 0 && p[1] > 0.1 {
		res.MultipleSteps = true
	}
	if res.MultipleSteps {
		res.Notes = append(res.Notes, fmt.Sprintf("the range holds more than one step: %s accounts for about %.0f%% of the change from good to bad",
			res.FirstBad.Short(), 100*res.Share))
	}
	switch {
	case !final.Row.Significant:
		res.Sureness = "low"
		res.Notes = append(res.Notes, "the first bad commit's own change is not significant")
	case guessed || len(res.Candidates) > 0:
		res.Sureness = "medium"
		if guessed {
			res.Notes = append(res.Notes, fmt.Sprintf("some decisions were taken on the estimate after %d rounds did not make them clear", b.opts.MaxRounds))
		}
	default:
		res.Sureness = "high"
	}
	seen := map[[2]string]bool{}
	for _, s := range res.Steps {
		k := [2]string{s.Against.Commit, s.Commit.Commit}
		if s.Outcome != Skip && !seen[k] {
			seen[k] = true
			res.Measured++
			if s.Measured == 0 {
				res.Stored++
			}
		}
	}
	return nil
}

// profile runs Options.Profile on the last good and first bad commits,
// unless the final measurement's runs hold profiles already.
func (b *bisector) profile(ctx context.Context, res *Result) error {
	if len(b.opts.Profile) == 0 {
		return nil
	}
	if res.FinalRuns[1] != 0 {
		ps, err := b.opts.Store.Profiles(ctx, res.FinalRuns[1])
		if err != nil {
			return err
		}
		if len(ps) > 0 {
			res.ProfilesStored = true
			return nil
		}
	}
	ob, err := b.ws.Build(ctx, res.LastGood, b.pkgs)
	if err != nil {
		return fmt.Errorf("profile %s: %w", res.LastGood.Short(), err)
	}
	nb, err := b.ws.Build(ctx, res.FirstBad, b.pkgs)
	if err != nil {
		return fmt.Errorf("profile %s: %w", res.FirstBad.Short(), err)
	}
	b.progress(StepProgress{Commit: res.FirstBad, Outcome: Profiled})
	cfg := b.opts.Config
	cfg.Bench, cfg.Rounds, cfg.FirstRound, cfg.Extra = b.bench, 1, 0, b.opts.Profile
	if err := ab.Extra(ctx, ob, nb, cfg); err != nil {
		return fmt.Errorf("profile %s and %s: %w", res.LastGood.Short(), res.FirstBad.Short(), err)
	}
	res.Profiled = true
	b.progress(StepProgress{Commit: res.FirstBad, Done: true, Outcome: Profiled, Estimate: math.NaN()})
	return nil
}

// pick returns the commit to measure between lo and hi (exclusive): the
// one nearest the middle that was not skipped, or -1.
func (b *bisector) pick(lo, hi int, skipped map[int]bool) int {
	mid := (lo + hi) / 2
	for d := 0; d < hi-lo; d++ {
		for _, c := range []int{mid - d, mid + d} {
			if c > lo && c < hi && !skipped[c] {
				return c
			}
		}
	}
	return -1
}

func (b *bisector) progress(p StepProgress) {
	if b.opts.Step == nil {
		return
	}
	if !p.Done && p.Outcome == "" {
		b.stepNo++
	}
	p.Step = b.stepNo
	p.About = b.about
	p.Left = b.left
	b.opts.Step(p)
}
