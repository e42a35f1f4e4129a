// Package selection is the suite that measures picking one worker from a
// pool as each version profile does, with D messages queued in the
// picking process's mailbox: BenchmarkSelect/profile=P/pool=N/depth=D.
//
// Each op is one Pick of a profiles.Picker for the profile: under
// elixir-1.5.1 that is an Enumerable.count dispatch through the
// unconsolidated protocol, so a code server round trip whose reply is
// found by scanning the whole mailbox, then a reservoir sample; the other
// built-in profiles make no call. The profiles come from profiles.All,
// so a profile added to profiles.json gets its benchmarks with no code.
// Metrics: scanned/op, roundtrips/op and draws/op.
package selection

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/suites"
)

// Seed is the seed of every picker the benchmark makes.
const Seed = 1

// Pools returns the pool sizes the benchmark runs at.
func Pools() []int { return []int{8, 64} }

// Depths returns the mailbox depths the benchmark runs at.
func Depths() []int { return []int{0, 1_000, 100_000} }

// Suite is the selection suite. Its zero value is ready to use.
type Suite struct{}

var _ suites.Suite = Suite{}

func init() { suites.Register("selection", Suite{}) }

// Name returns "selection".
func (Suite) Name() string { return "selection" }

// Doc says what the suite measures.
func (Suite) Doc() string {
	return "one worker pick per op as each version profile makes it, behind D queued messages"
}

// ImportPath returns the suite's package path.
func (Suite) ImportPath() string { return "github.com/benchdb/benchdb/suites/selection" }

// Benchmarks returns the leaves of BenchmarkSelect.
func (Suite) Benchmarks() []suites.Benchmark {
	var bs []suites.Benchmark
	for _, p := range profiles.All() {
		for _, pool := range Pools() {
			for _, depth := range Depths() {
				bs = append(bs, suites.Benchmark{
					Name: fmt.Sprintf("BenchmarkSelect/profile=%s/pool=%d/depth=%d", p.Name, pool, depth),
					F:    func(b *testing.B) { Bench(b, p, pool, depth) },
				})
			}
		}
	}
	return bs
}

// Select runs every leaf of BenchmarkSelect as a sub-benchmark of b.
func Select(b *testing.B) { suites.RunLeaves(b, Suite{}.Benchmarks()) }

// Bench runs one leaf: profile p, a pool of pool workers, depth events
// queued once before the timed loop.
func Bench(b *testing.B, p profiles.Profile, pool, depth int) {
	ctx := context.Background()
	var cs *dispatch.CodeServer
	if p.NeedsCodeServer() {
		cs = dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
		defer cs.Stop()
	}
	self := mailbox.New()
	defer self.Close()
	for range depth {
		self.Send(mailbox.Message{Kind: 1, Size: 100})
	}
	pk, err := profiles.NewPicker(p, self, cs, pool, Seed)
	if err != nil {
		b.Fatal(err)
	}
	// Collect what filling the queue left, and return it to the OS, now
	// rather than inside the timed loop.
	debug.FreeOSMemory()
	for b.Loop() {
		if _, err := pk.Pick(ctx); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(pk.Scanned())/n, "scanned/op")
	b.ReportMetric(float64(pk.RoundTrips())/n, "roundtrips/op")
	b.ReportMetric(float64(pk.Draws())/n, "draws/op")
}
