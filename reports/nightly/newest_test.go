package nightly_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// levelRuns returns one run a night of benchmark B at the given levels
// (ns/op), five samples each spread ±0.5% around the level, with
// commit cN on night N.
func levelRuns(levels []float64) []nightlytest.Run {
	var runs []nightlytest.Run
	for i, l := range levels {
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: p\n")
		for _, f := range []float64{0.995, 0.9975, 1, 1.0025, 1.005} {
			fmt.Fprintf(&b, "BenchmarkB-2 \t1000000\t%.2f ns/op\n", l*f)
		}
		runs = append(runs, nightlytest.Run{
			Time:   epoch.Add(time.Duration(i) * 24 * time.Hour),
			Labels: map[string]string{"host": "a", "commit": fmt.Sprintf("c%d", i)},
			Text:   []byte(b.String()),
		})
	}
	return runs
}

// TestBuild_newestJump: a benchmark whose level moved a little a few
// nights ago and then jumped eightfold on the newest night is reported
// with the jump's size, at the newest night, not with the small move's
// (the newest night must not be clipped into the recent level). On a
// history shorter than the calm nights a change of one night waits for
// a second (Pending, Wait) with that size; on a longer one it is a
// regression.
func TestBuild_newestJump(t *testing.T) {
	for _, before := range []int{9, 25} {
		t.Run(fmt.Sprint(before+4, "nights"), func(t *testing.T) {
			var levels []float64
			for i := range before {
				levels = append(levels, 55*(1+0.004*float64(i%3-1)))
			}
			levels = append(levels, 59.6, 60.1, 59.8, 505)
			newest := fmt.Sprintf("c%d", len(levels)-1)
			src := nightlytest.MustMemSource(t, levelRuns(levels))
			now := epoch.Add(time.Duration(len(levels)) * 24 * time.Hour)
			rep, err := nightly.Build(context.Background(), src, nightly.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			want := (505/59.83 - 1) * 100
			if before < 20 {
				if len(rep.Regressions) != 0 || len(rep.Pending) != 1 || !rep.Pending[0].Wait {
					t.Fatalf("regressions %d, pending %+v: want one pending change waiting for a second night", len(rep.Regressions), rep.Pending)
				}
				if p := rep.Pending[0].Pct; math.Abs(p-want) > 0.1*want {
					t.Errorf("pending %+.1f%%, want about %+.0f%%", p, want)
				}
				return
			}
			if len(rep.Regressions) != 1 {
				t.Fatalf("regressions = %d, want 1 (pending %d)", len(rep.Regressions), len(rep.Pending))
			}
			c := rep.Regressions[0]
			if math.Abs(c.Pct-want) > 0.1*want || c.Commit() != newest {
				t.Errorf("regression %+.1f%% at %s, want about %+.0f%% at %s", c.Pct, c.Commit(), want, newest)
			}
		})
	}
}

// TestBuild_notMeasured: a benchmark whose newest run gave NaN (go test
// writes it for a benchmark that timed nothing) is missing, and the
// report says it ran and what it gave, apart from one the newest run did
// not have; the Markdown and JSON say so too.
func TestBuild_notMeasured(t *testing.T) {
	runs := levelRuns([]float64{55, 55.2, 54.9, 55.1, 55})
	nan := runs[len(runs)-1]
	nan.Text = []byte("goos: linux\ngoarch: amd64\npkg: p\nBenchmarkB-2 \t1\tNaN ns/op\nBenchmarkB-2 \t1\t+Inf ns/op\nBenchmarkC-2 \t1\t3 ns/op\n")
	runs[len(runs)-1] = nan
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Missing) != 1 || rep.Missing[0].Name != "B-2" || rep.Missing[0].NotMeasured != "NaN" {
		t.Fatalf("missing %+v, want B-2, not measured: NaN", rep.Missing)
	}
	if r := rep.Missing[0].Run; r.Labels["commit"] != "c3" {
		t.Errorf("B-2's last run %s, want c3, the last with a measurement", r.Labels["commit"])
	}
	var md, js strings.Builder
	if err := nightly.WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| NaN, not a measurement |") {
		t.Errorf("Markdown does not say B-2's newest run gave NaN:\n%s", md.String())
	}
	var page strings.Builder
	if err := nightly.WriteHTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<td>NaN, not a measurement</td>") {
		t.Errorf("the HTML page does not say B-2's newest run gave NaN")
	}
	if err := nightly.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"not_measured":"NaN"`) && !strings.Contains(js.String(), `"not_measured": "NaN"`) {
		t.Errorf("JSON has no not_measured for B-2:\n%s", js.String())
	}

	// Absent from the newest run: missing, absent.
	runs[len(runs)-1].Text = []byte("goos: linux\ngoarch: amd64\npkg: p\nBenchmarkC-2 \t1\t3 ns/op\n")
	rep, err = nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Missing) != 1 || rep.Missing[0].NotMeasured != "" || rep.Missing[0].Newest() != "absent" {
		t.Errorf("missing %+v, want B-2, absent", rep.Missing)
	}
}

// TestBuild_shortNewLevel: a doubling on the newest three nights of
// fourteen, after nights that wander by 4-10% (SortInts on the AMD
// nights of the real-noise corpus, 219-232, as judged: its levels
// against its stretch), is a
// regression at its first night once it has three. The segmentation
// used to clip every night at the history's median plus 4 sd, which
// shrank the new level to a third of its size; the split then failed
// its test and the doubling was never reported.
func TestBuild_shortNewLevel(t *testing.T) {
	logs := []float64{-4.156, -4.123, -4.339, -4.332, -4.357, -4.356, -4.377, -4.519, -4.371, -4.395, -4.341, -3.656, -3.614, -3.557}
	var levels []float64
	for _, l := range logs {
		levels = append(levels, 1e9*math.Exp(l))
	}
	src := nightlytest.MustMemSource(t, levelRuns(levels))
	rep, err := nightly.Build(context.Background(), src, nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Regressions) != 1 {
		t.Fatalf("%d regressions (pending %d, suspects %d), want the doubling", len(rep.Regressions), len(rep.Pending), len(rep.Suspects))
	}
	c := rep.Regressions[0]
	if c.ChangeIndex != 11 || c.Commit() != "c11" || c.Pct < 90 || c.Pct > 130 {
		t.Errorf("regression %+.1f%% at %d (%s), want about +110%% at 11 (c11)", c.Pct, c.ChangeIndex, c.Commit())
	}
}
