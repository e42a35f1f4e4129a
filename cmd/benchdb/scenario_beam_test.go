package main

import (
	"math"
	"strings"
	"testing"
)

func TestScenario_tickAndRuntimeFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--tick", "-1ms"}, "--tick"},
		{[]string{"--runtime", "jvm"}, "--runtime"},
		{[]string{"--calls", "2"}, "--calls"},
		{[]string{"--queue", "off-heap"}, "--queue"},
		{[]string{"--runtime", "beam", "--calls", "-1"}, "--calls"},
		{[]string{"--runtime", "beam", "--queue", "heap"}, "--queue"},
		{[]string{"--runtime", "beam", "--profile", "roundrobin"}, "--runtime beam"},
		{[]string{"--runtime", "beam", "--costs", "s0=5us,c=10ns,k=1"}, "--runtime beam"},
		{[]string{"--runtime", "beam", "--tick", "1500us"}, "--tick"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runScenarioCmd(t, tt.args...)
			line, ok := errorLine(stderr)
			if code != 2 || !strings.Contains(line, tt.want) || !ok || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q: want 2 and one line naming %s", code, stderr, stdout, tt.want)
			}
		})
	}
}

// TestScenario_CostsTick: with producers in 1ms ticks the model's T* is
// T* − u·D/2 (u = λ·s0): 0.95s − 0.05·0.5ms at 10,000/s, s0 5µs.
func TestScenario_CostsTick(t *testing.T) {
	code, stdout, stderr := runScenarioCmd(t, "--costs", "s0=5us,c=10ns,k=1", "--rate", "10000", "--tick", "1ms",
		"--pause", "500ms", "--at", "100ms", "--duration", "30s", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := mustDecodeScenario(t, stdout)
	if got.Settings["tick_seconds"] != 0.001 {
		t.Errorf("settings %v, want tick_seconds 0.001", got.Settings)
	}
	m := got.Profiles[0].Model
	if m.CriticalSeconds == nil || math.Abs(*m.CriticalSeconds-(0.95-0.000025)) > 1e-9 {
		t.Errorf("T* = %v, want 0.949975", m.CriticalSeconds)
	}
	if got.Profiles[0].Outcome != "drained" {
		t.Errorf("500ms pause: %s, want drained", got.Profiles[0].Outcome)
	}
	// c(n) from --costs cn=: n* where λ·S(n) = 1.
	code, stdout, stderr = runScenarioCmd(t, "--costs", "s0=5us,c=10ns,k=1,cn=1000:10ns/100000:20ns", "--rate", "10000",
		"--pause", "100ms", "--at", "100ms", "--duration", "30s", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m = mustDecodeScenario(t, stdout).Profiles[0].Model
	if m.TippingQueue == nil || *m.TippingQueue >= 9500 || *m.TippingQueue < 9500/2 {
		t.Errorf("n* with c(n) growing to 20ns = %v, want between 4750 and 9500", m.TippingQueue)
	}
}

func TestWriteBeamModels(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	real := 0.044
	r := beamReport{
		CriticalMeasured:  &real,
		ModelFrom:         "calibration",
		CalibrationPauses: []float64{0.024, 0.040, 0.064},
		TracedModel:       &modelReport{CriticalSeconds: f(0.040)},
		BesideModel:       &modelReport{CriticalSeconds: f(0.080)},
	}
	var b strings.Builder
	writeBeamModels(&b, r)
	for _, want := range []string{"predicted from 3 calibration runs before the bisection (pauses 24ms, 40ms, 64ms)",
		"own runs' traces T* 40ms (live/model 1.10)", "beside them T* 80ms (live/model 0.55)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
	// No T* from the calibration: the model is the bisection's runs',
	// and says so; a model without T* prints none.
	r.ModelFrom, r.BesideModel = "bisection", &modelReport{}
	b.Reset()
	writeBeamModels(&b, r)
	for _, want := range []string{"gave no T* within the depths they reached", "not a prediction", "beside them T* none"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
