package nightly_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
	"github.com/benchdb/benchdb/runner"
)

// stretchRuns returns nights of a package whose two benchmarks' times are
// their CPU time (1 µs and 3 µs, 2% noise, times step from night stepAt
// on) multiplied by the night's stretch, which jumps to 2.5x from night
// spell on (another program took the CPU); each night a new commit, and,
// with stretch, the package's stretch as `benchdb run` records it.
func stretchRuns(nights, spell, stepAt int, step float64, stretch bool) []nightlytest.Run {
	rng := rand.New(rand.NewPCG(7, 7))
	const pkg = "example.com/m/work"
	var runs []nightlytest.Run
	for i := range nights {
		s := 1.1 + 0.1*rng.Float64()
		if i >= spell {
			s *= 2.5
		}
		f := 1.0
		if stepAt >= 0 && i >= stepAt {
			f = step
		}
		var b strings.Builder
		fmt.Fprintf(&b, "pkg: %s\n", pkg)
		for _, bench := range []struct {
			name string
			ns   float64
		}{{"BenchmarkA", 1000}, {"BenchmarkB", 3000}} {
			for range 5 {
				fmt.Fprintf(&b, "%s-2 \t1000\t%.2f ns/op\n", bench.name, bench.ns*f*s*math.Exp(0.02*rng.NormFloat64()))
			}
		}
		if stretch {
			fmt.Fprintf(&b, "pkg: %s\n%s \t1\t%.4f %s\n", runner.ProbePackage, runner.StretchName(pkg), s, runner.StretchUnit)
		}
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour),
			Labels: map[string]string{"commit": fmt.Sprintf("c%02d", i)}, Text: []byte(b.String())})
	}
	return runs
}

func buildRuns(t *testing.T, runs []nightlytest.Run) *nightly.Report {
	t.Helper()
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestBuild_stretch: a spell of load that stretches a package's
// benchmarks 2.5-fold for its last three nights, each night a new
// commit, is a regression without the package's stretch and the machine
// with it; a real 50% step during the spell is still found with it, its
// size measured against the CPU time.
func TestBuild_stretch(t *testing.T) {
	if rep := buildRuns(t, stretchRuns(10, 7, -1, 1, false)); len(rep.Regressions) != 2 {
		t.Errorf("without the stretch: %d regressions, want both benchmarks (the spell looks like code)", len(rep.Regressions))
	}
	rep := buildRuns(t, stretchRuns(10, 7, -1, 1, true))
	if len(rep.Regressions)+len(rep.Improvements)+len(rep.Pending) != 0 {
		t.Errorf("with the stretch: %d regressions, %d improvements, %d pending; want none: the spell is the machine", len(rep.Regressions), len(rep.Improvements), len(rep.Pending))
	}
	rep = buildRuns(t, stretchRuns(10, 7, 7, 1.5, true))
	if len(rep.Regressions) != 2 {
		t.Fatalf("a 50%% step during the spell, with the stretch: %d regressions, want 2", len(rep.Regressions))
	}
	for _, ch := range rep.Regressions {
		if !ch.Corrected || ch.ChangeIndex != 7 || ch.Pct < 35 || ch.Pct > 65 {
			t.Errorf("%s: %+.0f%% at run %d, corrected %v; want about +50%% at run 7, corrected", ch.Name, ch.Pct, ch.ChangeIndex, ch.Corrected)
		}
	}
}

// benchStretchRuns returns nights of a package with benchmarks A and
// B/n=1 (1 µs and 3 µs of CPU, 2% noise, a new commit each night) where
// from night spell on another program took the CPU while B ran only: B's
// threads waited 1.5 times as long as they ran (its stretch 2.5), A's
// not. The package's stretch, over both, rises to about 2; with
// perBench, each benchmark's stretch is recorded beside it, as `benchdb
// run` does (B's under its top-level name, as go test starts it).
func benchStretchRuns(nights, spell int, perBench bool) []nightlytest.Run {
	rng := rand.New(rand.NewPCG(9, 9))
	const pkg = "example.com/m/work"
	var runs []nightlytest.Run
	for i := range nights {
		sa, sb := 1.1+0.1*rng.Float64(), 1.1+0.1*rng.Float64()
		if i >= spell {
			sb *= 2.5
		}
		var b strings.Builder
		fmt.Fprintf(&b, "pkg: %s\n", pkg)
		for range 5 {
			fmt.Fprintf(&b, "BenchmarkA-2 \t1000\t%.2f ns/op\n", 1000*sa*math.Exp(0.02*rng.NormFloat64()))
		}
		for range 5 {
			fmt.Fprintf(&b, "BenchmarkB/n=1-2 \t1000\t%.2f ns/op\n", 3000*sb*math.Exp(0.02*rng.NormFloat64()))
		}
		fmt.Fprintf(&b, "pkg: %s\n%s \t1\t%.4f %s\n", runner.ProbePackage, runner.StretchName(pkg), (1000*sa+3000*sb)/4000, runner.StretchUnit)
		if perBench {
			fmt.Fprintf(&b, "%s \t1\t%.4f %s\n", runner.StretchBenchName(pkg, "BenchmarkA"), sa, runner.StretchUnit)
			fmt.Fprintf(&b, "%s \t1\t%.4f %s\n", runner.StretchBenchName(pkg, "BenchmarkB"), sb, runner.StretchUnit)
		}
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour),
			Labels: map[string]string{"commit": fmt.Sprintf("c%02d", i)}, Text: []byte(b.String())})
	}
	return runs
}

