package nightly_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// TestBuild_abNextPair: a doubling on night 11 after a slow night of the
// old code on night 10 is put at night 10 by the nights. ab of c9 and
// c10 refutes that: the change is pending, and the next pair, c10 to
// c11, is a suspect with its own command. ab of c10 and c11 then
// confirms a regression at night 11; where it refutes that too, neither
// stays. Where night 10 already stood at the new level, ab's refutation
// is the machine's, and there is no next pair to measure.
func TestBuild_abNextPair(t *testing.T) {
	var levels []float64
	for _, f := range []float64{1, 1.01, 0.99, 1.02, 0.98, 1, 1.01, 0.99, 1.02, 0.98} {
		levels = append(levels, 55*f)
	}
	levels = append(levels, 55*1.55, 110, 111, 109)
	night := levelRuns(levels)
	after := night[len(night)-1].Time.Add(time.Hour)
	build := func(t *testing.T, extra ...[]nightlytest.Run) *nightly.Report {
		t.Helper()
		runs := append([]nightlytest.Run(nil), night...)
		for _, e := range extra {
			runs = append(runs, e...)
		}
		rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := build(t)
	if len(rep.Regressions) != 1 || rep.Regressions[0].Commit() != "c10" {
		t.Fatalf("regressions %v, want one at c10 (the night before the step)", rep.Regressions)
	}
	refuted := abRuns("x", "a", "c9", "c10", 10, 1, after, nil)
	rep = build(t, refuted)
	if len(rep.Regressions) != 0 || len(rep.Pending) != 1 || rep.Pending[0].AB == nil || rep.Pending[0].AB.Verdict != nightly.ABRefuted {
		t.Fatalf("ab refutes c9..c10: regressions %v, pending %v; want it pending", rep.Regressions, rep.Pending)
	}
	if len(rep.Suspects) != 1 {
		t.Fatalf("%d suspects, want the next pair, c10 to c11", len(rep.Suspects))
	}
	s := rep.Suspects[0]
	if s.Good.Labels["commit"] != "c10" || s.Commit() != "c11" || s.ChangeIndex != 11 || !strings.Contains(s.Confirm(), " c10 c11 ") {
		t.Errorf("suspect %s..%s at %d, command %q; want c10..c11 at 11", s.Good.Labels["commit"], s.Commit(), s.ChangeIndex, s.Confirm())
	}
	// What report --confirm measures next: the next pair alone, its
	// first measurement (c9..c10) tried.
	first := build(t).Regressions[0].Confirm()
	if got := rep.ToConfirm(10, map[string]bool{first: true}); len(got) != 1 || got[0] != s {
		t.Errorf("ToConfirm with %q tried: %d changes, want the next pair alone", first, len(got))
	}
	if got := rep.ToConfirm(10, map[string]bool{s.Confirm(): true}); len(got) != 0 {
		t.Errorf("ToConfirm with the next pair tried: %d changes, want none", len(got))
	}
	rep = build(t, refuted, abRuns("y", "a", "c10", "c11", 10, 2, after.Add(time.Hour), nil))
	if len(rep.Regressions) != 1 || rep.Regressions[0].Commit() != "c11" || rep.Regressions[0].AB == nil || rep.Regressions[0].AB.Verdict != nightly.ABConfirmed {
		t.Fatalf("ab confirms c10..c11: regressions %v, suspects %d; want a regression at c11", rep.Regressions, len(rep.Suspects))
	}
	if len(rep.Suspects) != 0 || len(rep.Pending) != 1 {
		t.Errorf("ab confirms c10..c11: %d suspects, %d pending; want none and the refuted c10", len(rep.Suspects), len(rep.Pending))
	}
	rep = build(t, refuted, abRuns("y", "a", "c10", "c11", 10, 1, after.Add(time.Hour), nil))
	if len(rep.Regressions) != 0 || len(rep.Suspects) != 0 {
		t.Errorf("ab refutes c10..c11 too: regressions %v, %d suspects; want none", rep.Regressions, len(rep.Suspects))
	}

	levels[10] = 110
	night = levelRuns(levels)
	rep = build(t, refuted)
	if len(rep.Regressions) != 0 || len(rep.Pending) != 1 || len(rep.Suspects) != 0 {
		t.Errorf("night 10 at the new level, ab refutes c9..c10: %d regressions, %d pending, %d suspects; want it pending alone", len(rep.Regressions), len(rep.Pending), len(rep.Suspects))
	}
}
