package nightly_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// realCorpus reads the real-noise corpus of testdata/realnoise (see its
// README), or skips the test when it is absent.
func realCorpus(t *testing.T) *nightlytest.RealCorpus {
	t.Helper()
	c, err := nightlytest.ReadRealCorpus(os.DirFS("testdata/realnoise/nights"))
	if err != nil {
		t.Fatalf("real corpus: %v", err)
	}
	if len(c.Nights) < 30 {
		t.Fatalf("real corpus has %d nights, want at least 30", len(c.Nights))
	}
	return c
}

// levelsOf returns, for each benchmark and unit of text ("Name unit",
// tidied units), the mean logarithm of its samples.
func levelsOf(t *testing.T, text []byte) map[string]float64 {
	t.Helper()
	sum, n := map[string]float64{}, map[string]int{}
	r := benchfmt.NewReader(bytes.NewReader(text), "night")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		for _, v := range res.Values {
			if v.Value > 0 {
				k := strings.TrimPrefix(string(res.Name.Full()), "Benchmark") + " " + v.Unit
				sum[k] += math.Log(v.Value)
				n[k]++
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for k := range sum {
		sum[k] /= float64(n[k])
	}
	return sum
}

// realStep is a benchmark's change between two builds in the corpus.
type realStep struct {
	subject, variant, bench string
	// effect is the median over nights of the variant's level minus the
	// median of the base's (logarithms); noise the standard deviation of
	// the base's level from night to night, and both the root mean square
	// of the base's and the variant's: the noise a test of the step sees
	// on its two sides (a build with -N -l is noisier than the base).
	effect, noise, both float64
}

// realSteps measures, for every subject and variant, each benchmark's
// step and noise over the nights of c at the indices given (all of them
// if nil).
func realSteps(t *testing.T, c *nightlytest.RealCorpus, at []int) []realStep {
	if at == nil {
		at = seq(len(c.Nights))
	}
	var out []realStep
	for _, key := range c.Series() {
		subject, variant, _ := strings.Cut(key, "/")
		if variant == "base" {
			continue
		}
		base, vari := map[string][]float64{}, map[string][]float64{}
		for _, i := range at {
			n := c.Nights[i]
			for k, l := range levelsOf(t, n.Blocks[subject+"/base"]) {
				base[k] = append(base[k], l)
			}
			for k, l := range levelsOf(t, n.Blocks[key]) {
				vari[k] = append(vari[k], l)
			}
		}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range base {
				if !yield(k) {
					return
				}
			}
		}) {
			if len(vari[k]) != len(at) || len(base[k]) != len(at) {
				continue
			}
			sb, sv := sd(base[k]), sd(vari[k])
			out = append(out, realStep{subject, variant, k, med(vari[k]) - med(base[k]), sb, math.Sqrt((sb*sb + sv*sv) / 2)})
		}
	}
	return out
}

