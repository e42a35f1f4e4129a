package beam

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario"
)

// ScenarioPackage is the pkg configuration line of Scenario's benchmark
// output.
const ScenarioPackage = "github.com/benchdb/benchdb/suites/scenario"

// ScenarioConfig sets up one live run on the BEAM. Zero fields take the
// defaults of package scenario (rate, at, duration, workers, caps, drain
// level, settle time, sample interval); Tick 0 is 1ms, the BEAM's finest
// timer step.
type ScenarioConfig struct {
	Rate        float64
	Calls       int // untagged code-server calls per event, k
	Tick        time.Duration
	Workers     int
	Queue       string // OnHeap (default) or OffHeap
	At          time.Duration
	Pause       time.Duration
	Duration    time.Duration
	CapQueue    int
	DrainQueue  int
	Settle      time.Duration
	SampleEvery time.Duration
	// Trace, when positive, has the router record its queue once per
	// window of 16 events for this long after the pause
	// (ScenarioResult.Trace), as the cost measurement's router does.
	Trace time.Duration
}

func (c ScenarioConfig) withDefaults() ScenarioConfig {
	c.Rate = orFloat(c.Rate, scenario.DefaultRate)
	if c.At == 0 {
		c.At = scenario.DefaultAt
	}
	if c.Tick == 0 {
		c.Tick = time.Millisecond
	}
	if c.Workers == 0 {
		c.Workers = scenario.DefaultWorkers
	}
	if c.Queue == "" {
		c.Queue = OnHeap
	}
	if c.Duration == 0 {
		c.Duration = scenario.DefaultDuration
	}
	if c.CapQueue == 0 {
		c.CapQueue = scenario.DefaultCapQueue
	}
	if c.DrainQueue == 0 {
		c.DrainQueue = scenario.DefaultDrainQueue(c.Rate)
	}
	if c.Settle == 0 {
		c.Settle = scenario.DefaultSettle
	}
	if c.SampleEvery == 0 {
		c.SampleEvery = scenario.DefaultSampleEvery
	}
	return c
}

// Validate reports whether c (after defaults) can run.
func (c ScenarioConfig) Validate() error {
	c = c.withDefaults()
	if err := checkCommon(c.Rate, c.Calls, c.Tick, c.Queue); err != nil {
		return err
	}
	switch {
	case c.Workers < 1:
		return fmt.Errorf("workers %d: want at least 1", c.Workers)
	case c.At < 0 || c.Pause < 0:
		return fmt.Errorf("pause %v at %v: want times of zero or more", c.Pause, c.At)
	case c.Duration <= c.At+c.Pause:
		return fmt.Errorf("duration %v: want more than the pause's end (%v)", c.Duration, c.At+c.Pause)
	case c.Trace < 0:
		return fmt.Errorf("trace %v: want zero or more", c.Trace)
	case c.CapQueue < 1 || c.DrainQueue < 0 || c.Settle < 0 || c.SampleEvery < time.Millisecond:
		return errors.New("cap at least 1, drain level and settle time not negative, sample interval at least 1ms")
	}
	return nil
}

// ScenarioResult is one BEAM run: the outcome, peaks (PeakBytes is the
// router process's memory, queue included) and queue series, and the
// run's BenchmarkScenario/runtime=beam/... line in the Go benchmark
// format.
type ScenarioResult struct {
	model.Result
	Benchmark []byte
	// StartQueue and ResumeQueue are the router's queue when it stopped
	// and when it resumed, Paused how long it stopped and Late how much
	// after the configured moment it stopped (a router that had fallen
	// behind takes its pause late, on a queue that is already long);
	// zero where the run ended before the pause did.
	StartQueue, ResumeQueue int
	Paused, Late            time.Duration
	// Arrivals are the events the producers sent in each millisecond
	// from ArrivalsFrom (10ms before the pause began) to max(3 pauses,
	// 30ms) after it ended, from the ticks they logged; ArrivedDuring
	// and ArrivedAfter are the events sent while the router stood still
	// and in the pause's length after it resumed (the model assumes
	// λ·Paused and λ·Pause). Nil and zero where the run ended before the
	// pause did.
	Arrivals                    []int
	ArrivalsFrom                time.Duration
	ArrivedDuring, ArrivedAfter int
	// Trace is the router's queue after the pause, time from the
	// resume, one point per window of 16 events served (ScenarioConfig.Trace).
	Trace []model.Sample
}

// CatchUp returns the most events that arrived in one millisecond
// within the pause's length after the router resumed (producers that
// fell behind send the ticks they missed at once), or 0 without
// Arrivals.
func (r ScenarioResult) CatchUp() int {
	most := 0
	for i, n := range r.Arrivals {
		at := r.ArrivalsFrom + time.Duration(i)*time.Millisecond
		if at >= r.Paused && at < r.Paused+max(r.Paused, time.Millisecond) {
			most = max(most, n)
		}
	}
	return most
}