// TestBuild_benchStretch: load during one benchmark of a package is
// diluted in the package's stretch, which then excuses only part of that
// benchmark's slowdown (a false regression); its own stretch excuses all
// of it, and a sub-benchmark finds its top-level benchmark's stretch.
func TestBuild_benchStretch(t *testing.T) {
	rep := buildRuns(t, benchStretchRuns(10, 7, false))
	if len(rep.Regressions) != 1 || rep.Regressions[0].Name != "B/n=1-2" {
		t.Errorf("with the package's stretch only: %d regressions, want B/n=1-2's (its load diluted in the package's)", len(rep.Regressions))
	}
	rep = buildRuns(t, benchStretchRuns(10, 7, true))
	if n := len(rep.Regressions) + len(rep.Improvements) + len(rep.Pending); n != 0 {
		for _, ch := range rep.Regressions {
			t.Logf("%s %+.0f%%", ch.Name, ch.Pct)
		}
		t.Errorf("with each benchmark's stretch: %d changes, want none: the load was B's alone", n)
	}
}

// TestBuild_benchStretchHostile: a stored benchmark stretch that is not a
// measurement (infinite, NaN, huge, below 1) counts as missing that night:
// the report is the one without the value, and its JSON stays finite.
func TestBuild_benchStretchHostile(t *testing.T) {
	render := func(bad string) string {
		runs := benchStretchRuns(12, 7, true)
		for i := range runs {
			if i%3 != 1 {
				continue
			}
			var keep []string
			for _, l := range strings.SplitAfter(string(runs[i].Text), "\n") {
				if name, _, _ := strings.Cut(l, " "); name == runner.StretchBenchName("example.com/m/work", "BenchmarkB") {
					if bad == "" {
						continue // missing
					}
					l = name + " \t1\t" + bad + " stretch\n"
				}
				keep = append(keep, l)
			}
			runs[i].Text = []byte(strings.Join(keep, ""))
		}
		var b strings.Builder
		if err := nightly.WriteJSON(&b, buildRuns(t, runs)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	missing := render("")
	for _, bad := range []string{"+Inf", "NaN", "1e300", "1001", "0.5", "1e-300", "0"} {
		got := render(bad)
		if got != missing {
			t.Errorf("stretch %s on four nights: the report differs from the one without those values", bad)
		}
		if strings.Contains(got, "NaN") || strings.Contains(got, "Inf") {
			t.Errorf("stretch %s: JSON holds a non-finite number", bad)
		}
	}
}

// procsStretchRuns returns nights of a package whose benchmark ran as
// five test processes a night (one sample each, as `benchdb run` runs by
// default), each process's time its CPU time (1 µs, 1% noise, times step
// from night stepAt on) multiplied by that process's own stretch, which
// it records: four processes ran on a quiet machine (stretch 1.0-1.1)
// and one, a different one each night, beside another program (stretch
// 1-6), so the night's median stretch hardly moves while its level does.
func procsStretchRuns(nights, stepAt int, step float64) []nightlytest.Run {
	rng := rand.New(rand.NewPCG(11, 11))
	const pkg = "example.com/m/work"
	var runs []nightlytest.Run
	for i := range nights {
		f := 1.0
		if stepAt >= 0 && i >= stepAt {
			f = step
		}
		var b, st strings.Builder
		busy := rng.IntN(5)
		for p := range 5 {
			s := 1 + rng.Float64()
			if p == busy {
				s = 4 + 4*rng.Float64()
			}
			fmt.Fprintf(&b, "pkg: %s\nBenchmarkA-2 \t1000\t%.2f ns/op\n", pkg, 1000*f*s*math.Exp(0.01*rng.NormFloat64()))
			fmt.Fprintf(&st, "%s \t1\t%.4f %s\n", runner.StretchBenchName(pkg, "BenchmarkA"), s, runner.StretchUnit)
		}
		fmt.Fprintf(&b, "pkg: %s\n%s", runner.ProbePackage, st.String())
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour),
			Labels: map[string]string{"commit": fmt.Sprintf("c%02d", i)}, Text: []byte(b.String())})
	}
	return runs
}

