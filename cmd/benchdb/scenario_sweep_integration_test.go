//go:build integration

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestScenario_Sweep(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "phase.svg")
	code, stdout, stderr := runScenarioCmd(t, "--sweep", "--costs", "s0=5us,c=10ns,k=1", "--rate", "10000", "--plot", svg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"phase diagram", "model T*", "2.5k/s", "20k/s", " R ", " . ", "plot written to " + svg} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("model T* (critical pause)")) {
		t.Errorf("plot %s: %v, %d bytes", svg, err, len(b))
	}

	code, stdout, stderr = runScenarioCmd(t, "--sweep", "--costs", "s0=5us,c=10ns,k=1", "--rate", "10000", "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	ph := mustDecodeScenario(t, stdout).Profiles[0].Phase
	if ph == nil || len(ph.Rates) != 8 || len(ph.PausesSeconds) != 12 || len(ph.Outcomes) != 12 || len(ph.CriticalSeconds) != 8 {
		t.Fatalf("phase %+v, want 8 rates x 12 pauses", ph)
	}
	var outcomes []string
	for _, row := range ph.Outcomes {
		outcomes = append(outcomes, row...)
	}
	if !slices.Contains(outcomes, "runaway") || !slices.Contains(outcomes, "drained") {
		t.Errorf("the phase diagram has no boundary: %v", ph.Outcomes)
	}
}
