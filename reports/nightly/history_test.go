package nightly_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

func TestHistories(t *testing.T) {
	cfg := nightlytest.Config{
		Seed: 3, Nights: 30, Samples: 5, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Labels: map[string]string{"host": "ci"},
		Benchmarks: []nightlytest.Bench{
			{Pkg: "example.com/a", Name: "Step", Unit: "ns/op", Base: 100, CV: 0.01, Step: 0.3, StepNight: 20},
			{Pkg: "example.com/a", Name: "Flat", Unit: "ns/op", Base: 100, CV: 0.01},
			{Pkg: "example.com/b", Name: "Step", Unit: "ns/op", Base: 50, CV: 0.01},
		},
	}
	src := nightlytest.MustMemSource(t, nightlytest.Generate(cfg))
	hs, err := nightly.Histories(context.Background(), src, nightly.Options{Seed: 1}, func(pkg, name string) bool {
		return pkg == "example.com/a" && strings.HasPrefix(name, "Step")
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 {
		t.Fatalf("%d histories, want 1 (example.com/a Step, sec/op)", len(hs))
	}
	h := hs[0]
	if h.Package != "example.com/a" || h.Unit != "sec/op" || len(h.Points) != 30 || h.Series.Labels["host"] != "ci" {
		t.Errorf("history %v: %d points in %v", h.Benchmark, len(h.Points), h.Series.Labels)
	}
	if len(h.ChangePoints) != 1 || h.ChangePoints[0] != 20 {
		t.Errorf("change points %v, want [20]", h.ChangePoints)
	}
	if m := h.Points[25].Median; m < 125e-9 || m > 135e-9 {
		t.Errorf("median after the step %g, want about 130ns", m)
	}
	var b bytes.Buffer
	if err := nightly.WriteHistoryChart(&b, h); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if !strings.HasPrefix(strings.TrimSpace(svg), "<svg") || strings.Count(svg, `class="dot"`) != 30 || strings.Count(svg, `class="cp"`) != 1 {
		t.Errorf("chart: want one svg with 30 dots and one change point line:\n%.500s", svg)
	}

	flat, err := nightly.Histories(context.Background(), src, nightly.Options{Seed: 1}, func(_, name string) bool { return strings.HasPrefix(name, "Flat") })
	if err != nil || len(flat) != 1 || len(flat[0].ChangePoints) != 0 {
		t.Fatalf("flat history: %v, %+v; want one without change points", err, flat)
	}
	b.Reset()
	if err := nightly.WriteHistoryChart(&b, flat[0]); err != nil || strings.Contains(b.String(), `class="cp"`) {
		t.Errorf("chart of a flat history: %v; want no change point line", err)
	}

	// A name that two packages share (the server's page without pkg=) is
	// two histories, not one that mixes their samples.
	both, err := nightly.Histories(context.Background(), src, nightly.Options{Seed: 1}, func(_, name string) bool { return strings.HasPrefix(name, "Step") })
	if err != nil || len(both) != 2 || both[0].Package != "example.com/a" || both[1].Package != "example.com/b" {
		t.Fatalf("Step in both packages: %v, %d histories; want example.com/a's and example.com/b's", err, len(both))
	}
	if m := both[1].Points[25].Median; m < 48e-9 || m > 52e-9 || len(both[1].Points) != 30 {
		t.Errorf("example.com/b Step: median %g over %d points, want about 50ns over 30", m, len(both[1].Points))
	}
}
