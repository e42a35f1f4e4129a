package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/beam"
	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario"
)

// beamOptions are the scenario command's settings for --runtime beam.
type beamOptions struct {
	calls int
	queue string
}

// beamFlags checks --runtime, --calls and --queue, and sets o.beam for
// --runtime beam.
func beamFlags(c *cli.Context, o *scenarioOptions) error {
	switch rt := c.String("runtime"); rt {
	case "go":
		for _, f := range []string{"calls", "queue"} {
			if c.IsSet(f) {
				return usagef("--%s goes with --runtime beam (the Go runtime takes --profile)", f)
			}
		}
		return nil
	case "beam":
	default:
		return usagef("--runtime %q: want go or beam", rt)
	}
	b := &beamOptions{calls: c.Int("calls"), queue: c.String("queue")}
	switch {
	case b.calls < 0 || b.calls > 100:
		return usagef("--calls %d: want 0 to 100", b.calls)
	case b.queue != beam.OnHeap && b.queue != beam.OffHeap:
		return usagef("--queue %q: want on-heap or off-heap", b.queue)
	case c.IsSet("profile") || c.IsSet("costs") || c.Bool("sweep"):
		return usagef("--runtime beam runs the BEAM's own router (--calls sets k): not with --profile, --costs or --sweep")
	case c.Duration("tick")%time.Millisecond != 0:
		return usagef("--tick %v: the BEAM's timers tick in whole milliseconds", c.Duration("tick"))
	}
	o.beam = b
	return nil
}

// beamReport is the JSON of a --runtime beam run.
type beamReport struct {
	Runtime          string        `json:"runtime"`
	OTP              string        `json:"otp"`
	Rate             float64       `json:"rate"`
	Calls            int           `json:"calls"`
	Queue            string        `json:"queue"`
	TickSeconds      float64       `json:"tick_seconds"`
	PauseSeconds     float64       `json:"pause_seconds"`
	Outcome          model.Outcome `json:"outcome"`
	PeakQueue        int           `json:"peak_queue"`
	PeakBytes        int64         `json:"peak_bytes"`
	DrainSeconds     *float64      `json:"drain_seconds"`
	Model            modelReport   `json:"model"`
	ServiceSeconds   []depthReport `json:"service_seconds"`
	LiveService      []liveReport  `json:"live_service_seconds"`
	ArrivalRate      float64       `json:"arrival_rate"`
	CriticalMeasured *float64      `json:"critical_pause_seconds_measured"`
	// Calibrations is how many cost measurements the model pools (1, or
	// one more per bisection run with --find-critical).
	Calibrations int            `json:"calibrations"`
	Series       []sampleReport `json:"series"`
	// With --find-critical: ModelFrom says where Model's S(n) comes from
	// ("calibration": runs of the scenario before and apart from the
	// bisection, the prediction; "bisection": the bisection's own runs'
	// traces, where the calibration gave no T*), CalibrationPauses are
	// the calibration's runs, and TracedModel and BesideModel are the
	// models from the bisection's own runs and from the costs measured
	// beside them, for comparison.
	ModelFrom         string       `json:"model_from,omitempty"`
	CalibrationPauses []float64    `json:"calibration_pause_seconds,omitempty"`
	TracedModel       *modelReport `json:"traced_model,omitempty"`
	BesideModel       *modelReport `json:"beside_model,omitempty"`
}

type liveReport struct {
	Depth   float64 `json:"depth"`
	Seconds float64 `json:"seconds"`
	Cycle   float64 `json:"cycle_seconds"`
	Events  int     `json:"events"`
}

type depthReport struct {
	Depth   int     `json:"depth"`
	Seconds float64 `json:"seconds"`
}