// Scenario runs the end-to-end scenario once on the BEAM.
func (h *Harness) Scenario(ctx context.Context, cfg ScenarioConfig) (ScenarioResult, error) {
	if err := cfg.Validate(); err != nil {
		return ScenarioResult{}, fmt.Errorf("beam scenario: %w", err)
	}
	c := cfg.withDefaults()
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	out, err := h.run(ctx, "scenario",
		"rate="+floatArg(c.Rate), "calls="+strconv.Itoa(c.Calls), "tick_ms="+tickMs(c.Tick),
		"workers="+strconv.Itoa(c.Workers), "queue="+c.Queue,
		"at_ms="+ms(c.At), "pause_us="+strconv.FormatInt(c.Pause.Microseconds(), 10),
		"duration_ms="+ms(c.Duration), "cap="+strconv.Itoa(c.CapQueue),
		"drain="+strconv.Itoa(c.DrainQueue), "settle_ms="+ms(c.Settle), "sample_ms="+ms(c.SampleEvery),
		"trace_ms="+ms(c.Trace))
	if err != nil {
		return ScenarioResult{}, err
	}
	res, err := parseScenario(out)
	if err != nil {
		return ScenarioResult{}, fmt.Errorf("beam scenario: %w", err)
	}
	return res, nil
}

// parseScenario reads the Sample, Result and Benchmark lines of the
// harness's scenario command.
func parseScenario(out []byte) (ScenarioResult, error) {
	var res ScenarioResult
	seen := false
	for _, rec := range parseRecords(out) {
		switch rec.kind {
		case "Sample":
			t, err := rec.float("t")
			if err != nil {
				return res, err
			}
			q, err := rec.int("queue")
			if err != nil {
				return res, err
			}
			m, err := rec.int("memory")
			if err != nil {
				return res, err
			}
			res.Series = append(res.Series, model.Sample{T: time.Duration(t * 1e9), Queue: q, Bytes: int64(m)})
		case "Result":
			seen = true
			switch rec.fields["outcome"] {
			case "drained":
				res.Outcome = model.Drained
			case "runaway":
				res.Outcome = model.Runaway
			default:
				return res, fmt.Errorf("line %d: outcome %q: want drained or runaway", rec.line, rec.fields["outcome"])
			}
			for key, dst := range map[string]*int{"peak_queue": &res.PeakQueue, "final_queue": &res.FinalQueue} {
				v, err := rec.int(key)
				if err != nil {
					return res, err
				}
				*dst = v
			}
			pm, err := rec.float("peak_memory")
			if err != nil {
				return res, err
			}
			res.PeakBytes = int64(pm)
			dm, err := rec.float("drain_ms")
			if err != nil {
				return res, err
			}
			res.DrainTime = time.Duration(dm * 1e6)
			em, err := rec.float("elapsed_ms")
			if err != nil {
				return res, err
			}
			res.End = time.Duration(em * 1e6)
		case "Pause":
			var err error
			if res.StartQueue, err = rec.int("start_queue"); err != nil {
				return res, err
			}
			if res.ResumeQueue, err = rec.int("resume_queue"); err != nil {
				return res, err
			}
			for key, dst := range map[string]*time.Duration{"paused_us": &res.Paused, "late_us": &res.Late} {
				v, err := rec.float(key)
				if err != nil {
					return res, err
				}
				*dst = time.Duration(v * 1e3)
			}
		case "Arrivals":
			from, err := rec.int("from_ms")
			if err != nil {
				return res, err
			}
			res.ArrivalsFrom = time.Duration(from) * time.Millisecond
			res.Arrivals = nil
			for f := range strings.SplitSeq(rec.fields["counts"], ",") {
				n, err := strconv.Atoi(f)
				if err != nil {
					return res, fmt.Errorf("line %d: Arrivals: count %q: not a whole number", rec.line, f)
				}
				res.Arrivals = append(res.Arrivals, n)
			}
		case "Arrived":
			var err error
			if res.ArrivedDuring, err = rec.int("during"); err != nil {
				return res, err
			}
			if res.ArrivedAfter, err = rec.int("after"); err != nil {
				return res, err
			}
		case "Trace":
			t, err := rec.float("t_ms")
			if err != nil {
				return res, err
			}
			q, err := rec.int("queue")
			if err != nil {
				return res, err
			}
			res.Trace = append(res.Trace, model.Sample{T: time.Duration(t * 1e6), Queue: q})
		case "Benchmark":
			var buf bytes.Buffer
			writeConfig(&buf, ScenarioPackage)
			buf.WriteString(rec.raw + "\n")
			res.Benchmark = buf.Bytes()
		}
	}
	if !seen {
		return res, errors.New("no Result line in the harness's output")
	}
	if res.Benchmark == nil {
		return res, errors.New("no Benchmark line in the harness's output")
	}
	return res, nil
}

// preRetries is how many times FindCritical runs a pause again whose run
// the machine decided (beforePauseEnd).
const preRetries = 4

