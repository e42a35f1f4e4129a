package nightly_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/mdtext"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// abRuns returns the two runs benchdb ab stores for a measurement of
// commits old and new of BenchmarkB-2 in package p: rounds rounds, the
// machine drifting 3% a round and each round's values scattered by ±1%,
// NEW's values ratio times OLD's.
func abRuns(id, host, old, new string, rounds int, ratio float64, at time.Time, extra map[string]string) []nightlytest.Run {
	var out []nightlytest.Run
	for _, side := range []string{"old", "new"} {
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: p\n")
		for r := range rounds {
			level := 55 * math.Pow(1.03, float64(r)) * (1 + 0.01*float64(r%3-1))
			if side == "new" {
				level *= ratio
			}
			fmt.Fprintf(&b, "round: %d\n", r)
			for _, f := range []float64{1, 1.004, 1.01} {
				fmt.Fprintf(&b, "BenchmarkB-2 \t1000000\t%.3f ns/op\n", level*f)
			}
		}
		commit := old
		if side == "new" {
			commit = new
		}
		labels := map[string]string{"host": host, "ab": id, "side": side, "commit": commit, "rev": commit}
		for k, v := range extra {
			labels[k] = v
		}
		out = append(out, nightlytest.Run{Time: at, Labels: labels, Text: []byte(b.String())})
	}
	return out
}

// abNoisy returns an ab measurement of c24 and c25 whose rounds disagree:
// NEW lo and hi times OLD in turn.
func abNoisy(at time.Time, lo, hi float64) []nightlytest.Run {
	runs := abRuns("x", "a", "c24", "c25", 10, 1, at, nil)
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\npkg: p\n")
	for r := range 10 {
		level := 55 * math.Pow(1.03, float64(r)) * (1 + 0.01*float64(r%3-1))
		if r%2 == 0 {
			level *= lo
		} else {
			level *= hi
		}
		fmt.Fprintf(&b, "round: %d\nBenchmarkB-2 \t1000000\t%.3f ns/op\n", r, level)
	}
	runs[1].Text = []byte(b.String())
	return runs
}

// abHostile returns abRuns("x", ..., 10, 1.005) with NaN, infinite and
// negative values in its rounds, a round numbered 2^62 on one side only,
// and results whose round is not a number.
func abHostile(at time.Time) []nightlytest.Run {
	runs := abRuns("x", "a", "c24", "c25", 10, 1.005, at, nil)
	for i := range runs {
		runs[i].Text = append(runs[i].Text, "round: 3\nBenchmarkB-2 \t1000000\tNaN ns/op\nBenchmarkB-2 \t1000000\t+Inf ns/op\nBenchmarkB-2 \t1000000\t-5 ns/op\n"+
			"round: x\nBenchmarkB-2 \t1000000\t1 ns/op\n"...)
	}
	runs[1].Text = append(runs[1].Text, "round: 4611686018427387904\nBenchmarkB-2 \t1000000\t1 ns/op\n"...)
	return runs
}

