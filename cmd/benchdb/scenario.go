package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/scenario"
	"github.com/benchdb/benchdb/scenario/plot"
	"github.com/benchdb/benchdb/store"

	// The scenario suite registers BenchmarkScenario for `benchdb run`.
	_ "github.com/benchdb/benchdb/suites/scenario"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/internal/termsafe"
)

// criticalSteps is how many times --find-critical halves its bracket
// after it has found a pause that drains and one that runs away.
const criticalSteps = scenario.DefaultCriticalSteps

func scenarioCommand() *cli.Command {
	return &cli.Command{
		Name:      "scenario",
		Usage:     "run the mailbox-runaway incident live and set the queueing model's prediction beside it",
		UsageText: "benchdb scenario [--profile P]... [--rate R] [--pause D] [--at D] [--duration D] [--workers N]\n   [--cap-queue N] [--cap-bytes B] [--find-critical] [--sweep] [--costs s0=D,c=D,k=N] [--plot FILE.svg] [--format text|json]",
		Description: `For each version profile, producers send {log, name, bin} events (100-byte
payloads) at --rate to a router goroutine with an Erlang-style mailbox; the
router picks one of --workers writers as the profile does (elixir-1.5.1 makes
a code-server call whose reply is found by scanning the whole mailbox) and
forwards the event. At --at the router stops for --pause, then resumes. The
queue either drains back to its steady level or runs away, in which case the
run stops at --cap-queue messages or --cap-bytes and frees what it held.

Before each run the costs are measured on the same components: s0, the
router's time per event with an empty queue; c, the time per queued message
that a call's scan adds; k, the calls per event. The model then gives the
tipping queue n* = (1 - λ·s0)/(λ·k·c) and the critical pause T* = n*/λ (none
when k = 0): a pause longer than T* queues more than n* events, and the
queue never comes back. A discrete-event simulation on the same costs gives
the expected outcome at the same settings.

The defaults show the incident on a two-core machine in about ten seconds:
at 50,000 events/s the router is busy a small share of its time under every
profile (λ·s0 well below 1), so no profile falls behind on its own; Go's
mailbox scans a message in 1-3 ns, so elixir-1.5.1's n* is some 5,000-15,000
messages and T* 100-300 ms; the 1s pause queues 50,000 events, several times
n*. elixir-1.5.1 runs away to the 100,000-message cap (about 15 MB) within a
few seconds, and every other profile clears the backlog in well under a
second.

Modes:
  --find-critical  also look for the live critical pause by bisection, for each
                   profile that has a finite T*, and print it beside T*; the
                   costs are measured again after each bisection run, and the
                   model's T* uses their mean (the machine's load drifts)
  --sweep          no live runs: simulate a grid of rates x pauses around
                   --rate and print the phase diagram (drawn with --plot)
  --costs          no live runs: model and simulate the given costs instead of
                   measuring them, e.g. s0=5us,c=10ns,k=1 for an Erlang system
                   (reported as one entry, "external"); q0=N is the queue
                   when a pause begins and stall=D the runtime's longest
                   stop, as --runtime beam measures them

--plot FILE.svg draws the queue over time for each profile, the pause and
n* (or, with --sweep, the phase diagrams). Progress goes to stderr.

Examples:

   benchdb scenario                              # every profile, live, about ten seconds
   benchdb scenario --profile elixir-1.5.1 --profile roundrobin --plot queue.svg
   benchdb scenario --profile elixir-1.5.1 --find-critical
   benchdb scenario --sweep --plot phase.svg
   benchdb scenario --costs s0=5us,c=10ns,k=1 --rate 10000 --format json`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "profile", Usage: "version `PROFILE` to run (repeatable; default: all)", Category: catRun},
			&cli.Float64Flag{Name: "rate", Usage: "arrival rate λ in events per second", Value: scenario.DefaultRate, Category: catRun},
			&cli.DurationFlag{Name: "pause", Usage: "how long the router stops", Value: scenario.DefaultPause, Category: catRun},
			&cli.DurationFlag{Name: "at", Usage: "when the router stops, from the start", Value: scenario.DefaultAt, Category: catRun},
			&cli.DurationFlag{Name: "duration", Usage: "the longest one run goes on, pause included (a run stops as soon as it has drained or hit a cap)", Value: scenario.DefaultDuration, Category: catRun},
			&cli.IntFlag{Name: "workers", Usage: "writer pool size P", Value: scenario.DefaultWorkers, Category: catRun},
			&cli.IntFlag{Name: "cap-queue", Usage: "stop a runaway at this many queued `MESSAGES`", Value: scenario.DefaultCapQueue, Category: catRun},
			&cli.StringFlag{Name: "cap-bytes", Usage: "stop a runaway when the queue holds this many `BYTES` (suffixes KiB, MiB, GiB, KB, MB, GB)", Value: store.FormatSize(scenario.DefaultCapBytes), Category: catRun},
			&cli.BoolFlag{Name: "discard", Usage: "writers drop the payloads instead of appending them to files in a temporary directory", Category: catRun},
			&cli.Uint64Flag{Name: "seed", Usage: "seed of the profiles' random choices", Value: 1, Category: catRun},
			&cli.BoolFlag{Name: "find-critical", Usage: "find the live critical pause by bisection (slow: several runs per profile)", Category: catRun},
			&cli.BoolFlag{Name: "sweep", Usage: "print the simulated phase diagram, rate x pause, instead of running live", Category: catRun},
			&cli.StringFlag{Name: "costs", Usage: "model and simulate these `COSTS` (s0=D,c=D,k=N[,cn=N:D/N:D...][,q0=N][,stall=D]) instead of measuring them", Category: catRun},
			&cli.DurationFlag{Name: "tick", Usage: "producers send in bursts every `D` (0: smoothly), in the live run, the simulation and the model", Category: catRun},
			&cli.StringFlag{Name: "runtime", Usage: "`RUNTIME` to run live: go (the Go model of the incident, per profile) or beam (a real BEAM through erl)", Value: "go", Category: catRun},
			&cli.IntFlag{Name: "calls", Usage: "with --runtime beam: untagged code-server calls per event, k", Value: 1, Category: catRun},
			&cli.StringFlag{Name: "queue", Usage: "with --runtime beam: the router's message queue, on-heap or off-heap", Value: "on-heap", Category: catRun},
			&cli.StringFlag{Name: "plot", Usage: "write an SVG chart to `FILE`", Category: catOutput},
			formatFlag("text", "json"),
		},
		Action: scenarioAction,
	}
}