// beforePauseEnd reports whether the machine and not the pause decided
// r: it ran away before its pause had ended (the queue reached the cap,
// twice the pause's backlog, while the router was still paused or not
// yet paused: a stop of the whole runtime on a busy machine); or the
// router already held more than the drain level when it stopped (it had
// fallen behind before the pause, so its pause started on a backlog of
// the machine's making and not from the steady state the model assumes);
// or it stopped for more than a tenth (and 2ms) longer than its pause (a
// late timer); or it ran away after the sampler, which samples every
// SampleEvery, went more than a quarter of the pause (and twice
// SampleEvery) without a sample: the whole runtime stood still for a
// stretch that queues a backlog comparable to the pause's. At 25,000/s
// with two calls one such run (its router stopped 384 ms for a pause of
// 108 ms) set the bracket's upper end and the bisection ended at 0.4 of
// the model's T*.
func beforePauseEnd(r ScenarioResult, c ScenarioConfig) bool {
	c = c.withDefaults()
	switch {
	case r.Outcome == model.Runaway && r.End > 0 && r.End < c.At+c.Pause:
		return true
	case r.StartQueue > c.DrainQueue:
		return true
	case r.Paused > c.Pause+max(c.Pause/10, 2*time.Millisecond):
		return true
	case r.Outcome == model.Runaway && maxGap(r.Series, c.At) > max(c.Pause/4, 2*c.SampleEvery):
		return true
	}
	return false
}

// maxGap returns the longest time between two samples after from.
func maxGap(series []model.Sample, from time.Duration) time.Duration {
	var gap time.Duration
	for i := 1; i < len(series); i++ {
		if series[i].T > from {
			gap = max(gap, series[i].T-series[i-1].T)
		}
	}
	return gap
}

// FindCritical looks for the BEAM's critical pause at cfg.Rate by
// bisection on the pause in log space, as scenario.FindCritical does for
// the Go runtime: it starts at guess (the model's T*), doubles or halves
// until one pause drains and one runs away (within guess/16 to 16·guess),
// then halves the bracket steps more times. A run counts as a runaway as
// soon as its queue reaches twice its pause's backlog (at least twenty
// times the drain level); a run the machine decided (beforePauseEnd) is
// run again, up to four times: at 50,000/s with two calls on a loaded
// machine three runs in a row were the machine's. Each pause is decided
// by the majority of up to three runs (votes). Report, if set, is called
// after each run.
func (h *Harness) FindCritical(ctx context.Context, cfg ScenarioConfig, guess time.Duration, steps int, report func(pause time.Duration, r ScenarioResult)) (scenario.Bracket, error) {
	if guess <= 0 {
		return scenario.Bracket{}, errors.New("beam find critical pause: want a positive first guess")
	}
	cfg = cfg.withDefaults()
	runs := 0
	try := func(pause time.Duration) (model.Outcome, error) {
		c := pauseRun(cfg, pause)
		one := func() (model.Outcome, error) {
			for attempt := 0; ; attempt++ {
				runs++
				res, err := h.Scenario(ctx, c)
				if err != nil {
					return 0, fmt.Errorf("beam find critical pause %v: %w", pause, err)
				}
				if report != nil {
					report(pause, res)
				}
				if !beforePauseEnd(res, c) || attempt == preRetries {
					return res.Outcome, nil
				}
			}
		}
		return majority(votes, one)
	}
	b, err := scenario.BisectPause(guess, steps, try)
	b.Runs = runs // every run, not each pause tried
	return b, err
}

// pauseRun is cfg (with defaults) set up for one run of FindCritical
// with the pause: the queue is capped at twice the pause's backlog (at
// least twenty times the drain level), which counts as a runaway, and
// the run lasts five pauses and 2s after the pause begins.
func pauseRun(cfg ScenarioConfig, pause time.Duration) ScenarioConfig {
	c := cfg.withDefaults()
	c.Pause = pause.Round(time.Microsecond)
	backlog := c.Rate * pause.Seconds()
	c.CapQueue = min(c.CapQueue, max(int(2*backlog), 20*c.DrainQueue))
	c.Duration = c.At + 5*pause + 2*time.Second
	return c
}

// votes is how many runs decide a pause of FindCritical: its outcome is
// the majority's, and the runs stop as soon as one outcome has it (two
// runs when they agree, three when they do not). Near the critical
// pause a run's outcome is a coin whose bias the pause sets: one stop of
// the runtime after the pause (a catch-up of 189 events in 1 ms where
// λ·1ms is 50) runs away a pause that drains two times in three, and a
// single run per step let one such run set the bracket's upper end (at
// 50,000/s with two calls on the quiet machine: 0.69 of the model's T*,
// where the run before gave 1.01). The critical pause is the pause at
// which a run is as likely to run away as to drain; the majority of
// three estimates which side of it a pause is on.
const votes = 3

// majority runs one until more than half of n runs agree and returns
// their outcome.
func majority(n int, one func() (model.Outcome, error)) (model.Outcome, error) {
	counts := map[model.Outcome]int{}
	for {
		o, err := one()
		if err != nil {
			return 0, err
		}
		counts[o]++
		if 2*counts[o] > n {
			return o, nil
		}
	}
}
