package scenario

import (
	"math"
	"time"

	"github.com/benchdb/benchdb/model"
)

// This file holds the JSON form of an experiment's outcome, which is the
// API of `benchdb scenario --format json` (the README documents it).

// Output is the whole JSON document: the settings and one entry per
// subject.
type Output struct {
	Settings Settings        `json:"settings"`
	Profiles []ProfileReport `json:"profiles"`
}

// Settings are an experiment's settings as the JSON output shows them.
type Settings struct {
	Mode            string       `json:"mode"` // "live" or "simulation"
	Rate            float64      `json:"rate"`
	PauseSeconds    float64      `json:"pause_seconds"`
	AtSeconds       float64      `json:"at_seconds"`
	DurationSeconds float64      `json:"duration_seconds"`
	Workers         int          `json:"workers"`
	Producers       int          `json:"producers"`
	CapQueue        int          `json:"cap_queue"`
	CapBytes        int64        `json:"cap_bytes"`
	DrainQueue      int          `json:"drain_queue"`
	SettleSeconds   float64      `json:"settle_seconds"`
	SampleSeconds   float64      `json:"sample_seconds"`
	MessageBytes    int          `json:"message_bytes"`
	Discard         bool         `json:"discard"`
	Seed            uint64       `json:"seed"`
	TickSeconds     float64      `json:"tick_seconds"`
	Runtime         string       `json:"runtime"`
	Costs           *ModelReport `json:"costs"` // the external costs, or null
}

// ProfileReport is one subject's entry in the output.
type ProfileReport struct {
	Profile          string         `json:"profile"`
	Outcome          model.Outcome  `json:"outcome"`
	PeakQueue        int            `json:"peak_queue"`
	FinalQueue       int            `json:"final_queue"`
	PeakBytes        int64          `json:"peak_bytes"`
	DrainSeconds     *float64       `json:"drain_seconds"`
	ArrivalRate      float64        `json:"arrival_rate"`
	Model            ModelReport    `json:"model"`
	Observed         *ModelReport   `json:"observed"`
	SimulatedOutcome model.Outcome  `json:"simulated_outcome"`
	CriticalMeasured *float64       `json:"critical_pause_seconds_measured"`
	Series           []SampleReport `json:"series"`
	Phase            *PhaseReport   `json:"phase,omitempty"`

	// Costs are the costs the model was given: measured before the run,
	// or with FindCritical the mean of Calibrations measurements.
	Costs        model.Costs `json:"-"`
	Calibrations int         `json:"-"`
	// Bracket is FindCritical's, or nil when it did not run.
	Bracket *Bracket `json:"-"`
}

// ModelReport holds costs and what the model makes of them.
type ModelReport struct {
	S0Seconds       float64  `json:"s0_seconds"`
	CSeconds        float64  `json:"c_seconds"`
	K               int      `json:"k"`
	TippingQueue    *int64   `json:"tipping_queue"`
	CriticalSeconds *float64 `json:"critical_pause_seconds"`
}

// SampleReport is one sample of the queue.
type SampleReport struct {
	TSeconds float64 `json:"t_seconds"`
	Queue    int     `json:"queue"`
	Bytes    int64   `json:"bytes"`
}

// PhaseReport is a phase diagram.
type PhaseReport struct {
	Rates           []float64         `json:"rates"`
	PausesSeconds   []float64         `json:"pauses_seconds"`
	Outcomes        [][]model.Outcome `json:"outcomes"`
	CriticalSeconds []*float64        `json:"critical_pause_seconds"`
}

// NewProfileReport fills a report from a run's (or a simulation's)
// result and the model at rate, with producers sending in bursts every
// tick (0: smoothly).
func NewProfileReport(name string, costs model.Costs, rate float64, tick time.Duration, simulated model.Outcome, res model.Result) ProfileReport {
	r := ProfileReport{
		Profile: name, Outcome: res.Outcome, PeakQueue: res.PeakQueue, FinalQueue: res.FinalQueue,
		PeakBytes: res.PeakBytes, SimulatedOutcome: simulated, Costs: costs,
		Model:  NewModelReport(costs, rate, tick),
		Series: []SampleReport{},
	}
	if res.Outcome == model.Drained {
		v := res.DrainTime.Seconds()
		r.DrainSeconds = &v
	}
	for _, s := range res.Series {
		r.Series = append(r.Series, SampleReport{TSeconds: s.T.Seconds(), Queue: s.Queue, Bytes: s.Bytes})
	}
	return r
}

// NewModelReport gives the costs and what the model makes of them at
// rate, with producers sending in bursts every tick (0: smoothly).
func NewModelReport(costs model.Costs, rate float64, tick time.Duration) ModelReport {
	m := ModelReport{S0Seconds: costs.S0, CSeconds: costs.C, K: costs.K}
	if n, ok := costs.TippingQueue(rate); ok {
		v := int64(math.Round(n))
		m.TippingQueue = &v
		t, _ := costs.CriticalPauseTick(rate, tick)
		s := t.Seconds()
		m.CriticalSeconds = &s
	}
	return m
}

// attachPhases sets the Phase of each report from the phase diagram of
// the same name.
func attachPhases(reports []ProfileReport, phases []Phase) {
	for i := range reports {
		for _, ph := range phases {
			if ph.Name != reports[i].Profile {
				continue
			}
			p := &PhaseReport{Rates: ph.Phase.Rates, Outcomes: ph.Phase.Outcomes}
			for _, d := range ph.Phase.Pauses {
				p.PausesSeconds = append(p.PausesSeconds, d.Seconds())
			}
			for j, d := range ph.Phase.Critical {
				var v *float64
				if ph.Phase.CriticalOK[j] {
					s := d.Seconds()
					v = &s
				}
				p.CriticalSeconds = append(p.CriticalSeconds, v)
			}
			reports[i].Phase = p
		}
	}
}

// Output returns the JSON document of the experiment's reports.
func (e *Experiment) Output(reports []ProfileReport) Output {
	mode := "live"
	if !e.Live() {
		mode = "simulation"
	}
	var costs *ModelReport
	if e.Costs != nil {
		costs = &ModelReport{S0Seconds: e.Costs.S0, CSeconds: e.Costs.C, K: e.Costs.K}
	}
	cfg := e.Config
	return Output{
		Settings: Settings{
			Mode: mode, Rate: cfg.Rate, PauseSeconds: cfg.Pause.Seconds(), AtSeconds: cfg.At.Seconds(),
			DurationSeconds: cfg.Duration.Seconds(), Workers: cfg.Workers, Producers: DefaultProducers,
			CapQueue: cfg.CapQueue, CapBytes: cfg.CapBytes, DrainQueue: DefaultDrainQueue(cfg.Rate),
			SettleSeconds: DefaultSettle.Seconds(), SampleSeconds: DefaultSampleEvery.Seconds(),
			MessageBytes: EventBytes, Discard: cfg.Discard, Seed: cfg.Seed, Costs: costs,
			TickSeconds: cfg.Tick.Seconds(), Runtime: "go",
		},
		Profiles: reports,
	}
}