func med(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sd(x []float64) float64 {
	m := meanOf(x)
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// realBuild reports on the first upto runs of h.
func realBuild(t *testing.T, c *nightlytest.RealCorpus, h nightlytest.RealHistory, upto int) *nightly.Report {
	t.Helper()
	runs := c.Runs(h, epoch)[:upto]
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestDetection_Real measures the report on the real-noise corpus: every
// real step of at least 20% and three times the benchmark's own
// night-to-night noise must be reported, attributed to the night it
// started, within two nights, on histories of 7 and 14 nights; unchanged
// histories of 10 nights or more and two runs of one commit must raise no
// alarm.
func TestDetection_Real(t *testing.T) {
	skipUnderRace(t)
	t.Parallel()
	c := realCorpus(t)
	// The figures below are of the first span's nights (1-157, measured
	// on one machine); the other spans' are measured apart
	// (testOtherSpans): nights of two machines are not one history.
	first := c.Spans()[0]
	steps := realSteps(t, c, first)
	big := map[string]realStep{} // subject/variant bench -> step that must be found
	for _, s := range steps {
		t.Logf("step %s/%s %s: %+.1f%% (noise %.1f%%, %.1fx; both sides %.1f%%, %.1fx)", s.subject, s.variant, s.bench, 100*math.Expm1(s.effect), 100*s.noise, math.Abs(s.effect)/s.noise, 100*s.both, math.Abs(s.effect)/s.both)
		if math.Abs(s.effect) >= math.Log(1.2) && math.Abs(s.effect) >= 3*s.noise {
			big[s.subject+"/"+s.variant+" "+s.bench] = s
		}
	}
	if len(big) < 3 {
		t.Errorf("only %d real steps of at least 20%% and 3x noise in the corpus", len(big))
	}
	nn := len(first)
	for _, probe := range []bool{false, true} {
		found, total, late, wrong := 0, 0, 0, 0
		// Found and total by the step's size against the noise on both
		// sides of it: under 3x, 3x to 5x, 5x and more.
		var foundBand, totalBand [3]int
		for _, length := range []int{7, 14} {
			if length > nn {
				continue
			}
			found0, total0 := found, total
			stepAt := length - 3 // the step has three nights in the last report
			for first := 0; first+length <= nn; first += 2 {
				nights := make([]int, length)
				for i := range nights {
					nights[i] = first + i
				}
				for _, variant := range variants(c) {
					subject, v, _ := strings.Cut(variant, "/")
					h := nightlytest.RealHistory{Subject: subject, Nights: nights, Variant: v, StepAt: stepAt, Probe: probe, Stretch: probe, BenchStretch: probe,
						Labels: map[string]string{"host": "real"}}
					reps := stepReports(t, c, h, stepAt)
					for k, s := range big {
						if !strings.HasPrefix(k, variant+" ") {
							continue
						}
						total++
						band := bandOf(math.Abs(s.effect) / s.both)
						totalBand[band]++
						when, at := firstChange(reps, s.bench)
						switch {
						case when < 0:
							t.Logf("probe=%v %d nights from %d: missed %s (%+.0f%%, %.1fx noise)", probe, length, first, k, 100*math.Expm1(s.effect), math.Abs(s.effect)/s.noise)
						case at != stepAt:
							wrong++
							t.Logf("probe=%v %d nights from %d: %s attributed to night %d, want %d", probe, length, first, k, at, stepAt)
						default:
							found++
							foundBand[band]++
							if when > 0 {
								late++
							}
						}
					}
				}
			}
			t.Logf("probe=%v, %d-night histories: %d/%d real steps found", probe, length, found-found0, total-total0)
		}
		t.Logf("probe=%v: real steps found within 2 nights at the right night: %d/%d (%d of them after the step's own night), %d misattributed; "+
			"by size against the noise on both sides of the step: under 3x %d/%d, 3-5x %d/%d, 5x and more %d/%d",
			probe, found, total, late, wrong, foundBand[0], totalBand[0], foundBand[1], totalBand[1], foundBand[2], totalBand[2])
		// On this corpus (night-to-night noise of 10-80%, heavy tails,
		// load spells of several nights) not every such step is found:
		// see the README's table. The bounds hold what was measured
		// (found 95 of 148 without the probe, 93 with it, on 46 nights;
		// 186 of 284 either way on 80; 336 of 480 either way on 129; 440
		// and 438 of 592 on 157, the last 28 a process a sample; 440 and
		// 444 since the stretch is trusted at the 5% level),
		// so that a change that loses real steps fails here.
		// A step of 5x the noise on both sides of it or more is never
		// missed without the probe (the probe's own noise, a fifth of a
		// second of work, may cost one); nearer the noise, short
		// histories lack the power (see the README's table).
		if totalBand[2] == 0 || (!probe && foundBand[2] < totalBand[2]) || foundBand[2]*10 < 9*totalBand[2] {
			t.Errorf("probe=%v: found %d/%d real steps of 5x the noise on both sides or more", probe, foundBand[2], totalBand[2])
		}
		if found*100 < 60*total || wrong*10 > found {
			t.Errorf("probe=%v: found %d/%d real steps (want >= 60%%), %d misattributed (want <= 10%% of found)", probe, found, total, wrong)
		}
	}

	// Unchanged code: no alarm on any night from the 10th. Labelled with
	// one commit (the code did not change), never; labelled with a new
	// commit every night (commits that do not touch the code), a spell of
	// machine load lasting two nights or more is a suite-wide shift that
	// comes with a commit change, which only a probe that tracks the
	// load could excuse: measured, and bounded.
	for _, commits := range []int{1, 0} {
		for _, probe := range []bool{false, true} {
			alarms, nights := 0, 0
			for _, subject := range subjects(c) {
				h := nightlytest.RealHistory{Subject: subject, Nights: seq(nn), Probe: probe, Stretch: probe, BenchStretch: probe, Commits: commits, Labels: map[string]string{"host": "real"}}
				for upto := 10; upto <= nn; upto++ {
					rep := realBuild(t, c, h, upto)
					for _, ch := range slices.Concat(rep.Regressions, rep.Improvements) {
						alarms++
						t.Logf("commits=%d probe=%v: alarm on unchanged %s, %d nights: %s %+.1f%% (p %.2g, noise %.1f%%, suite %+.0f%%)", commits, probe, subject, upto, ch.Name, ch.Pct, ch.RawP, ch.Noise, ch.Drift)
					}
					nights += rep.Judged
				}
			}
			t.Logf("unchanged code, commits=%d (0: a new one every night), probe=%v: %d alarms in %d benchmark-nights (%.1f per 1000)",
				commits, probe, alarms, nights, 1000*float64(alarms)/float64(max(nights, 1)))
			if commits == 1 && alarms > 0 {
				t.Errorf("probe=%v: %d alarms on unchanged code of one commit", probe, alarms)
			}
			if commits == 0 && float64(alarms) > 0.15*float64(nights) { // measured: 11.0% (5.4% with the probe) on 46 nights; 6.6% (3.0% with the probe and the stretch) on 80; 6.4% (1.6%) on 157
				t.Errorf("probe=%v: %d alarms in %d benchmark-nights on unchanged code", probe, alarms, nights)
			}
		}
	}

	testStretchSitting(t, c)
	testBenchStretchSitting(t, c)
	testProcsSitting(t, c)
	testOtherSpans(t, c)

	// Two runs of one commit, on every pair of consecutive nights of
	// every span, as recorded (all processes, the probe, the
	// stretches) and the first process alone.
	aa, pairs := 0, 0
	for _, span := range c.Spans() {
		for _, subject := range subjects(c) {
			for k := 0; k+1 < len(span); k++ {
				for _, procs := range []int{0, 1} {
					h := nightlytest.RealHistory{Subject: subject, Nights: span[k : k+2], Commits: 1, Procs: procs,
						Probe: procs == 0, Stretch: procs == 0, BenchStretch: procs == 0, Labels: map[string]string{"host": "real"}}
					rep := realBuild(t, c, h, 2)
					aa += len(rep.Regressions) + len(rep.Improvements)
					pairs++
				}
			}
		}
	}
	t.Logf("two runs of one commit: %d alarms in %d pairs of nights", aa, pairs)
	if aa > 0 {
		t.Errorf("%d alarms on two runs of one commit", aa)
	}
}

// A sittingMode is what a history's runs carry besides the benchmarks.
type sittingMode struct {
	name                                     string
	probe, stretch, benchStretch, mainThread bool
	// procs keeps the first procs processes of each build on nights
	// that ran several (0: all of them).
	procs int
}

// A sittingTally is what sitting measured in one mode.
type sittingTally struct {
	// found of total real steps of 20% or more, and bigFound of bigTotal
	// of those also at least 3x the base's noise on these nights.
	found, total, bigFound, bigTotal int
	// alarms in judged benchmark-nights of unchanged code with a new
	// commit every night, and one of unchanged code of one commit.
	alarms, judged, one int
	// oracle of bigTotal is what a test that knows each benchmark's
	// noise and the step's night finds (oracleFinds; all processes only).
	oracle int
	// byLength splits bigFound of bigTotal by history length: 7 nights,
	// then 14.
	byLength [2][2]int
	// suspected of the big steps missed were suspects at their night
	// (Report.Suspects) in one of the three reports; suspects is how
	// many suspects the reports of unchanged code with a new commit
	// every night listed, in reports reports.
	suspected, suspects, reports int
}

// oracleFinds reports whether a test that knows the benchmark's noise sd
// (its base's standard deviation over the sitting, the noise the
// issue's bar is stated in) and the night of the step, and so neither
// estimates the one nor searches for the other, finds the step of bench
// at the two-sided 1% level (noiseAlpha) in one of the three reports:
// the difference of the mean levels after and before stepAt, over
// sd*sqrt(1/before + 1/after), beyond the normal's 0.995 quantile.
// levels are the nights' levels (levelsOf), stepAt+3 of them.
func oracleFinds(levels []map[string]float64, bench string, stepAt int, sd float64) bool {
	for after := 1; after <= 3; after++ {
		var b, a []float64
		for i, l := range levels[:stepAt+after] {
			v, ok := l[bench]
			if !ok {
				return false
			}
			if i < stepAt {
				b = append(b, v)
			} else {
				a = append(a, v)
			}
		}
		z := (meanOf(a) - meanOf(b)) / (sd * math.Sqrt(1/float64(len(b))+1/float64(len(a))))
		if math.Abs(z) >= 2.5758 {
			return true
		}
	}
	return false
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// sitting measures the report on the corpus nights at the indices given,
// in each mode: every real step of 20% or more found within 2 nights at
// its night, on histories of 7 and 14 of those nights; and alarms on
// unchanged code from the 10th night, with one commit and with a new
// commit every night.
func sitting(t *testing.T, c *nightlytest.RealCorpus, nights []int, modes []sittingMode) []sittingTally {
	var steps []realStep
	for _, s := range realSteps(t, c, c.SpanOf(nights[0])) {
		if math.Abs(s.effect) >= math.Log(1.2) {
			steps = append(steps, s)
		}
	}
	// The bar on these nights: steps of 20% or more and at least
	// 3x the base's night-to-night noise on these nights (uncorrected).
	big := map[string]bool{}
	noiseOf := map[string]float64{}
	for _, s := range realSteps(t, c, nights) {
		noiseOf[s.subject+"/"+s.variant+" "+s.bench] = s.noise
		if math.Abs(s.effect) >= math.Log(1.2) && math.Abs(s.effect) >= 3*s.noise {
			big[s.subject+"/"+s.variant+" "+s.bench] = true
		}
	}
	// Each night's levels of each build, parsed once for the oracle
	// (the blocks a history's runs hold, all processes).
	blockLevels := map[[2]string]map[string]float64{}
	levelsAt := func(night int, key string) map[string]float64 {
		k := [2]string{fmt.Sprint(night), key}
		if l, ok := blockLevels[k]; ok {
			return l
		}
		l := levelsOf(t, c.Nights[night].Blocks[key])
		blockLevels[k] = l
		return l
	}
	out := make([]sittingTally, len(modes))
	for mi, mode := range modes {
		tl := &out[mi]
		for _, length := range []int{7, 14} {
			stepAt := length - 3
			for first := 0; first+length <= len(nights); first += 2 {
				for _, variant := range variants(c) {
					subject, v, _ := strings.Cut(variant, "/")
					h := nightlytest.RealHistory{Subject: subject, Nights: nights[first : first+length], Variant: v, StepAt: stepAt,
						Probe: mode.probe, Stretch: mode.stretch, BenchStretch: mode.benchStretch, MainThread: mode.mainThread, Procs: mode.procs, Labels: map[string]string{"host": "real"}}
					reps := stepReports(t, c, h, stepAt)
					var levels []map[string]float64
					if mode.procs == 0 {
						for i, night := range h.Nights[:stepAt+3] {
							build := "base"
							if i >= stepAt {
								build = v
							}
							levels = append(levels, levelsAt(night, subject+"/"+build))
						}
					}
					for _, s := range steps {
						if s.subject+"/"+s.variant != variant {
							continue
						}
						tl.total++
						when, at := firstChange(reps, s.bench)
						if at == stepAt {
							tl.found++
						}
						if big[variant+" "+s.bench] {
							tl.bigTotal++
							if levels != nil {
								o := oracleFinds(levels, s.bench, stepAt, noiseOf[variant+" "+s.bench])
								if o {
									tl.oracle++
								}
								if o != (at == stepAt) {
									t.Logf("%s: %d nights from %d: %s %s: oracle %v, report %v", mode.name, length, nights[first], variant, s.bench, o, at == stepAt)
								}
							}
							li := length / 14
							tl.byLength[li][1]++
							if at == stepAt {
								tl.bigFound++
								tl.byLength[li][0]++
							} else {
								suspect := false
								for _, rep := range reps {
									for _, c := range rep.Suspects {
										if c.Name+" "+c.Unit == s.bench && c.ChangeIndex == stepAt {
											suspect = true
										}
									}
								}
								if suspect {
									tl.suspected++
								}
								t.Logf("%s: %d nights from %d: missed %s %s (%+.0f%%, %.1fx noise; suspect %v; %s)", mode.name, length, nights[first], variant, s.bench, 100*math.Expm1(s.effect), math.Abs(s.effect)/s.noise, suspect, foundAt(when, at, stepAt))
							}
						}
					}
				}
			}
		}
		for _, commits := range []int{0, 1} {
			for _, subject := range subjects(c) {
				h := nightlytest.RealHistory{Subject: subject, Nights: nights, Probe: mode.probe, Stretch: mode.stretch, BenchStretch: mode.benchStretch, MainThread: mode.mainThread,
					Procs: mode.procs, Commits: commits, Labels: map[string]string{"host": "real"}}
				for upto := 10; upto <= len(nights); upto++ {
					rep := realBuild(t, c, h, upto)
					n := len(rep.Regressions) + len(rep.Improvements)
					if commits == 1 {
						tl.one += n
						continue
					}
					for _, ch := range slices.Concat(rep.Regressions, rep.Improvements) {
						t.Logf("%s: alarm on unchanged %s, %d nights: %s %+.1f%% from night %d (noise %.1f%%, CPU wait %+.0f%%, suite %+.0f%%)", mode.name, subject, upto, ch.Name, ch.Pct, nights[ch.ChangeIndex]+1, ch.Noise, ch.Stretch, ch.Drift)
					}
					tl.alarms += n
					tl.judged += rep.Judged
					tl.suspects += len(rep.Suspects)
					tl.reports++
				}
			}
		}
		t.Logf("nights %d-%d (%d), judged against %s: real steps of 20%% or more found %d/%d (of 3x these nights' noise or more: %d/%d, on 7 nights %d/%d, on 14 %d/%d; a test knowing the noise and the night: %d; of those missed, suspects at their night: %d); unchanged code, a new commit every night: %d alarms in %d benchmark-nights, %d suspects in %d reports; one commit: %d alarms",
			nights[0]+1, nights[len(nights)-1]+1, len(nights), mode.name, tl.found, tl.total, tl.bigFound, tl.bigTotal,
			tl.byLength[0][0], tl.byLength[0][1], tl.byLength[1][0], tl.byLength[1][1], tl.oracle, tl.suspected, tl.alarms, tl.judged, tl.suspects, tl.reports, tl.one)
		if tl.one > 0 {
			t.Errorf("%s: %d alarms on unchanged code of one commit", mode.name, tl.one)
		}
		// Each suspect costs the nightly loop an ab run: on unchanged
		// code 0.3-0.6 a report of one subject with all the measures
		// (0.3-0.8 in every mode measured); more than one a report would
		// be a different cost.
		if tl.suspects > tl.reports {
			t.Errorf("%s: %d suspects in %d reports of unchanged code: more than one a report", mode.name, tl.suspects, tl.reports)
		}
	}
	return out
}

// nightsWith returns the indices of the nights that ran each build in
// one process and whose sort/base block's probe lines hold marker.
func nightsWith(c *nightlytest.RealCorpus, marker string) []int {
	var nights []int
	for i, n := range c.Nights {
		if n.Procs == 1 && bytes.Contains(n.Probes["sort/base"], []byte(marker)) {
			nights = append(nights, i)
		}
	}
	return nights
}

// testStretchSitting measures, on the nights that recorded each block's
// stretch (how long its threads waited for a CPU, as benchmark runs
// record it) but not yet each benchmark's, what the package's stretch
// and the probe each add.
func testStretchSitting(t *testing.T, c *nightlytest.RealCorpus) {
	var nights []int
	for _, i := range nightsWith(c, "kind=stretch") {
		if !bytes.Contains(c.Nights[i].Probes["sort/base"], []byte("/bench=")) {
			nights = append(nights, i)
		}
	}
	if len(nights) < 20 {
		t.Errorf("only %d nights with the stretch, want at least 20", len(nights))
		return
	}
	by := sitting(t, c, nights, []sittingMode{
		{name: "neither"},
		{name: "probe", probe: true},
		{name: "stretch", stretch: true},
		{name: "probe and stretch", probe: true, stretch: true},
	})
	// Measured on 34 such nights (47-80): alarms 44, 12 with the probe, 2
	// with the stretch, 0 with both; steps found 111, 131, 135 and 145 of
	// 625 (step sizes from all 157 nights; 115, 135, 140 and 150 of 675
	// from the first 80, with the stretch's slope 1); of 3x the noise or more, 46 of 50 in every mode (the four
	// missed: sort's StableInt1K, +125%, in the histories whose base
	// holds night 59, where it alone took 2.3 times as long while its
	// package's stretch rose by a third).
	both, none := by[3], by[0]
	if both.alarms*100 > both.judged || both.alarms > none.alarms/2 {
		t.Errorf("with the probe and the stretch: %d alarms in %d benchmark-nights (without either: %d), want at most 1%% and half", both.alarms, both.judged, none.alarms)
	}
	if both.found < none.found {
		t.Errorf("with the probe and the stretch: %d real steps found, without either %d", both.found, none.found)
	}
}

// testBenchStretchSitting measures, on the nights that recorded each
// benchmark's stretch beside its package's, what each adds; and on those
// that also recorded each benchmark's busiest thread's stretch, what that
// adds.
func testBenchStretchSitting(t *testing.T, c *nightlytest.RealCorpus) {
	nights := nightsWith(c, "/bench=")
	if len(nights) < 20 {
		t.Errorf("only %d nights with each benchmark's stretch, want at least 20", len(nights))
		return
	}
	by := sitting(t, c, nights, []sittingMode{
		{name: "neither"},
		{name: "probe and package stretch", probe: true, stretch: true},
		{name: "probe, package and benchmark stretch", probe: true, stretch: true, benchStretch: true},
	})
	// Each benchmark's stretch must find at least the steps its package's
	// finds and raise fewer alarms. Measured on nights 81-129 (step sizes
	// from all 157 nights): steps of 20% or more found 291, 291 and 320
	// of 1,000 (of 3x the noise: 133, 132, 135 of 200), alarms 174, 100
	// and 55 in 1,240 benchmark-nights; on nights 103-129 the busiest
	// thread's stretch instead of all threads': 172 steps of 450 instead
	// of 175, 18 alarms of 558 instead of 22 (what benchdb run records
	// stays all threads').
	if pkg, own := by[1], by[2]; own.found < pkg.found || own.alarms >= pkg.alarms {
		t.Errorf("each benchmark's stretch: %d steps found and %d alarms, its package's alone: %d and %d; want more found, fewer alarms", own.found, own.alarms, pkg.found, pkg.alarms)
	}
	main := nightsWith(c, "kind=stretchmain")
	if len(main) < 10 {
		t.Errorf("only %d nights with each benchmark's busiest thread's stretch, want at least 10", len(main))
		return
	}
	sitting(t, c, main, []sittingMode{
		{name: "neither"},
		{name: "probe and package stretch", probe: true, stretch: true},
		{name: "probe, package and benchmark stretch", probe: true, stretch: true, benchStretch: true},
		{name: "probe, package and benchmark's busiest thread's stretch", probe: true, stretch: true, benchStretch: true, mainThread: true},
	})
}

// testProcsSitting measures, on the nights that ran each build as several
// test processes (one a round, each with -count 1), what the processes
// add: the same nights judged on each build's first process alone and on
// all of them. Repetitions in one process share its placement (memory
// layout, CPU, caches), which moves them together: on nights 1-129 the
// mean of five samples of one process varies from night to night only
// 12% less than one sample does.
func testProcsSitting(t *testing.T, c *nightlytest.RealCorpus) {
	var nights []int
	for _, i := range c.Spans()[0] {
		if c.Nights[i].Procs > 1 {
			nights = append(nights, i)
		}
	}
	if len(nights) < 20 {
		t.Errorf("only %d nights that ran several processes of each build, want at least 20", len(nights))
		return
	}
	by := sitting(t, c, nights, []sittingMode{
		{name: "one process", procs: 1},
		{name: "all processes"},
		{name: "one process, probe and stretches", procs: 1, probe: true, stretch: true, benchStretch: true},
		{name: "all processes, probe and stretches", probe: true, stretch: true, benchStretch: true},
	})
	// What benchdb run records (a process a repetition, the probe, the
	// stretches) must find at least twice the steps the first process
	// alone does, every step of 3x the noise on 14-night histories, and
	// alarm on at most 1.5% of unchanged benchmark-nights with a new
	// commit every night. Measured on nights 130-157, each process's
	// samples corrected by its own stretch: 176 of 475 steps of 20% or
	// more found (91 of the 95 of 3x the noise: 51 of 55 on 7 nights, 40
	// of 40 on 14), 1 alarm in 589; the first process alone 82 (51 of
	// 95), 4 alarms. See the README ("Detection, measured").
	one, all := by[2], by[3]
	// The bar, met on these nights: on 14-night histories every
	// real step of 20% and 3x the noise or more is found, at its night.
	// (On 7 nights a quiet benchmark among noisy siblings can be
	// missed: four nights before the step cannot show it is quieter
	// than they are; see the README.)
	if l := all.byLength[1]; l[1] == 0 || l[0] < l[1] {
		t.Errorf("nights 130-157: on 14-night histories %d of %d steps of 3x the noise found, want every one", l[0], l[1])
	}
	if all.found < 2*one.found || all.bigFound <= one.bigFound {
		t.Errorf("all processes: %d steps found (%d of 3x the noise); the first alone: %d (%d); want at least twice as many", all.found, all.bigFound, one.found, one.bigFound)
	}
	if all.alarms*1000 > 15*all.judged {
		t.Errorf("all processes, probe and stretches: %d alarms in %d benchmark-nights of unchanged code, want at most 1.5%%", all.alarms, all.judged)
	}
}

// testOtherSpans measures, on each span of the corpus but the first
// (nights 158-187 on another machine, an Intel Xeon; nights 188-217 on
// a machine of the first's kind; nights 218-307 on an AMD EPYC, in three
// sittings; each build a process per sample), what benchdb run
// records: the same histories and counts as testProcsSitting, with the
// steps and the noise of that span's nights. Measured (steps of 20% and
// 3x the noise found, on 7 and 14 nights; alarms with a new commit every
// night): nights 158-187 145 of 147 (82 of 84, 63 of 63), 0 alarms in
// 651; nights 188-217, a quiet machine but for the other work of one
// engineer, 232 of 252 (127 of 144, 105 of 108), 0 alarms in 651;
// nights 218-307 1,089 of 1,134 (573 of 588, 516 of 546), 376 alarms in
// 2,511 (the release before, 238af6a: 144, 219 and 1,091, the alarms
// the same; a short history's prior is now lowered toward its
// corrected siblings', shortPriors). Each sitting alone
// (BENCHDB_REAL_SITTINGS=1): 218-247 445 of 462, 27 alarms in 651 (442
// and 27 before); 248-277 448 of 483, 40 (448 and 40); 278-307, held
// out, 464 of 504, 39 (463 and 39). The
// bounds hold those with a margin, so that a change that loses real
// steps fails here; see the README ("Detection, measured") for what is
// missed and why.
func testOtherSpans(t *testing.T, c *nightlytest.RealCorpus) {
	for _, nights := range c.Spans()[1:] {
		cpu := c.Nights[nights[0]].CPU
		name := fmt.Sprintf("nights %d-%d (%s)", c.Nights[nights[0]].Number, c.Nights[nights[len(nights)-1]].Number, cpu)
		if len(nights) < 20 {
			t.Errorf("%s: only %d nights, want at least 20", name, len(nights))
			continue
		}
		by := sitting(t, c, nights, []sittingMode{
			{name: name + ", one process", procs: 1},
			{name: name + ", all processes, probe and stretches", probe: true, stretch: true, benchStretch: true},
		})
		one, all := by[0], by[1]
		if all.found <= one.found || all.bigFound < one.bigFound {
			t.Errorf("%s: all processes with the machine measures found %d steps (%d of 3x the noise), the first process alone %d (%d)", name, all.found, all.bigFound, one.found, one.bigFound)
		}
		// At most 1.5% of unchanged benchmark-nights with a new commit
		// every night alarm, on every span but the fourth (nights
		// 218-307, an AMD EPYC at load 0.2-5.4): there the report
		// raises 376 alarms in 2,511 (15.0%; 345 before clipRuns kept
		// short levels whole). Its first 30 nights are quiet (1-4% of
		// noise); three hours later, for the next 30, every benchmark
		// ran 10-45% slower and noisier with its stretch no higher (the
		// host, not the machine's own load), and five hours after
		// that, for the last 30, slower again (the probe's memory work
		// by about 40%, its CPU work by 6%, sort's benchmarks by
		// 10-20%); with a new commit every night each such shift is a
		// regression until a measure of the machine (or benchdb ab)
		// explains it. Each sitting alone raises 27, 40 and 39 in 651
		// (4-6%). That is a gap, not a target: the bound holds it from
		// growing (see the README).
		perMille := 15
		if c.Nights[nights[0]].Number == 218 {
			perMille = 160
		}
		if all.alarms*1000 > perMille*all.judged || all.bigFound*100 < 80*all.bigTotal {
			t.Errorf("%s: %d alarms in %d benchmark-nights of unchanged code (want at most %.1f%%); %d of %d steps of 3x the noise found (want 80%%)", name, all.alarms, all.judged, float64(perMille)/10, all.bigFound, all.bigTotal)
		}
		if l := all.byLength[1]; l[0]*100 < 90*l[1] {
			t.Errorf("%s: on 14-night histories %d of %d steps of 3x the noise found, want 90%%", name, l[0], l[1])
		}
	}
	if os.Getenv("BENCHDB_REAL_SITTINGS") == "" {
		return
	}
	// BENCHDB_REAL_SITTINGS=1: each sitting of a span of several, alone
	// (the README's rows "... its nights N-M alone"); logged, not
	// asserted.
	each := c.Sittings()
	for _, span := range c.Spans() {
		var sittings [][]int
		for _, s := range each {
			if s[0] >= span[0] && s[len(s)-1] <= span[len(span)-1] && len(s) >= 14 {
				sittings = append(sittings, s)
			}
		}
		if len(sittings) < 2 || span[0] == 0 {
			continue
		}
		for _, nights := range sittings {
			name := fmt.Sprintf("sitting %d-%d alone (%s)", c.Nights[nights[0]].Number, c.Nights[nights[len(nights)-1]].Number, c.Nights[nights[0]].CPU)
			sitting(t, c, nights, []sittingMode{{name: name + ", all processes, probe and stretches", probe: true, stretch: true, benchStretch: true}})
		}
	}
}

// stepReports returns the reports on h on the night of its step (at
// stepAt) and the two nights after it.
func stepReports(t *testing.T, c *nightlytest.RealCorpus, h nightlytest.RealHistory, stepAt int) []*nightly.Report {
	reps := make([]*nightly.Report, 3)
	for d := range reps {
		reps[d] = realBuild(t, c, h, stepAt+1+d)
	}
	return reps
}

// firstChange returns the first of reps (its index) that reports a change
// of benchmark "Name unit", and the run the change starts at; -1, -1 when
// none does.
func firstChange(reps []*nightly.Report, bench string) (when, at int) {
	for d, rep := range reps {
		if ch := findChange(rep, bench); ch != nil {
			return d, ch.ChangeIndex
		}
	}
	return -1, -1
}

// foundAt says where firstChange's when and at put a step at stepAt
// that was missed.
func foundAt(when, at, stepAt int) string {
	if when < 0 {
		return "no change reported"
	}
	return fmt.Sprintf("reported %d nights after the step as a change at night %+d", when, at-stepAt)
}

// bandOf returns 0 for a step under 3 times the noise, 1 for 3 to 5
// times, 2 for 5 times or more.
func bandOf(ratio float64) int {
	switch {
	case ratio < 3:
		return 0
	case ratio < 5:
		return 1
	}
	return 2
}

// findChange returns the change of rep for benchmark "Name unit".
func findChange(rep *nightly.Report, bench string) *nightly.Change {
	for _, ch := range slices.Concat(rep.Regressions, rep.Improvements) {
		if ch.Name+" "+ch.Unit == bench {
			return ch
		}
	}
	return nil
}

func variants(c *nightlytest.RealCorpus) []string {
	var out []string
	for _, k := range c.Series() {
		if !strings.HasSuffix(k, "/base") {
			out = append(out, k)
		}
	}
	return out
}

func subjects(c *nightlytest.RealCorpus) []string {
	var out []string
	for _, k := range c.Series() {
		if s, ok := strings.CutSuffix(k, "/base"); ok {
			out = append(out, s)
		}
	}
	return out
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestBuild_shortHistoryPrior: on 7 real nights (188-194 of the
// corpus, its indices 187-193; what benchdb run records) slowmod's Work
// benchmarks doubled on the last 3, while the machine moved them all
// 10-50% from night to night.
// Each is reported at its night: on a short history the series' prior
// is not the machine's moves (shortPriors). Work/kind=copy (+108%, 5x
// its noise) was a suspect with p 0.16 before.
func TestBuild_shortHistoryPrior(t *testing.T) {
	c := realCorpus(t)
	h := nightlytest.RealHistory{Subject: "slowmod", Variant: "slow100", Nights: []int{187, 188, 189, 190, 191, 192, 193}, StepAt: 4,
		Probe: true, Stretch: true, BenchStretch: true, Labels: map[string]string{"host": "real"}}
	rep := realBuild(t, c, h, 7)
	found := map[string]int{}
	for _, r := range rep.Regressions {
		found[r.Name] = r.ChangeIndex
	}
	for _, kind := range []string{"copy", "hash"} {
		name := "Work/kind=" + kind + "-2"
		if at, ok := found[name]; !ok || at != 4 {
			t.Errorf("%s: regressions %v, want it at night 4", name, found)
		}
	}
}