// TestBuild_procsStretch: a run's level is the mean of its samples'
// logarithms, one sample a process, so the stretch it is judged against
// must be the mean of the same processes' stretches' logarithms. The
// night's median stretch misses the one busy process that moves the
// level (up to +40% a night), and a real 20% step three nights from the
// end is lost in that noise; judged against the mean, it is found at its
// night and measured against the CPU time, and unchanged code raises
// no alarm.
func TestBuild_procsStretch(t *testing.T) {
	rep := buildRuns(t, procsStretchRuns(16, 13, 1.2))
	if len(rep.Regressions) != 1 {
		t.Fatalf("a 20%% step on night 13 of 16: %d regressions, want 1", len(rep.Regressions))
	}
	if ch := rep.Regressions[0]; !ch.Corrected || ch.ChangeIndex != 13 || ch.Pct < 15 || ch.Pct > 25 {
		t.Errorf("%s: %+.0f%% at run %d, corrected %v; want about +20%% at run 13, corrected", ch.Name, ch.Pct, ch.ChangeIndex, ch.Corrected)
	}
	for stepAt := range 16 {
		rep := buildRuns(t, procsStretchRuns(16, -1, 1)[:stepAt+1])
		if n := len(rep.Regressions) + len(rep.Improvements); n != 0 {
			t.Errorf("unchanged code, %d nights: %d changes, want none", stepAt+1, n)
		}
	}
}

