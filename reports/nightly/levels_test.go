package nightly_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// sampleSource gives a MemSource's values through Samples, each run's
// values in a shuffled order and in pieces, as a store may give them.
type sampleSource struct {
	*nightlytest.MemSource
	rng *rand.Rand
}

var _ nightly.SampleSource = sampleSource{}

func (s sampleSource) Samples(ctx context.Context, ids []int64, fn func(runID int64, pkg, name, unit string, values []float64) error) error {
	for _, id := range ids {
		type call struct {
			pkg, name, unit string
			v               float64
		}
		var calls []call
		err := s.Results(ctx, []int64{id}, func(_ int64, r *benchfmt.Result) error {
			for _, v := range r.Values {
				calls = append(calls, call{r.GetConfig("pkg"), string(r.Name.Full()), v.Unit, v.Value})
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.rng.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
		for _, c := range calls {
			if err := fn(id, c.pkg, c.name, c.unit, []float64{c.v}); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestBuild_sampleSource checks that a report read through Samples is
// byte for byte the report read through Results.
func TestBuild_sampleSource(t *testing.T) {
	start := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	var bs []nightlytest.Bench
	for i := range 12 {
		b := nightlytest.Bench{Pkg: fmt.Sprintf("example.com/p%d", i%3), Name: fmt.Sprintf("Op/size=%d", i), Unit: "ns/op",
			Base: float64(100 + 37*i), CV: 0.02, NightCV: 0.01, Outliers: 0.02}
		if i%4 == 0 {
			b.Step, b.StepNight = 0.3, 50
		}
		if i == 5 {
			b.Unit, b.Base = "allocs/op", 0 // zeros: the offset
		}
		bs = append(bs, b)
	}
	runs := nightlytest.Generate(nightlytest.Config{Seed: 3, Nights: 60, Samples: 5, Start: start,
		Labels: map[string]string{"host": "h"}, Benchmarks: bs, Probe: true, Missing: 0.05})
	mem := nightlytest.MustMemSource(t, runs)
	opt := nightly.Options{Now: func() time.Time { return start.Add(61 * 24 * time.Hour) }}
	render := func(src nightly.Source) string {
		rep, err := nightly.Build(context.Background(), src, opt)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := nightly.WriteJSON(&b, rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Regressions)+len(rep.Improvements) == 0 {
			t.Error("no change found: the test checks too little")
		}
		return b.String()
	}
	want := render(mem)
	if got := render(sampleSource{mem, rand.New(rand.NewPCG(1, 1))}); got != want {
		t.Errorf("report through Samples differs:\n got %.2000s\nwant %.2000s", got, want)
	}
	hs, err := nightly.Histories(context.Background(), mem, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs2, err := nightly.Histories(context.Background(), sampleSource{mem, rand.New(rand.NewPCG(2, 2))}, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprint(len(hs2), hs2[0].Points, hs2[len(hs2)-1].ChangePoints), fmt.Sprint(len(hs), hs[0].Points, hs[len(hs)-1].ChangePoints); g != w {
		t.Errorf("Histories through Samples: %s, want %s", g, w)
	}
}