// scenarioOptions are the command's validated flags.
type scenarioOptions struct {
	profiles     []scenario.Profile
	cfg          scenario.Config
	costs        *model.Costs
	findCritical bool
	sweep        bool
	plot         string
	format       string
	tick         time.Duration // producers' burst interval; 0 smooth
	beam         *beamOptions  // --runtime beam
}

func scenarioFlags(c *cli.Context) (scenarioOptions, error) {
	o := scenarioOptions{
		findCritical: c.Bool("find-critical"),
		sweep:        c.Bool("sweep"),
		plot:         c.String("plot"),
		format:       c.String("format"),
	}
	if c.NArg() > 0 {
		return o, usagef("scenario takes no arguments, got %q", c.Args().First())
	}
	names := c.StringSlice("profile")
	if len(names) == 0 {
		for _, p := range scenario.Profiles() {
			names = append(names, p.Name)
		}
	}
	for _, name := range names {
		p, err := scenario.LookupProfile(name)
		if err != nil {
			return o, usagef("--profile: %v", err)
		}
		o.profiles = append(o.profiles, p)
	}
	cfg := scenario.Config{
		Rate:     c.Float64("rate"),
		Pause:    c.Duration("pause"),
		At:       c.Duration("at"),
		Duration: c.Duration("duration"),
		Workers:  c.Int("workers"),
		CapQueue: c.Int("cap-queue"),
		Discard:  c.Bool("discard"),
		Seed:     c.Uint64("seed"),
	}
	switch {
	case !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0) || cfg.Rate > scenario.MaxRate:
		return o, usagef("--rate %v: want events per second, more than 0 and at most %g", cfg.Rate, float64(scenario.MaxRate))
	case cfg.Pause < 0:
		return o, usagef("--pause %v: want a time of zero or more", cfg.Pause)
	case cfg.At < 0:
		return o, usagef("--at %v: want a time of zero or more", cfg.At)
	case cfg.Duration <= cfg.At+cfg.Pause:
		return o, usagef("--duration %v: want more than --at plus --pause (%v)", cfg.Duration, cfg.At+cfg.Pause)
	case cfg.Workers < 1 || cfg.Workers > scenario.MaxWorkers:
		return o, usagef("--workers %d: want 1 to %d", cfg.Workers, scenario.MaxWorkers)
	case cfg.CapQueue < 1 || cfg.CapQueue > scenario.MaxCapQueue:
		return o, usagef("--cap-queue %d: want 1 to %d messages", cfg.CapQueue, scenario.MaxCapQueue)
	}
	capBytes, err := parseBytes(c.String("cap-bytes"))
	if err != nil || capBytes < 1 || capBytes > scenario.MaxCapBytes {
		return o, usagef("--cap-bytes %q: want a size from 1 byte to %s, such as 268435456 or 256MiB", c.String("cap-bytes"), store.FormatSize(scenario.MaxCapBytes))
	}
	cfg.CapBytes = capBytes
	if s := c.String("costs"); s != "" {
		costs, err := model.ParseCosts(s)
		if err != nil {
			return o, usagef("--costs: %v", err)
		}
		o.costs = &costs
		if c.IsSet("profile") {
			return o, usagef("--costs replaces the profiles' measured costs: give one or the other, not --profile")
		}
	}
	o.cfg = cfg
	var cerr *scenario.CheckError
	if err := o.experiment().Check(); errors.As(err, &cerr) {
		return o, usagef("%s", cerr.Msg)
	} else if err != nil {
		return o, err
	}
	if o.plot != "" {
		// Before the run, not after ten seconds of it.
		if err := outfile.Check(o.plot); err != nil {
			return o, usagef("--plot %s: %v", termsafe.Escape(o.plot), err)
		}
	}
	cfg.Tick = c.Duration("tick")
	if cfg.Tick < 0 {
		return o, usagef("--tick %v: want 0 (smooth) or a positive time", cfg.Tick)
	}
	o.tick = cfg.Tick
	if err := beamFlags(c, &o); err != nil {
		return o, err
	}
	o.cfg = cfg
	return o, nil
}

