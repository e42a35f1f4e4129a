// Package scenario is the suite that runs the incident end to end under
// each version profile: BenchmarkScenario/profile=P.
//
// Each op is one live run of package scenario at fixed settings (Settings):
// producers at 50,000 events/s, the router paused for 500ms after 100ms,
// a cap of 60,000 messages. The pause queues 25,000 events: several times
// elixir-1.5.1's tipping queue n* on the Go runtime (some 5,000-15,000),
// a backlog the other profiles clear in a fraction of a second. ns/op is
// the run's wall time and says little; the metrics say what happened:
//
//   - peak-queue: the most messages queued in the router's mailbox;
//   - peak-B: the bytes those messages held;
//   - runaway: 1 if the run reached the cap, 0 if it drained;
//   - drain-ms: for a run that drained, milliseconds from the end of the
//     pause until the queue was back to its steady level (absent for a
//     runaway, which never drains).
//
// Values are means over the b.N runs (usually 1).
package scenario

import (
	"context"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/scenario"
	"github.com/benchdb/benchdb/suites"
)

// Suite is the scenario suite. Its zero value is ready to use.
type Suite struct{}

var _ suites.Suite = Suite{}

func init() { suites.Register("scenario", Suite{}) }

// Name returns "scenario".
func (Suite) Name() string { return "scenario" }

// Doc says what the suite measures.
func (Suite) Doc() string {
	return "the incident end to end: a router paused for 500ms at 50,000 events/s drains or runs away, per profile"
}

// ImportPath returns the suite's package path.
func (Suite) ImportPath() string { return "github.com/benchdb/benchdb/suites/scenario" }

// Settings returns the fixed settings of every run, for profile p.
func Settings(p scenario.Profile) scenario.Config {
	return scenario.Config{
		Profile:  p,
		Rate:     50000,
		At:       100 * time.Millisecond,
		Pause:    500 * time.Millisecond,
		Duration: 6 * time.Second,
		CapQueue: 60_000,
		Seed:     1,
	}
}

// Benchmarks returns the leaves of BenchmarkScenario, one per profile.
func (Suite) Benchmarks() []suites.Benchmark {
	var bs []suites.Benchmark
	for _, p := range profiles.All() {
		bs = append(bs, suites.Benchmark{
			Name: "BenchmarkScenario/profile=" + p.Name,
			F:    func(b *testing.B) { Bench(b, p) },
		})
	}
	return bs
}

// Scenario runs every leaf of BenchmarkScenario as a sub-benchmark of b.
func Scenario(b *testing.B) { suites.RunLeaves(b, Suite{}.Benchmarks()) }

// Bench runs one leaf: live runs under profile p at Settings.
func Bench(b *testing.B, p profiles.Profile) {
	cfg := Settings(scenario.FromSuite(p))
	cfg.Dir = b.TempDir()
	var runs, runaways, drained int
	var peakQueue, drainMS float64
	var peakBytes int64
	for b.Loop() {
		res, err := scenario.Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		runs++
		peakQueue += float64(res.PeakQueue)
		peakBytes += res.PeakBytes
		if res.Outcome == model.Runaway {
			runaways++
		} else {
			drained++
			drainMS += float64(res.DrainTime) / float64(time.Millisecond)
		}
	}
	b.ReportMetric(peakQueue/float64(runs), "peak-queue")
	b.ReportMetric(float64(peakBytes)/float64(runs), "peak-B")
	b.ReportMetric(float64(runaways)/float64(runs), "runaway")
	if drained > 0 {
		b.ReportMetric(drainMS/float64(drained), "drain-ms")
	}
}