// beamScenarioAction runs the scenario on a real BEAM: it measures the
// costs (s0 live at the rate, S(n) at several depths), runs the router
// once with the pause, and with --find-critical bisects the real critical
// pause, with the model's T* from the measured costs beside it.
func beamScenarioAction(c *cli.Context, o scenarioOptions) error {
	h, err := beam.Find()
	if errors.Is(err, beam.ErrNoErl) {
		return fmt.Errorf("--runtime beam: %w", err)
	}
	if err != nil {
		return err
	}
	defer h.Close()
	ctx := c.Context
	progress := newProgress(c.App.ErrWriter)
	ver, err := h.Version(ctx)
	if err != nil {
		return err
	}
	cfg := o.cfg
	bcfg := beam.ScenarioConfig{
		Rate: cfg.Rate, Calls: o.beam.calls, Tick: o.tick, Workers: cfg.Workers, Queue: o.beam.queue,
		At: cfg.At, Pause: cfg.Pause, Duration: cfg.Duration, CapQueue: cfg.CapQueue,
	}
	progress.done("beam (OTP %s, %d schedulers): measuring s0 at %s and S(n)", ver.OTP, ver.Schedulers, model.FormatRate(cfg.Rate))
	measured, err := h.Costs(ctx, beam.CostOptions{Rate: cfg.Rate, Calls: o.beam.calls, Tick: o.tick, Workers: cfg.Workers, Queue: o.beam.queue})
	if err != nil {
		return err
	}
	costs := measured.Model()
	progress.done("beam: %v", costs)
	res, err := h.Scenario(ctx, bcfg)
	if err != nil {
		return err
	}
	progress.done("beam: %s, peak %d messages, %s", res.Outcome, res.PeakQueue, drainText(res.Result))
	rep := beamReport{
		Runtime: "beam", OTP: ver.OTP, Rate: cfg.Rate, Calls: o.beam.calls, Queue: o.beam.queue,
		TickSeconds: max(o.tick, time.Millisecond).Seconds(), PauseSeconds: cfg.Pause.Seconds(),
		Outcome: res.Outcome, PeakQueue: res.PeakQueue, PeakBytes: res.PeakBytes,
		Model: newModelReport(costs, cfg.Rate, max(o.tick, time.Millisecond)), ArrivalRate: measured.ArrivalRate,
		Series: []sampleReport{}, ServiceSeconds: []depthReport{}, LiveService: []liveReport{},
		Calibrations: 1,
	}
	if res.Outcome == model.Drained {
		v := res.DrainTime.Seconds()
		rep.DrainSeconds = &v
	}
	for _, s := range res.Series {
		rep.Series = append(rep.Series, sampleReport{TSeconds: s.T.Seconds(), Queue: s.Queue, Bytes: s.Bytes})
	}
	for _, d := range measured.Service {
		rep.ServiceSeconds = append(rep.ServiceSeconds, depthReport{d.Depth, d.Seconds})
	}
	var bracket scenario.Bracket
	if _, ok := costs.CriticalPauseTick(cfg.Rate, max(o.tick, time.Millisecond)); o.findCritical && ok {
		// (The stall term may bring the model's T* to 0; CheckModel falls
		// back to the T* without Q0 and stall for its bracket.)
		// The prediction is the calibration's: S(n) from runs of the
		// scenario before the bisection (beam.Harness.Calibrate); the
		// models from the bisection's own runs and from the costs
		// measured beside them are printed for comparison.
		chk, err := h.CheckModel(ctx, bcfg, measured, criticalSteps, func(stage beam.Stage, pause time.Duration, r beam.ScenarioResult) {
			what := "find critical pause"
			if stage == beam.StageCalibrate {
				what = "calibrate"
			}
			progress.done("beam: %s: %v -> %s (peak %d)", what, pause.Round(time.Microsecond), r.Outcome, r.PeakQueue)
		})
		if err != nil {
			return err
		}
		for _, w := range chk.Warnings {
			progress.done("beam: warning: cost measurement %v", w)
		}
		tick := max(o.tick, time.Millisecond)
		traced, beside := newModelReport(chk.Model, cfg.Rate, tick), newModelReport(chk.BesideModel, cfg.Rate, tick)
		rep.TracedModel, rep.BesideModel = &traced, &beside
		for _, p := range chk.Calibration.Pauses {
			rep.CalibrationPauses = append(rep.CalibrationPauses, p.Seconds())
		}
		bracket, measured, costs, rep.ModelFrom = chk.Bracket, chk.Costs, chk.Model, "bisection"
		if chk.Calibration.OK {
			measured, costs, rep.ModelFrom = chk.Calibration.Costs, chk.Calibration.Model, "calibration"
		}
		rep.Model = newModelReport(costs, cfg.Rate, tick)
		rep.Calibrations = chk.Measurements
		progress.done("beam: %v (from the %s's runs)", costs, rep.ModelFrom)
		if bracket.Found() {
			v := bracket.Estimate().Seconds()
			rep.CriticalMeasured = &v
		}
	}
	rep.LiveService = rep.LiveService[:0]
	for _, d := range measured.Live {
		rep.LiveService = append(rep.LiveService, liveReport{d.Depth, d.Seconds, d.Cycle, d.Events})
	}
	if o.format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return writeBeamText(c.App.Writer, o, rep, measured, bracket)
}