// TestBuild_procsStretchHostile: stretch lines that do not match the
// processes on some nights cannot be paired by position. With one
// missing, those runs are corrected by the mean of the others and the
// 20% step is still found at its night; with a thousand more than the
// processes, by their mean, and the report stays finite; stretches that
// are not measurements (NaN, infinite, zero, huge, below 1) count as
// missing: the report is the one without those lines.
func TestBuild_procsStretchHostile(t *testing.T) {
	const name = "BenchmarkProbe/kind=stretch/pkg=example.com:m:work/bench=A"
	mangle := func(bad func(lines []string) []string) []nightlytest.Run {
		runs := procsStretchRuns(16, 13, 1.2)
		for i := range runs {
			if i%4 != 2 {
				continue
			}
			var keep, st []string
			for _, l := range strings.SplitAfter(string(runs[i].Text), "\n") {
				if strings.HasPrefix(l, name+" ") {
					st = append(st, l)
				} else {
					keep = append(keep, l)
				}
			}
			runs[i].Text = []byte(strings.Join(append(keep, bad(st)...), ""))
		}
		return runs
	}
	render := func(rep *nightly.Report) string {
		var b strings.Builder
		if err := nightly.WriteJSON(&b, rep); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "NaN") || strings.Contains(b.String(), "Inf") {
			t.Errorf("JSON holds a non-finite number")
		}
		return b.String()
	}

	rep := buildRuns(t, mangle(func(l []string) []string { return l[1:] }))
	render(rep)
	if len(rep.Regressions) != 1 || rep.Regressions[0].ChangeIndex != 13 {
		t.Errorf("one stretch missing on 4 nights: %d regressions (%v); want the 20%% step at run 13", len(rep.Regressions), names(rep.Regressions))
	}
	render(buildRuns(t, mangle(func(l []string) []string {
		for range 1000 {
			l = append(l, name+" \t1\t1.5000 stretch\n")
		}
		return l
	})))
	missing := render(buildRuns(t, mangle(func([]string) []string { return nil })))
	got := render(buildRuns(t, mangle(func(l []string) []string {
		for i, v := range []string{"NaN", "+Inf", "0", "1e300", "0.5"} {
			l[i] = name + " \t1\t" + v + " stretch\n"
		}
		return l
	})))
	if got != missing {
		t.Errorf("stretches that are not measurements: the report differs from the one without them")
	}
}

// TestBuild_stretchShort: on a history of seven nights whose stretch
// moves 1.1-1.6 from night to night (each night a new commit), a
// benchmark's CPU time (1 µs, 2% noise) steps up 50% on night 5. Its
// levels, stretched, move 20-40% from night to night and hide the step;
// judged against the stretch it is found, at its night and its size.
// Six moves, the step's among them, correlate with the stretch's at r =
// 0.81: the one-sided 5% level accepts that, the 1% level (r >= 0.88)
// did not.
func TestBuild_stretchShort(t *testing.T) {
	const pkg = "example.com/m/work"
	stretch := []float64{1.437, 1.417, 1.144, 1.188, 1.569, 1.598, 1.118}
	cpu := []float64{1.007, 0.971, 1.024, 1.009, 1.01, 1.5 * 1.015, 1.5 * 1.003} // µs
	runs := func(withStretch bool) []nightlytest.Run {
		var out []nightlytest.Run
		for i, s := range stretch {
			var b strings.Builder
			fmt.Fprintf(&b, "pkg: %s\n", pkg)
			for _, j := range []float64{0.995, 1, 1.005, 0.998, 1.002} {
				fmt.Fprintf(&b, "BenchmarkA-2 \t1000\t%.2f ns/op\n", 1000*cpu[i]*s*j)
			}
			if withStretch {
				fmt.Fprintf(&b, "pkg: %s\n%s \t1\t%.4f %s\n", runner.ProbePackage, runner.StretchName(pkg), s, runner.StretchUnit)
			}
			out = append(out, nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour),
				Labels: map[string]string{"commit": fmt.Sprintf("c%02d", i)}, Text: []byte(b.String())})
		}
		return out
	}
	if rep := buildRuns(t, runs(false)); len(rep.Regressions) != 0 {
		t.Errorf("without the stretch: %d regressions, want none (the stretch's moves hide the step)", len(rep.Regressions))
	}
	rep := buildRuns(t, runs(true))
	if len(rep.Regressions) != 1 {
		t.Fatalf("with the stretch: %d regressions, want 1", len(rep.Regressions))
	}
	if ch := rep.Regressions[0]; !ch.Corrected || ch.ChangeIndex != 5 || ch.Pct < 40 || ch.Pct > 60 {
		t.Errorf("%s: %+.0f%% at run %d, corrected %v; want about +50%% at run 5, corrected", ch.Name, ch.Pct, ch.ChangeIndex, ch.Corrected)
	}
}

