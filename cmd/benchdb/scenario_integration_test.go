//go:build integration

package main

import (
	"testing"
)

// TestScenario_DefaultsShowTheIncident runs `benchdb scenario` with its
// defaults three times: each time elixir-1.5.1 must run away and every
// other profile drain.
func TestScenario_DefaultsShowTheIncident(t *testing.T) {
	for run := range 3 {
		code, stdout, stderr := runScenarioCmd(t, "--format", "json")
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", run, code, stderr)
		}
		got := mustDecodeScenario(t, stdout)
		if len(got.Profiles) != 6 {
			t.Fatalf("run %d: %d profiles, want 6", run, len(got.Profiles))
		}
		for _, p := range got.Profiles {
			want := "drained"
			if p.Profile == "elixir-1.5.1" {
				want = "runaway"
			}
			if p.Outcome != want {
				t.Errorf("run %d: %s %s (peak %d), want %s", run, p.Profile, p.Outcome, p.PeakQueue, want)
			}
		}
	}
}

// TestScenario_FindCritical checks that the live critical pause of
// elixir-1.5.1 lies within a factor of 2 of the model's T*, at two rates.
func TestScenario_FindCritical(t *testing.T) {
	for _, rate := range []string{"25000", "50000"} {
		code, stdout, stderr := runScenarioCmd(t, "--profile", "elixir-1.5.1", "--find-critical", "--rate", rate, "--format", "json")
		if code != 0 {
			t.Fatalf("rate %s: exit %d: %s", rate, code, stderr)
		}
		p := mustDecodeScenario(t, stdout).Profiles[0]
		if p.Model.CriticalSeconds == nil || p.CriticalMeasured == nil {
			t.Fatalf("rate %s: model T* %v, live %v: want both", rate, p.Model.CriticalSeconds, p.CriticalMeasured)
		}
		model, live := *p.Model.CriticalSeconds, *p.CriticalMeasured
		t.Logf("rate %s: model T* %.3fs, live %.3fs (ratio %.2f)", rate, model, live, live/model)
		if live < model/2 || live > model*2 {
			t.Errorf("rate %s: live critical pause %.3fs is not within a factor 2 of the model's T* %.3fs", rate, live, model)
		}
	}
}