func scenarioAction(c *cli.Context) error {
	o, err := scenarioFlags(c)
	if err != nil {
		return err
	}
	if o.beam != nil {
		return beamScenarioAction(c, o)
	}
	exp := o.experiment()
	exp.Progress = newProgress(c.App.ErrWriter)
	reports, phases, err := exp.Run(c.Context)
	if err != nil {
		return err
	}
	if o.plot != "" {
		if err := writePlot(o, reports, phases); err != nil {
			return err
		}
	}
	if o.format == "json" {
		return encodeJSON(c.App.Writer, exp.Output(reports))
	}
	return writeScenarioText(c.App.Writer, o, reports, phases)
}

// experiment returns the experiment the options ask for.
func (o scenarioOptions) experiment() *scenario.Experiment {
	return &scenario.Experiment{
		Config: o.cfg, Profiles: o.profiles, Costs: o.costs,
		Sweep: o.sweep, FindCritical: o.findCritical, CriticalSteps: criticalSteps,
	}
}

// The JSON types and the model's figures that the BEAM runtime's output
// shares with the Go one.
type (
	modelReport  = scenario.ModelReport
	sampleReport = scenario.SampleReport
)

// newModelReport gives the costs and what the model makes of them at
// rate, with producers sending in bursts every tick (0: smoothly).
func newModelReport(costs model.Costs, rate float64, tick time.Duration) modelReport {
	return scenario.NewModelReport(costs, rate, tick)
}

