package model_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

// skipUnderRace skips a test that simulates a whole grid of runs: the
// model starts no goroutine, so the race detector has nothing to check
// there and only multiplies the test's time. `go test ./model` runs them
// (.ci/run does, after the race run).
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("a deterministic simulation of a whole grid, no goroutines: run without -race (go test ./model)")
	}
}

func TestSweep(t *testing.T) {
	skipUnderRace(t)
	rates, pauses := model.DefaultGrid(goCosts, 40000)
	if len(rates) != 8 || len(pauses) != 12 {
		t.Fatalf("grid %d x %d, want 8 rates x 12 pauses", len(rates), len(pauses))
	}
	p, err := model.Sweep(model.Sim{Costs: goCosts, At: 10 * time.Millisecond}, rates, pauses, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	runaways := 0
	for j := range rates {
		for i := range pauses {
			o := p.Outcomes[i][j]
			if o == model.Runaway {
				runaways++
			}
			// Longer pauses never do better.
			if i > 0 && p.Outcomes[i-1][j] == model.Runaway && o != model.Runaway {
				t.Errorf("rate %g: pause %v runs away but %v drains", rates[j], pauses[i-1], pauses[i])
			}
			// Away from the boundary the simulation agrees with T*.
			ratio := pauses[i].Seconds() / p.Critical[j].Seconds()
			if (ratio < 0.8 && o != model.Drained) || (ratio > 1.25 && o != model.Runaway) {
				t.Errorf("rate %g pause %v (%.2f·T*): %v", rates[j], pauses[i], ratio, o)
			}
		}
	}
	if runaways == 0 || runaways == len(rates)*len(pauses) {
		t.Errorf("%d runaways of %d cells: the grid misses the boundary", runaways, len(rates)*len(pauses))
	}
	var buf bytes.Buffer
	if err := p.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(pauses)+3 {
		t.Errorf("text has %d lines, want a header, %d pauses, T* and a legend:\n%s", len(lines), len(pauses), buf.String())
	}
	if !strings.Contains(lines[0], model.FormatRate(rates[0])) || !strings.HasPrefix(strings.TrimSpace(lines[len(lines)-2]), "model T*") {
		t.Errorf("text lacks its header or T* row:\n%s", buf.String())
	}
}

func TestSweep_NoTippingPoint(t *testing.T) {
	skipUnderRace(t)
	c := model.Costs{S0: 1e-6, C: 1e-9, K: 0}
	rates, pauses := model.DefaultGrid(c, 40000)
	p, err := model.Sweep(model.Sim{Costs: c}, rates, pauses, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pauses {
		for j := range rates {
			if p.Outcomes[i][j] != model.Drained || p.CriticalOK[j] {
				t.Errorf("k=0, rate %g pause %v: %v (T* finite %v), want drained", rates[j], pauses[i], p.Outcomes[i][j], p.CriticalOK[j])
			}
		}
	}
}