// TestBuild_abCheck: the report reads benchdb ab's runs of a change's two
// commits on its machine as a check of the change. A measurement that
// excludes such a difference moves the regression to Pending (the
// history's step was the machine's); one that finds it keeps it, with
// ab's size; one with too few rounds, or too noisy to tell, leaves it as
// it is. ab's runs are
// never nights of the history, and a measurement on another machine, of
// a dirty work tree or of other commits is not read.
func TestBuild_abCheck(t *testing.T) {
	var levels []float64
	for i := range 25 {
		levels = append(levels, 55*(1+0.004*float64(i%3-1)))
	}
	levels = append(levels, 70, 70.2, 69.9)
	night := levelRuns(levels)
	after := night[len(night)-1].Time.Add(time.Hour)
	for _, tc := range []struct {
		name    string
		ab      []nightlytest.Run
		verdict string // "" for no check
		pct     float64
	}{
		{"none", nil, "", 0},
		{"refuted", abRuns("x", "a", "c24", "c25", 10, 1.005, after, nil), nightly.ABRefuted, 0.5},
		{"confirmed", abRuns("x", "a", "c24", "c25", 10, 1.25, after, nil), nightly.ABConfirmed, 25},
		{"short hashes", abRuns("x", "a", "c24", "c25", 10, 1.25, after, nil), nightly.ABConfirmed, 25},
		{"too few rounds", abRuns("x", "a", "c24", "c25", 5, 1.005, after, nil), nightly.ABUndecided, 0.5},
		// An interval that holds both no change and the +27% of the nights.
		{"too noisy", abNoisy(after, 0.9, 1.4), nightly.ABUndecided, 12.2},
		// One that holds no change and +6%, but not the nights' +27%.
		{"smaller than the nights showed", abNoisy(after, 0.95, 1.07), nightly.ABRefuted, 1},
		// A change of +10% for sure: smaller than the nights', but a regression.
		{"a smaller regression", abRuns("x", "a", "c24", "c25", 10, 1.10, after, nil), nightly.ABConfirmed, 10},
		{"below the threshold", abRuns("x", "a", "c24", "c25", 10, 1.03, after, nil), nightly.ABRefuted, 3},
		{"the other way", abRuns("x", "a", "c24", "c25", 10, 0.8, after, nil), nightly.ABRefuted, -20},
		// Two measurements of five rounds, too few alone: pooled.
		{"two measurements", append(abRuns("x", "a", "c24", "c25", 5, 1.25, after, nil),
			abRuns("y", "a", "c24", "c25", 5, 1.25, after.Add(time.Minute), nil)...), nightly.ABConfirmed, 25},
		{"another machine", abRuns("x", "b", "c24", "c25", 10, 1.0, after, nil), "", 0},
		{"nights on a branch", abRuns("x", "a", "c24", "c25", 10, 1.0, after, nil), nightly.ABRefuted, 0},
		{"a dirty work tree", abRuns("x", "a", "c24", "c25", 10, 1.0, after, map[string]string{"dirty": "true"}), "", 0},
		{"other commits", abRuns("x", "a", "c23", "c25", 10, 1.0, after, nil), "", 0},
		// Values that are not measurements, and rounds that are not
		// numbers or are huge, are left out of the pairing.
		{"hostile values", abHostile(after), nightly.ABRefuted, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := append(append([]nightlytest.Run(nil), night...), tc.ab...)
			if tc.name == "nights on a branch" {
				// benchdb run labels its runs with the branch; ab does not.
				runs = append([]nightlytest.Run(nil), night...)
				for i := range runs {
					runs[i].Labels = map[string]string{"host": "a", "commit": fmt.Sprintf("c%d", i), "branch": "main"}
				}
				runs = append(runs, tc.ab...)
			}
			if tc.name == "short hashes" {
				// Nightly runs labelled with short hashes, ab's with full ones.
				runs = append([]nightlytest.Run(nil), night...)
				for i := range runs {
					c := fmt.Sprintf("%07d", i)
					runs[i].Labels = map[string]string{"host": "a", "commit": c}
				}
				for _, r := range abRuns("x", "a", "0000024", "0000025", 10, 1.25, after, nil) {
					r.Labels["commit"] += "deadbeef"
					r.Labels["rev"] = "HEAD"
					runs = append(runs, r)
				}
			}
			rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Series) != 1 || len(rep.Series[0].Runs) != len(night) {
				t.Fatalf("series %d, runs %d: want one series of the %d nights, ab's runs left out", len(rep.Series), len(rep.Series[0].Runs), len(night))
			}
			var ch *nightly.Change
			var ab *nightly.ABCheck
			switch {
			case len(rep.Regressions) == 1 && len(rep.Pending) == 0:
				ch, ab = rep.Regressions[0], rep.Regressions[0].AB
				if len(ch.History) != len(night) {
					t.Errorf("history of %d runs, want %d", len(ch.History), len(night))
				}
			case len(rep.Regressions) == 0 && len(rep.Pending) == 1:
				p := rep.Pending[0]
				ab = p.AB
				if ab == nil || !strings.HasPrefix(p.Why(), "ab: no such change (") || math.Abs(p.Pct-27.3) > 1 {
					t.Fatalf("pending %+v (%s), want the history's +27%% refuted by ab", p, p.Why())
				}
			default:
				t.Fatalf("%d regressions, %d pending: want the step in one of them", len(rep.Regressions), len(rep.Pending))
			}
			if tc.verdict == "" {
				if ab != nil {
					t.Fatalf("check %v, want none", ab)
				}
				return
			}
			if ab == nil {
				t.Fatalf("no check, want %s", tc.verdict)
			}
			if ab.Verdict != tc.verdict || math.Abs(ab.Pct-tc.pct) > 0.6 {
				t.Errorf("%s, want %s at %+.1f%%", ab, tc.verdict, tc.pct)
			}
			if tc.name == "two measurements" && (ab.Measurements != 2 || ab.Rounds != 10 || ab.ID != "y" || !strings.Contains(ab.String(), "y and 1 earlier")) {
				t.Errorf("%s: %d measurements, %d rounds, newest %s; want both pooled, 10 rounds, y the newest", ab, ab.Measurements, ab.Rounds, ab.ID)
			}
			if (tc.verdict == nightly.ABRefuted) != (ch == nil) {
				t.Errorf("%s: regression %v", ab, ch != nil)
			}
			if tc.verdict != nightly.ABUndecided && (math.IsNaN(ab.LoPct) || ab.LoPct > ab.Pct || ab.HiPct < ab.Pct) {
				t.Errorf("%s: interval does not hold the estimate", ab)
			}
			// The change point where the change starts says what ab found.
			points := 0
			for _, sh := range rep.Shifts {
				want := map[string]string{nightly.ABRefuted: "machine (benchdb ab)", nightly.ABConfirmed: "code (benchdb ab)", nightly.ABUndecided: "code or machine"}[tc.verdict]
				if sh.Run.ID != int64(len(night)-2) {
					continue
				}
				points++
				if sh.AB != ab || sh.Cause() != want {
					t.Errorf("change point at run %d: %q, ab %v; want %q", sh.Run.ID, sh.Cause(), sh.AB, want)
				}
			}
			if points != 1 {
				t.Errorf("%d change points at run %d, want the step's", points, len(night)-2)
			}
			// What the reader sees: the measurement beside the change, no
			// command to measure it again once it is decided.
			if wantCmd := tc.verdict == nightly.ABUndecided; ch != nil && (ch.Confirm() != "") != wantCmd {
				t.Errorf("%s: confirm command %q", ab, ch.Confirm())
			}
			var md, js, page strings.Builder
			if err := nightly.WriteMarkdown(&md, rep); err != nil {
				t.Fatal(err)
			}
			if err := nightly.WriteHTML(&page, rep); err != nil {
				t.Fatal(err)
			}
			pageShows := ab.String()
			if ch == nil {
				pageShows = rep.Pending[0].Why()
			}
			if !strings.Contains(html.UnescapeString(page.String()), pageShows) {
				t.Errorf("HTML lacks %q", pageShows)
			}
			if err := nightly.WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			shown := mdtext.Escape(ab.String())
			if ch == nil {
				shown = rep.Pending[0].Why()
			}
			if !strings.Contains(md.String(), shown) {
				t.Errorf("Markdown lacks %q:\n%s", shown, md.String())
			}
			var got struct {
				Regressions, Pending []struct {
					Confirm *string
					AB      *struct {
						ID      string
						Rounds  int
						Pct     float64
						Verdict string
						NewRun  int64 `json:"new_run"`
					}
				}
			}
			if err := json.Unmarshal([]byte(js.String()), &got); err != nil {
				t.Fatal(err)
			}
			list := got.Regressions
			if ch == nil {
				list = got.Pending
			}
			if len(list) != 1 || list[0].AB == nil || list[0].AB.Verdict != tc.verdict || list[0].AB.ID != ab.ID ||
				list[0].AB.NewRun != ab.New.ID || list[0].AB.Rounds != ab.Rounds || math.Abs(list[0].AB.Pct-ab.Pct) > 1e-9 {
				t.Errorf("JSON %s", js.String())
			}
		})
	}
}