func writeScenarioText(w io.Writer, o scenarioOptions, reports []scenario.ProfileReport, phases []scenario.Phase) error {
	cfg := o.cfg
	what := "live"
	if o.sweep || o.costs != nil {
		what = "simulated"
	}
	fmt.Fprintf(w, "%s: λ = %s, pause %v at %v, %s, caps %s / %s\n\n",
		what, model.FormatRate(cfg.Rate), cfg.Pause, cfg.At, plural(cfg.Workers, "writer"), plural(cfg.CapQueue, "message"), store.FormatSize(cfg.CapBytes))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	live := !o.sweep && o.costs == nil
	head := "profile\toutcome\tpeak queue\tpeak bytes\tdrain\tarrivals\ts0\tc\tk\tn*\tT*\tsimulated"
	if o.findCritical {
		head += "\tT* live"
	}
	fmt.Fprintln(tw, head)
	for _, r := range reports {
		drain := "-"
		if r.DrainSeconds != nil {
			drain = model.FormatSeconds(*r.DrainSeconds)
		}
		nstar, tstar := "none", "none"
		if r.Model.TippingQueue != nil {
			nstar = strconv.FormatInt(*r.Model.TippingQueue, 10)
			tstar = model.FormatSeconds(*r.Model.CriticalSeconds)
		}
		line := fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s",
			r.Profile, r.Outcome, r.PeakQueue, store.FormatSize(r.PeakBytes), drain, model.FormatRate(r.ArrivalRate),
			model.FormatSeconds(r.Costs.S0), model.FormatSeconds(r.Costs.C), r.Costs.K, nstar, tstar, r.SimulatedOutcome)
		if o.findCritical {
			switch {
			case r.CriticalMeasured != nil:
				line += fmt.Sprintf("\t%s (%v..%v, %s; model costs: mean of %s)", model.FormatSeconds(*r.CriticalMeasured),
					r.Bracket.Drained.Round(time.Millisecond), r.Bracket.Runaway.Round(time.Millisecond), plural(r.Bracket.Runs, "run"), plural(r.Calibrations, "measurement"))
			case r.Bracket != nil:
				line += "\tnot found"
			default:
				line += "\t-"
			}
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nn* = (1 − λ·s0)/(λ·k·c) is the queue above which the router falls behind for good; a pause\n"+
		"longer than T* = n*/λ queues more than that. With k = 0 there is no such point (\"none\").\n")
	if live {
		fmt.Fprintf(w, "s0 and c are measured just before each run, on the same components (JSON \"observed\" has\n"+
			"the costs fitted to the run itself, service time against queue length).\n")
	}
	for _, ph := range phases {
		fmt.Fprintf(w, "\nphase diagram, %s (%v):\n", ph.Name, ph.Phase.Costs)
		if scenario.AllDrained(ph.Phase) {
			fmt.Fprintf(w, "  no tipping point: every pause from %v to %v drains at every rate from %s to %s\n",
				ph.Phase.Pauses[0], ph.Phase.Pauses[len(ph.Phase.Pauses)-1],
				model.FormatRate(ph.Phase.Rates[0]), model.FormatRate(ph.Phase.Rates[len(ph.Phase.Rates)-1]))
			continue
		}
		if err := ph.Phase.WriteText(w); err != nil {
			return err
		}
	}
	if o.plot != "" {
		fmt.Fprintf(w, "\nplot written to %s\n", termsafe.Escape(o.plot))
	}
	return nil
}

func writePlot(o scenarioOptions, reports []scenario.ProfileReport, phases []scenario.Phase) error {
	var buf bytes.Buffer
	if err := drawPlot(&buf, o, reports, phases); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	if err := outfile.WriteFile(o.plot, buf.Bytes()); err != nil {
		return fmt.Errorf("--plot %s: %w", termsafe.Escape(o.plot), err)
	}
	return nil
}