func writeBeamText(w io.Writer, o scenarioOptions, r beamReport, measured beam.Costs, b scenario.Bracket) error {
	fmt.Fprintf(w, "live on the BEAM (OTP %s): λ = %s, %d call(s) per event, producers in %v ticks, pause %v at %v, %s queue\n\n",
		r.OTP, model.FormatRate(r.Rate), r.Calls, max(o.tick, time.Millisecond), o.cfg.Pause, o.cfg.At, r.Queue)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "runtime\toutcome\tpeak queue\tdrain\ts0\tc(n)\tk\tn*\tT*"
	if o.findCritical {
		head += "\tT* live"
	}
	fmt.Fprintln(tw, head)
	drain := "-"
	if r.DrainSeconds != nil {
		drain = model.FormatSeconds(*r.DrainSeconds)
	}
	nstar, tstar := "none", "none"
	if r.Model.TippingQueue != nil {
		nstar = strconv.FormatInt(*r.Model.TippingQueue, 10)
		tstar = model.FormatSeconds(*r.Model.CriticalSeconds)
	}
	cn := measured.Model()
	cs := model.FormatSeconds(cn.C)
	if len(cn.Scan) > 0 {
		cs = ""
		for i, p := range cn.Scan {
			if i > 0 {
				cs += " "
			}
			cs += fmt.Sprintf("%g:%s", p.N, model.FormatSeconds(p.C))
		}
	}
	line := fmt.Sprintf("beam\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s", r.Outcome, r.PeakQueue, drain,
		model.FormatSeconds(r.Model.S0Seconds), cs, r.Calls, nstar, tstar)
	if o.findCritical {
		switch {
		case r.CriticalMeasured != nil:
			ratio := "-"
			if r.Model.CriticalSeconds != nil && *r.Model.CriticalSeconds > 0 {
				ratio = fmt.Sprintf("%.2f", *r.CriticalMeasured / *r.Model.CriticalSeconds)
			}
			line += fmt.Sprintf("\t%s (%v..%v, %d runs; costs measured %d times; live/model %s)", model.FormatSeconds(*r.CriticalMeasured),
				b.Drained.Round(time.Microsecond), b.Runaway.Round(time.Microsecond), b.Runs, r.Calibrations, ratio)
		case b.Runs > 0:
			line += "\tnot found"
		default:
			line += "\t-"
		}
	}
	fmt.Fprintln(tw, line)
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.findCritical && r.ModelFrom != "" {
		writeBeamModels(w, r)
	}
	fmt.Fprintf(w, "\ns0 is the router's time per event measured live at the rate; c(n) = (S(n) − s0)/(k·n), from the\n"+
		"service time S(n) measured live with n events queued (JSON live_service_seconds; service_seconds are\n"+
		"the same costs measured with no producers). To model this system elsewhere: --costs %v --rate %g --tick %v\n",
		cn, r.Rate, max(o.tick, time.Millisecond))
	return nil
}

// writeBeamModels writes where --find-critical's model comes from and
// the other two models beside the real critical pause.
func writeBeamModels(w io.Writer, r beamReport) {
	tstar := func(m *modelReport) string {
		if m == nil || m.CriticalSeconds == nil {
			return "none"
		}
		s := model.FormatSeconds(*m.CriticalSeconds)
		if r.CriticalMeasured != nil && *m.CriticalSeconds > 0 {
			s += fmt.Sprintf(" (live/model %.2f)", *r.CriticalMeasured / *m.CriticalSeconds)
		}
		return s
	}
	pauses := make([]string, len(r.CalibrationPauses))
	for i, p := range r.CalibrationPauses {
		pauses[i] = model.FormatSeconds(p)
	}
	fmt.Fprintln(w)
	switch r.ModelFrom {
	case "calibration":
		fmt.Fprintf(w, "T* is predicted from %d calibration runs before the bisection (pauses %s), apart from its runs.\n",
			len(pauses), strings.Join(pauses, ", "))
	default:
		fmt.Fprintf(w, "The %d calibration runs (pauses %s) gave no T* within the depths they reached: T* is\n"+
			"the bisection's own runs' (a check of the mechanism, not a prediction).\n", len(pauses), strings.Join(pauses, ", "))
	}
	fmt.Fprintf(w, "For comparison: from the bisection's own runs' traces T* %s; from the costs measured beside them T* %s.\n",
		tstar(r.TracedModel), tstar(r.BesideModel))
}
