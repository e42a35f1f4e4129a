package bisect

import (
	"context"
	"strconv"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/ab"
)

// measurement is the stored and new rounds of one pair of commits.
type measurement struct {
	old, new ab.Side
	rounds   int
	stored   int
	// runs are the stored runs of each side, oldest first.
	oldRuns, newRuns []int64
}

func (b *bisector) analyze(m *measurement) *ab.Analysis {
	return ab.Analyze(&ab.Measurement{Old: m.old, New: m.new, Rounds: m.rounds}, ab.AnalysisOptions{Confidence: b.opts.Confidence, Threshold: b.opts.Threshold, Within: b.opts.Within})
}

// measured returns at least rounds rounds of new against old: those
// stored by this bisection first, then new ones, which it stores.
func (b *bisector) measured(ctx context.Context, old, new ab.Revision, bench string, rounds int) (*measurement, error) {
	k := [2]string{old.Commit, new.Commit}
	m := b.measure[k]
	if m == nil {
		m = &measurement{old: ab.Side{Rev: old}, new: ab.Side{Rev: new}}
		var oldIDs, newIDs []int64
		for _, r := range b.stored[k] {
			if r.Labels["side"] == ab.Old {
				oldIDs = append(oldIDs, r.ID)
			} else {
				newIDs = append(newIDs, r.ID)
			}
		}
		if len(oldIDs) > 0 {
			os, err := ab.LoadSide(ctx, b.opts.Store, old, oldIDs...)
			if err != nil {
				return nil, err
			}
			ns, err := ab.LoadSide(ctx, b.opts.Store, new, newIDs...)
			if err != nil {
				return nil, err
			}
			m.old.Results, m.new.Results = os.Results, ns.Results
			m.oldRuns, m.newRuns = oldIDs, newIDs
			m.rounds = countRounds(ns.Results)
			m.stored = m.rounds
		}
		b.measure[k] = m
	}
	if m.rounds >= rounds {
		return m, nil
	}
	ob, err := b.ws.Build(ctx, old, b.pkgs)
	if err != nil {
		return nil, err
	}
	nb, err := b.ws.Build(ctx, new, b.pkgs)
	if err != nil {
		return nil, err
	}
	cfg := b.opts.Config
	cfg.Bench = bench
	cfg.Rounds = rounds - m.rounds
	cfg.FirstRound = m.rounds
	cfg.Seed = b.opts.Seed + uint64(len(b.measure))*1000 + uint64(m.rounds)
	got, err := ab.Measure(ctx, ob, nb, cfg)
	if err != nil {
		return nil, err
	}
	b.step++
	labels := map[string]string{LabelStep: strconv.Itoa(b.step)}
	for k, v := range b.labels {
		labels[k] = v
	}
	id := b.labels[LabelID] + "-" + old.Commit[:8] + "-" + new.Commit[:8] + "-" + strconv.Itoa(m.rounds)
	st, err := ab.Store(ctx, b.opts.Store, got, id, labels)
	if err != nil {
		return nil, err
	}
	m.oldRuns, m.newRuns = append(m.oldRuns, st.OldRun), append(m.newRuns, st.NewRun)
	m.old.Results = append(m.old.Results, got.Old.Results...)
	m.new.Results = append(m.new.Results, got.New.Results...)
	m.rounds = rounds
	return m, nil
}

// countRounds returns the number of distinct rounds among rs.
func countRounds(rs []*benchfmt.Result) int {
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.GetConfig("round")] = true
	}
	return len(seen)
}