// drawPlot draws the chart --plot asks for.
func drawPlot(f io.Writer, o scenarioOptions, reports []scenario.ProfileReport, phases []scenario.Phase) error {
	if o.sweep {
		var ps []plot.Phase
		for _, ph := range phases {
			ps = append(ps, plot.Phase{Name: ph.Name, Phase: ph.Phase})
		}
		return plot.WritePhases(f, "Simulated phase diagram: drained or runaway, by rate and pause", ps)
	}
	cfg := o.cfg
	chart := plot.Lines{
		Title:  fmt.Sprintf("Router queue over time: λ = %s, pause %v at %v", model.FormatRate(cfg.Rate), cfg.Pause, cfg.At),
		XLabel: "time since start (s)", YLabel: "messages queued in the router's mailbox",
		XUnit: "s",
		Bands: []plot.Band{{Label: "pause " + cfg.Pause.String(), X0: cfg.At.Seconds(), X1: (cfg.At + cfg.Pause).Seconds()}},
	}
	if o.costs != nil {
		chart.Title = "Simulated router queue: " + o.costs.String() + fmt.Sprintf(", λ = %s, pause %v at %v", model.FormatRate(cfg.Rate), cfg.Pause, cfg.At)
	}
	for i, r := range reports {
		s := plot.Series{Name: r.Profile, Dash: i > 1}
		for _, p := range r.Series {
			s.Points = append(s.Points, plot.Point{X: p.TSeconds, Y: float64(p.Queue)})
		}
		chart.Series = append(chart.Series, s)
		if r.Model.TippingQueue != nil {
			chart.HLines = append(chart.HLines, plot.HLine{
				Label: fmt.Sprintf("n* %s = %s", r.Profile, plot.Tick(float64(*r.Model.TippingQueue), "")),
				Y:     float64(*r.Model.TippingQueue), Index: i,
			})
		}
	}
	return chart.WriteSVG(f)
}

func drainText(r model.Result) string {
	if r.Outcome == model.Drained {
		return "drained " + model.FormatSeconds(r.DrainTime.Seconds()) + " after the pause"
	}
	return "stopped at " + r.End.Round(time.Millisecond).String()
}

// parseBytes reads a size: a whole number of bytes, optionally with a
// suffix KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		scale  int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	scale := int64(1)
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			s, scale = strings.TrimSpace(num), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt64/scale {
		return 0, fmt.Errorf("%s: too large", s)
	}
	return n * scale, nil
}

// progress writes the live lines on stderr: on a terminal one line per
// profile, rewritten in place as the run goes; elsewhere only the lines
// that finish a step.
type progress struct {
	w   io.Writer
	tty bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: runner.IsTerminal(w)}
}

// line shows a transient line (only on a terminal).
func (p *progress) line(format string, args ...any) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K"+format, args...)
	}
}

// done writes a line that stays.
func (p *progress) done(format string, args ...any) {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

// Calibrating, Calibrated, Sweeping, Simulated, Ran and CriticalRun
// make *progress a scenario.Progress.
func (p *progress) Calibrating(name string) { p.line("%s: measuring s0 and c", name) }

func (p *progress) Calibrated(name string, costs model.Costs) { p.line("%s: %v", name, costs) }

func (p *progress) Sweeping(name string, rates, pauses int) {
	p.line("%s: simulating %d rates x %d pauses", name, rates, pauses)
}

func (p *progress) Simulated(name string, outcome model.Outcome) {
	p.done("%s: simulated %s", name, outcome)
}

func (p *progress) Ran(name string, res scenario.Result) {
	p.done("%s: %s, peak %s (%s), %s", name, res.Outcome, plural(res.PeakQueue, "message"), store.FormatSize(res.PeakBytes), drainText(res.Result))
}

func (p *progress) CriticalRun(name string, pause time.Duration, res scenario.Result) {
	p.done("%s: find critical pause: %v -> %s (peak %d)", name, pause, res.Outcome, res.PeakQueue)
}

// Sampler returns a scenario progress callback that shows the queue at
// most ten times a second.
func (p *progress) Sampler(name string, cfg scenario.Config) func(model.Sample) {
	if !p.tty {
		return nil
	}
	var last time.Duration = -time.Hour
	return func(s model.Sample) {
		if s.T-last < 100*time.Millisecond {
			return
		}
		last = s.T
		state := "running"
		switch {
		case s.T >= cfg.At && s.T < cfg.At+cfg.Pause:
			state = "router paused"
		case s.T >= cfg.At+cfg.Pause:
			state = "resumed"
		}
		p.line("%s: %5.2fs  queue %8d  %10s  %s", name, s.T.Seconds(), s.Queue, store.FormatSize(s.Bytes), state)
	}
}