// benchANight returns night i (commit cNN) of package example.com/m/work:
// five samples of BenchmarkA-2 about ns ns/op (1% noise from rng) and the
// package's stretch.
func benchANight(i int, ns, stretch float64, rng *rand.Rand) nightlytest.Run {
	const pkg = "example.com/m/work"
	var b strings.Builder
	fmt.Fprintf(&b, "pkg: %s\n", pkg)
	for range 5 {
		fmt.Fprintf(&b, "BenchmarkA-2 \t1000\t%.2f ns/op\n", ns*math.Exp(0.01*rng.NormFloat64()))
	}
	fmt.Fprintf(&b, "pkg: %s\n%s \t1\t%.4f %s\n", runner.ProbePackage, runner.StretchName(pkg), stretch, runner.StretchUnit)
	return nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour),
		Labels: map[string]string{"commit": fmt.Sprintf("c%02d", i)}, Text: []byte(b.String())}
}

// TestBuild_stretchNotFollowed: a benchmark whose time follows its
// stretch through a spell of two nights (both double) but not when the
// stretch settles a quarter higher for good (its threads wait where its
// loop does not: as LastIndex on nights 218-231 of the real-noise corpus)
// has not become faster: the stretch sharpens a change its own levels
// show, and never makes one they do not.
func TestBuild_stretchNotFollowed(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var runs []nightlytest.Run
	for i := range 14 {
		s, f := 1.05*math.Exp(0.03*rng.NormFloat64()), 1.0
		if i >= 4 {
			s *= 1.25 // waiting the benchmark does not do
		}
		if i == 9 || i == 10 {
			s, f = 2*s, 2 // a spell that slows it
		}
		runs = append(runs, benchANight(i, 1000*f, s, rng))
	}
	for n := 8; n <= len(runs); n++ {
		rep := buildRuns(t, runs[:n])
		for _, ch := range slices.Concat(rep.Regressions, rep.Improvements) {
			t.Errorf("%d nights: %s %+.0f%% at night %d (corrected %v); want no change: the benchmark's own levels stood still", n, ch.Name, ch.Pct, ch.ChangeIndex, ch.Corrected)
		}
		for _, sh := range rep.Shifts {
			t.Errorf("%d nights: a shift of %s by %+.0f%% at %s; want none", n, sh.Name, sh.Pct, sh.Run.Time.Format(time.DateOnly))
		}
	}
}

// TestBuild_stretchMovedWithStep: a +40% step of a benchmark that
// follows its stretch is found whether or not the stretch moved on the
// same night, but where the stretch rose by a third with it the report is
// less sure of the size: the correction is only as sure as the slope it
// was made with.
func TestBuild_stretchMovedWithStep(t *testing.T) {
	width := func(moved bool) float64 {
		rng := rand.New(rand.NewPCG(5, 5))
		var runs []nightlytest.Run
		for i := range 14 {
			// The machine's load: a stretch of 1.4 to 2 in a fixed
			// pattern of five nights.
			s, f := 1.4+0.15*float64(i*3%5), 1.0
			if i >= 11 {
				f = 1.4
				if moved {
					s *= 1.33
				}
			}
			runs = append(runs, benchANight(i, 1000*f*s, s, rng))
		}
		rep := buildRuns(t, runs)
		if len(rep.Regressions) != 1 {
			for _, p := range rep.Pending {
				t.Logf("pending %+v", *p)
			}
			for _, s := range rep.Shifts {
				t.Logf("shift %s %+.0f%% %d", s.Name, s.Pct, s.Nights)
			}
			t.Fatalf("stretch moved %v: %d regressions, want the step", moved, len(rep.Regressions))
		}
		ch := rep.Regressions[0]
		if !ch.Corrected || ch.ChangeIndex != 11 || ch.Pct < 30 || ch.Pct > 50 {
			t.Errorf("stretch moved %v: %+.0f%% at night %d, corrected %v; want about +40%% at night 11, corrected", moved, ch.Pct, ch.ChangeIndex, ch.Corrected)
		}
		t.Logf("stretch moved %v: %+.1f%% [%+.1f%%, %+.1f%%]", moved, ch.Pct, ch.LoPct, ch.HiPct)
		return ch.HiPct - ch.LoPct
	}
	if still, moved := width(false), width(true); moved < 1.2*still {
		t.Errorf("interval %.1f points wide where the stretch moved with the step, %.1f where it did not; want it at least a fifth wider", moved, still)
	}
}
