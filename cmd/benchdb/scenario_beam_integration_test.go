//go:build integration

package main

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/benchdb/benchdb/beam"
)

// TestScenario_runtimeBeam runs a short scenario on the real BEAM at a low
// rate; it skips where erl is absent.
func TestScenario_runtimeBeam(t *testing.T) {
	if _, err := beam.Find(); errors.Is(err, beam.ErrNoErl) {
		t.Skipf("skipping: %v", err)
	}
	code, stdout, stderr := runScenarioCmd(t, "--runtime", "beam", "--rate", "2000", "--pause", "100ms", "--at", "50ms",
		"--duration", "3s", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		beamReport
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("decode: %v\n%s", err, stdout)
	}
	if got.Runtime != "beam" || got.OTP == "" || got.Calls != 1 || got.Outcome != "drained" ||
		got.PeakQueue < 100 || !(got.Model.S0Seconds > 0) || len(got.ServiceSeconds) < 2 || len(got.Series) < 5 {
		t.Errorf("report %+v", got)
	}
}
