package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
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
		// As on the Go runtime, the costs are measured again after each
		// run of the bisection and the model is given them all pooled.
		chk, err := h.CheckModel(ctx, bcfg, measured, criticalSteps, func(pause time.Duration, r beam.ScenarioResult) {
			progress.done("beam: find critical pause: %v -> %s (peak %d)", pause.Round(time.Microsecond), r.Outcome, r.PeakQueue)
		})
		if err != nil {
			return err
		}
		for _, w := range chk.Warnings {
			progress.done("beam: warning: cost measurement %v", w)
		}
		bracket, measured, costs = chk.Bracket, chk.Costs, chk.Model
		rep.Model = newModelReport(costs, cfg.Rate, max(o.tick, time.Millisecond))
		rep.Calibrations = chk.Measurements
		progress.done("beam: %v (pooled over %d measurements)", costs, chk.Measurements)
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
	fmt.Fprintf(w, "\ns0 is the router's time per event measured live at the rate; c(n) = (S(n) − s0)/(k·n), from the\n"+
		"service time S(n) measured live with n events queued (JSON live_service_seconds; service_seconds are\n"+
		"the same costs measured with no producers). To model this system elsewhere: --costs %v --rate %g --tick %v\n",
		cn, r.Rate, max(o.tick, time.Millisecond))
	return nil
}
