// Package protocol is the suite that measures one protocol dispatch
// under each dispatch variant, with D messages queued in the caller's
// mailbox: BenchmarkDispatch/variant=V/depth=D.
//
// Each op dispatches Enumerable.count for a list, as Elixir 1.5's
// Enum.random does. The variants:
//
//   - consolidated: a table lookup, no call;
//   - unconsolidated: a code server round trip per dispatch, its reply
//     found by scanning the caller's mailbox from the head (OTP 20);
//   - unconsolidated-marker: the same round trip, its reply received
//     from a marker (the reference-tagged call), to separate the cost of
//     the round trip from the cost of the scan;
//   - cached: one round trip per type, then a table lookup;
//   - module-loaded: the OTP 21 short cut, a local check (a round trip
//     only the first time, to load the module);
//   - interface: Go's own interface method call, the floor.
//
// The code server is a real goroutine with its own mailbox. Metrics:
// roundtrips/op and scanned/op.
package protocol

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/suites"
)

// The variants of BenchmarkDispatch.
const (
	VariantConsolidated         = "consolidated"
	VariantUnconsolidated       = "unconsolidated"
	VariantUnconsolidatedMarker = "unconsolidated-marker"
	VariantCached               = "cached"
	VariantModuleLoaded         = "module-loaded"
	VariantInterface            = "interface"
)

// Variants returns the variants, in the order the benchmark runs them.
func Variants() []string {
	return []string{VariantConsolidated, VariantUnconsolidated, VariantUnconsolidatedMarker,
		VariantCached, VariantModuleLoaded, VariantInterface}
}

// Depths returns the caller's mailbox depths the benchmark runs at.
func Depths() []int { return []int{0, 1_000, 10_000, 100_000} }

// Options returns the dispatch options of a variant other than
// interface, and false for an unknown variant.
func Options(variant string) (dispatch.Options, bool) {
	switch variant {
	case VariantConsolidated:
		return dispatch.Options{Mode: dispatch.Consolidated}, true
	case VariantUnconsolidated:
		return dispatch.Options{Mode: dispatch.Unconsolidated, Lookup: dispatch.LookupCall, Receive: dispatch.ReceiveScan}, true
	case VariantUnconsolidatedMarker:
		return dispatch.Options{Mode: dispatch.Unconsolidated, Lookup: dispatch.LookupCall, Receive: dispatch.ReceiveMarker}, true
	case VariantCached:
		return dispatch.Options{Mode: dispatch.Cached, Lookup: dispatch.LookupCall, Receive: dispatch.ReceiveScan}, true
	case VariantModuleLoaded:
		return dispatch.Options{Mode: dispatch.Unconsolidated, Lookup: dispatch.LookupModuleLoaded, Receive: dispatch.ReceiveScan}, true
	}
	return dispatch.Options{}, false
}

// Suite is the dispatch suite. Its zero value is ready to use.
type Suite struct{}

var _ suites.Suite = Suite{}

func init() { suites.Register("protocol", Suite{}) }

// Name returns "protocol".
func (Suite) Name() string { return "protocol" }

// Doc says what the suite measures.
func (Suite) Doc() string {
	return "one Enumerable.count dispatch per op: consolidated, unconsolidated (a code server round trip), cached, module-loaded, and a Go interface call as the floor"
}

// ImportPath returns the suite's package path.
func (Suite) ImportPath() string { return "github.com/benchdb/benchdb/suites/protocol" }

// Benchmarks returns the leaves of BenchmarkDispatch.
func (Suite) Benchmarks() []suites.Benchmark {
	var bs []suites.Benchmark
	for _, v := range Variants() {
		for _, depth := range Depths() {
			bs = append(bs, suites.Benchmark{
				Name: fmt.Sprintf("BenchmarkDispatch/variant=%s/depth=%d", v, depth),
				F:    func(b *testing.B) { Bench(b, v, depth) },
			})
		}
	}
	return bs
}

// Dispatch runs every leaf of BenchmarkDispatch as a sub-benchmark of b.
func Dispatch(b *testing.B) { suites.RunLeaves(b, Suite{}.Benchmarks()) }

// Bench runs one leaf: variant with depth events queued in the caller's
// mailbox. The events are queued once, before the timed loop.
func Bench(b *testing.B, variant string, depth int) {
	list := dispatch.Value{Type: dispatch.List, Len: 8}
	if variant == VariantInterface {
		c := newCounter(list)
		for b.Loop() {
			if _, ok := c.Count(); ok {
				b.Fatal("a list knows its count")
			}
		}
		b.ReportMetric(0, "roundtrips/op")
		b.ReportMetric(0, "scanned/op")
		return
	}
	opts, ok := Options(variant)
	if !ok {
		b.Fatalf("unknown variant %q", variant)
	}
	ctx := context.Background()
	enumerable := dispatch.NewEnumerable()
	var cs *dispatch.CodeServer
	if opts.Mode != dispatch.Consolidated {
		cs = dispatch.NewCodeServer(enumerable.Modules()...)
		defer cs.Stop()
	}
	self := mailbox.New()
	defer self.Close()
	for range depth {
		self.Send(mailbox.Message{Kind: 1, Size: 100})
	}
	d, err := dispatch.NewDispatcher(enumerable, self, cs, opts)
	if err != nil {
		b.Fatal(err)
	}
	// Collect what filling the queue left, and return it to the OS, now
	// rather than inside the timed loop.
	debug.FreeOSMemory()
	for b.Loop() {
		if _, ok, err := d.Count(ctx, list); err != nil || ok {
			b.Fatalf("Count(list) = %t, %v", ok, err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(d.RoundTrips())/n, "roundtrips/op")
	b.ReportMetric(float64(d.Scanned())/n, "scanned/op")
}

// counter is Go's own dispatch of count: an interface method.
type counter interface {
	Count() (int, bool)
}

type (
	listTerm  struct{ n int }
	mapTerm   struct{ n int }
	rangeTerm struct{ n int }
)

func (listTerm) Count() (int, bool)    { return 0, false }
func (t mapTerm) Count() (int, bool)   { return t.n, true }
func (t rangeTerm) Count() (int, bool) { return t.n, true }

// newCounter returns v as a counter. It is kept out of line so that the
// compiler cannot see the dynamic type and turn the interface call into a
// direct one.
//
//go:noinline
func newCounter(v dispatch.Value) counter {
	switch v.Type {
	case dispatch.Map:
		return mapTerm{v.Len}
	case dispatch.Range:
		return rangeTerm{v.Len}
	}
	return listTerm{v.Len}
}
