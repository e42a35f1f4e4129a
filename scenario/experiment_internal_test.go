package scenario

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

// recorder is a Progress that writes down what it hears.
type recorder struct{ events []string }

func (r *recorder) Calibrating(name string) { r.events = append(r.events, "calibrating "+name) }
func (r *recorder) Calibrated(name string, _ model.Costs) {
	r.events = append(r.events, "calibrated "+name)
}
func (r *recorder) Sweeping(name string, _, _ int) { r.events = append(r.events, "sweeping "+name) }
func (r *recorder) Simulated(name string, o model.Outcome) {
	r.events = append(r.events, "simulated "+name+" "+o.String())
}
func (r *recorder) Ran(name string, res Result) {
	r.events = append(r.events, "ran "+name+" "+res.Outcome.String())
}
func (r *recorder) CriticalRun(name string, _ time.Duration, _ Result) {
	r.events = append(r.events, "critical "+name)
}
func (r *recorder) Sampler(string, Config) func(model.Sample) { return nil }

func experimentConfig() Config {
	return Config{Rate: 10000, At: DefaultAt, Pause: DefaultPause, Duration: DefaultDuration,
		Workers: DefaultWorkers, CapQueue: DefaultCapQueue, CapBytes: DefaultCapBytes, Discard: true, Seed: 1}
}

// TestExperiment_costs: external costs are simulated, not run; at 10,000
// events/s, s0 = 5µs and c = 10ns with one call an event, n* is 9,500 and
// the 1s pause (10,000 events) runs away. (A sweep simulates a whole grid:
// cmd/benchdb's TestScenario_Sweep runs one.)
func TestExperiment_costs(t *testing.T) {
	costs := model.Costs{S0: 5e-6, C: 10e-9, K: 1}
	var rec recorder
	e := &Experiment{Config: experimentConfig(), Costs: &costs, Progress: &rec}
	reports, phases, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || len(phases) != 0 {
		t.Fatalf("%d reports, %d phases; want 1 report", len(reports), len(phases))
	}
	r := reports[0]
	if r.Profile != "external" || r.Outcome != model.Runaway || r.SimulatedOutcome != model.Runaway || r.ArrivalRate != 10000 {
		t.Errorf("report %s: %v (simulated %v) at %v/s; want external, runaway, at 10000/s", r.Profile, r.Outcome, r.SimulatedOutcome, r.ArrivalRate)
	}
	if r.Model.TippingQueue == nil || *r.Model.TippingQueue != 9500 || r.Model.K != 1 {
		t.Errorf("model %+v, want n* = 9500, k = 1", r.Model)
	}
	if r.Phase != nil || r.Bracket != nil || len(r.Series) == 0 {
		t.Errorf("phase %+v, bracket %v, %d samples: want a series and neither of the others", r.Phase, r.Bracket, len(r.Series))
	}
	if got, want := strings.Join(rec.events, "; "), "simulated external runaway"; got != want {
		t.Errorf("progress: %s, want %s", got, want)
	}
	out := e.Output(reports)
	if out.Settings.Mode != "simulation" || out.Settings.Costs == nil || out.Settings.Costs.S0Seconds != 5e-6 || out.Settings.Runtime != "go" {
		t.Errorf("settings %+v", out.Settings)
	}
}

// TestExperiment_live runs one profile without calls live at a low rate:
// it is calibrated, then drains after a short pause.
func TestExperiment_live(t *testing.T) {
	mustNotLeak(t)
	cfg := experimentConfig()
	cfg.Rate, cfg.At, cfg.Pause, cfg.Duration = 2000, 10*time.Millisecond, 20*time.Millisecond, 5*time.Second
	var rec recorder
	e := &Experiment{Config: cfg, Profiles: []Profile{testProfile("k=0", 0)}, Progress: &rec}
	reports, phases, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || phases != nil {
		t.Fatalf("%d reports, %d phases; want 1 report", len(reports), len(phases))
	}
	r := reports[0]
	if r.Outcome != model.Drained || r.DrainSeconds == nil || len(r.Series) == 0 || r.Model.TippingQueue != nil || r.Costs.K != 0 {
		t.Errorf("report %+v: want drained, with a series, and no n* for k = 0", r)
	}
	if got, want := strings.Join(rec.events, "; "), "calibrating k=0; calibrated k=0; ran k=0 drained"; got != want {
		t.Errorf("progress: %s, want %s", got, want)
	}
	if out := e.Output(reports); out.Settings.Mode != "live" || out.Settings.Costs != nil {
		t.Errorf("settings %+v, want live without costs", out.Settings)
	}
}

func TestMeanCosts(t *testing.T) {
	got := MeanCosts([]model.Costs{{S0: 1e-6, C: 2e-9, K: 1}, {S0: 3e-6, C: 4e-9, K: 1}})
	if d := got.S0 - 2e-6; d > 1e-18 || d < -1e-18 || got.C < 2.99e-9 || got.C > 3.01e-9 || got.K != 1 {
		t.Errorf("MeanCosts = %+v, want s0 2µs, c 3ns, k 1", got)
	}
}

// TestAttachPhases: each entry gets the diagram of its name, pauses in
// seconds and a null critical pause where the model has none.
func TestAttachPhases(t *testing.T) {
	ph := model.Phase{
		Rates: []float64{1000, 2000}, Pauses: []time.Duration{time.Second, 2 * time.Second},
		Outcomes:   [][]model.Outcome{{model.Drained, model.Runaway}, {model.Runaway, model.Runaway}},
		Critical:   []time.Duration{1500 * time.Millisecond, 0},
		CriticalOK: []bool{true, false},
	}
	reports := []ProfileReport{{Profile: "a"}, {Profile: "b"}}
	attachPhases(reports, []Phase{{Name: "b", Phase: ph}})
	if reports[0].Phase != nil {
		t.Errorf("a got a phase: %+v", reports[0].Phase)
	}
	p := reports[1].Phase
	if p == nil || len(p.PausesSeconds) != 2 || p.PausesSeconds[1] != 2 || len(p.CriticalSeconds) != 2 ||
		p.CriticalSeconds[0] == nil || *p.CriticalSeconds[0] != 1.5 || p.CriticalSeconds[1] != nil || len(p.Outcomes) != 2 {
		t.Errorf("b's phase %+v, want pauses [1 2]s, critical [1.5 null]", p)
	}
}
