package nightly_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

func ExampleBuild() {
	// Thirty nights of two benchmarks; Parse gets 12% slower on night 25.
	start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	runs := nightlytest.Generate(nightlytest.Config{
		Seed: 1, Nights: 30, Samples: 5, Start: start,
		Labels: map[string]string{"host": "ci"},
		Benchmarks: []nightlytest.Bench{
			{Pkg: "example.com/json", Name: "Parse", Unit: "ns/op", Base: 1500, CV: 0.01, Step: 0.12, StepNight: 25},
			{Pkg: "example.com/json", Name: "Print", Unit: "ns/op", Base: 900, CV: 0.01},
		},
	})
	src, err := nightlytest.NewMemSource(runs)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := nightly.Build(context.Background(), src, nightly.Options{
		Now: func() time.Time { return start.Add(30 * 24 * time.Hour) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rep.Regressions {
		fmt.Printf("%s %s: about %+.0f%% since run %d (%s)\n", c.Name, c.Unit, c.Pct, c.Change.ID, c.Change.Time.Format(time.DateOnly))
	}
	fmt.Printf("%d improvements, %d noisy, %d series of %d runs\n", len(rep.Improvements), len(rep.Noisy), len(rep.Series), len(rep.Series[0].Runs))
	// Output:
	// Parse sec/op: about +13% since run 26 (2026-01-26)
	// 0 improvements, 0 noisy, 1 series of 30 runs
}