// TestBuild_abLabelAlone: a nightly run that carries a label named ab
// but no side is a night of its series, not an ab measurement.
func TestBuild_abLabelAlone(t *testing.T) {
	var levels []float64
	for i := range 12 {
		levels = append(levels, 55*(1+0.004*float64(i%3-1)))
	}
	runs := levelRuns(levels)
	for i := range runs {
		runs[i].Labels["ab"] = "experiment-7"
	}
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != 1 || len(rep.Series[0].Runs) != 12 {
		t.Fatalf("%d series; want the 12 nights labelled ab=experiment-7 as one", len(rep.Series))
	}
}

// TestBuild_suspect: a slowdown of the newest night that the nights'
// noise cannot yet separate from it (p between 0.01 and 0.25) is a
// suspect, with the command that measures it again; ab's measurement
// of the two commits makes it a regression or drops it, and a suspect
// between runs of one commit is none.
func TestBuild_suspect(t *testing.T) {
	var levels []float64
	for _, f := range []float64{1, 1.08, 0.93, 1.05, 0.96, 1.1, 0.92, 1.03, 0.98, 1.07, 0.94, 1.01} {
		levels = append(levels, 55*f)
	}
	levels = append(levels, 55*1.16)
	night := levelRuns(levels)
	after := night[len(night)-1].Time.Add(time.Hour)
	build := func(runs []nightlytest.Run) *nightly.Report {
		t.Helper()
		rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := build(night)
	if len(rep.Regressions) != 0 || len(rep.Suspects) != 1 {
		t.Fatalf("%d regressions, %d suspects; want the newest night's +16%% as a suspect", len(rep.Regressions), len(rep.Suspects))
	}
	s := rep.Suspects[0]
	if s.RawP <= 0.01 || s.RawP > 0.25 || s.Pct < 10 || s.ChangeIndex != len(levels)-1 || s.Confirm() == "" {
		t.Fatalf("suspect %+.1f%% p %.3g at %d, command %q", s.Pct, s.RawP, s.ChangeIndex, s.Confirm())
	}
	var md, js strings.Builder
	if err := nightly.WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if err := nightly.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## Suspects") || !strings.Contains(md.String(), "`"+s.Confirm()+"`") || nightly.Summary(rep) != "0 regressions, 0 improvements, 1 suspect, 1 noisy, 0 new, 0 missing" {
		t.Errorf("Markdown lacks the suspect and its command:\n%s", md.String())
	}
	var got struct{ Suspects []struct{ Confirm *string } }
	if err := json.Unmarshal([]byte(js.String()), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Suspects) != 1 || got.Suspects[0].Confirm == nil || *got.Suspects[0].Confirm != s.Confirm() {
		t.Errorf("JSON suspects %s", js.String())
	}

	// ab finds the slowdown: a regression, with ab's figure.
	rep = build(append(append([]nightlytest.Run(nil), night...), abRuns("x", "a", "c11", "c12", 10, 1.15, after, nil)...))
	if len(rep.Suspects) != 0 || len(rep.Regressions) != 1 || rep.Regressions[0].AB == nil || rep.Regressions[0].AB.Verdict != nightly.ABConfirmed {
		t.Errorf("confirmed by ab: %d suspects, regressions %v", len(rep.Suspects), rep.Regressions)
	}
	// ab finds none: gone, and not pending either.
	rep = build(append(append([]nightlytest.Run(nil), night...), abRuns("x", "a", "c11", "c12", 10, 1, after, nil)...))
	if len(rep.Suspects) != 0 || len(rep.Regressions) != 0 || len(rep.Pending) != 0 {
		t.Errorf("refuted by ab: %d suspects, %d regressions, %d pending", len(rep.Suspects), len(rep.Regressions), len(rep.Pending))
	}
	// One commit on both sides: the machine.
	same := append([]nightlytest.Run(nil), night...)
	same[len(same)-1].Labels = map[string]string{"host": "a", "commit": "c11"}
	if rep := build(same); len(rep.Suspects) != 0 {
		t.Errorf("one commit: %d suspects", len(rep.Suspects))
	}
}
