package nightlytest_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
	"golang.org/x/perf/benchfmt"
)

// values returns the values of the named benchmark on each night.
func values(tb testing.TB, src *nightlytest.MemSource, name string) [][]float64 {
	tb.Helper()
	runs, _ := src.Runs(context.Background())
	var out [][]float64
	for _, r := range runs {
		var v []float64
		err := src.Results(context.Background(), []int64{r.ID}, func(_ int64, res *benchfmt.Result) error {
			if string(res.Name.Full()) == name {
				v = append(v, res.Values[0].Value)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestGenerate(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := nightlytest.Config{
		Seed: 3, Nights: 200, Samples: 5, Start: start,
		Labels: map[string]string{"host": "h"},
		Benchmarks: []nightlytest.Bench{
			{Pkg: "p", Name: "Step", Unit: "ns/op", Base: 100, CV: 0.02, Step: 0.25, StepNight: 100},
			{Pkg: "p", Name: "Late", Unit: "ns/op", Base: 100, First: 150, Last: 159},
			{Pkg: "p", Name: "Two", Unit: "ns/op", Base: 100, Bimodal: 0.5},
		},
	}
	runs := nightlytest.Generate(cfg)
	if len(runs) != 200 || !runs[1].Time.Equal(start.Add(24*time.Hour)) || runs[0].Labels["host"] != "h" || runs[0].Labels["commit"] == "" {
		t.Fatalf("runs: %d, second at %v, labels %v", len(runs), runs[1].Time, runs[0].Labels)
	}
	if again := nightlytest.Generate(cfg); !slices.EqualFunc(runs, again, func(a, b nightlytest.Run) bool { return string(a.Text) == string(b.Text) }) {
		t.Error("the same seed gave different histories")
	}
	src := nightlytest.MustMemSource(t, runs)

	// The step: the ratio of the geometric means after and before, and the
	// noise: the CV of the log values before.
	var before, after []float64
	for night, v := range values(t, src, "Step") {
		for _, x := range v {
			if night < 100 {
				before = append(before, math.Log(x))
			} else {
				after = append(after, math.Log(x))
			}
		}
	}
	if r := math.Exp(mean(after) - mean(before)); math.Abs(r-1.25) > 0.01 {
		t.Errorf("step ratio %.3f, want 1.25", r)
	}
	if cv := stddev(before); math.Abs(cv-0.02) > 0.002 {
		t.Errorf("CV %.4f, want 0.02", cv)
	}
	for night, v := range values(t, src, "Late") {
		if want := night >= 150 && night <= 159; (len(v) == 5) != want {
			t.Errorf("Late has %d samples on night %d", len(v), night)
		}
	}
	high := 0
	all := slices.Concat(values(t, src, "Two")...)
	for _, x := range all {
		switch ns := x * 1e9; { // values are in seconds
		case math.Abs(ns-150) < 1e-6:
			high++
		case math.Abs(ns-100) > 1e-6:
			t.Fatalf("bimodal value %v ns, want 100 or 150", ns)
		}
	}
	if f := float64(high) / float64(len(all)); math.Abs(f-0.5) > 0.03 {
		t.Errorf("%.3f of the samples in the second mode, want 0.5", f)
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func stddev(x []float64) float64 {
	m, s := mean(x), 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}
