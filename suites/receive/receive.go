// Package receive is the suite that measures a call's selective receive
// as the caller's mailbox deepens: BenchmarkReceive/mode=M/depth=D.
//
// Each op sends a reply to a mailbox holding D queued events and receives
// it with a selective receive: mode=scan looks from the head, as OTP 20's
// code_server:call does, so it looks at all D events first; mode=marker
// receives from a marker made before the send, as BEAM does for a
// reference-tagged receive, so it looks at one message whatever D is;
// mode=slice searches a plain Go slice of the same D+1 messages with the
// same match function: the floor a scan is compared with. The reply is
// sent by the benchmark itself, so that the op measures the receive and
// not a goroutine hand-off (BenchmarkDispatch in suites/protocol measures
// real round trips to a code server).
//
// Metrics: scanned/op (messages looked at) and, for scan and slice,
// ns/msg (ns/op divided by the D+1 messages looked at).
package receive

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/suites"
)

// The modes of BenchmarkReceive.
const (
	ModeScan   = "scan"
	ModeMarker = "marker"
	ModeSlice  = "slice"
)

// Message kinds in the benchmark's mailbox.
const (
	kindEvent int32 = 1
	kindReply int32 = 2
)

// EventSize is the declared size of a queued event: the incident's
// 100-byte payloads.
const EventSize = 100

// Modes returns the modes, in the order the benchmark runs them.
func Modes() []string { return []string{ModeScan, ModeMarker, ModeSlice} }

// Depths returns the mailbox depths the benchmark runs at.
func Depths() []int { return []int{0, 1_000, 10_000, 100_000, 1_000_000} }

// Suite is the receive suite. Its zero value is ready to use.
type Suite struct{}

var _ suites.Suite = Suite{}

func init() { suites.Register("receive", Suite{}) }

// Name returns "receive".
func (Suite) Name() string { return "receive" }

// Doc says what the suite measures.
func (Suite) Doc() string {
	return "selective receive of a call's reply behind D queued messages: scan from the head, from a marker, and a plain slice as the floor"
}

// ImportPath returns the suite's package path.
func (Suite) ImportPath() string { return "github.com/benchdb/benchdb/suites/receive" }

// Benchmarks returns the leaves of BenchmarkReceive.
func (Suite) Benchmarks() []suites.Benchmark {
	var bs []suites.Benchmark
	for _, mode := range Modes() {
		for _, depth := range Depths() {
			bs = append(bs, suites.Benchmark{
				Name: fmt.Sprintf("BenchmarkReceive/mode=%s/depth=%d", mode, depth),
				F:    func(b *testing.B) { Bench(b, mode, depth) },
			})
		}
	}
	return bs
}

// Receive runs every leaf of BenchmarkReceive as a sub-benchmark of b.
func Receive(b *testing.B) { suites.RunLeaves(b, Suite{}.Benchmarks()) }

func isReply(m *mailbox.Message) bool { return m.Kind == kindReply }

// Bench runs one leaf: mode at depth. The queue is filled once, before
// the timed loop; each op removes the reply it found, so the queue stays
// at depth.
func Bench(b *testing.B, mode string, depth int) {
	ctx := context.Background()
	event := mailbox.Message{Kind: kindEvent, Size: EventSize}
	reply := mailbox.Message{Kind: kindReply}
	var scanned uint64
	switch mode {
	case ModeScan, ModeMarker:
		mb := mailbox.New()
		defer mb.Close()
		for range depth {
			mb.Send(event)
		}
		before := mb.Scanned()
		var opts mailbox.ReceiveOptions
		settle()
		for b.Loop() {
			if mode == ModeMarker {
				opts.From = mb.Mark()
			}
			mb.Send(reply)
			if _, err := mb.ReceiveWith(ctx, isReply, opts); err != nil {
				b.Fatal(err)
			}
		}
		scanned = mb.Scanned() - before
		if mb.Len() != depth {
			b.Fatalf("mailbox holds %d messages after the run, want %d", mb.Len(), depth)
		}
	case ModeSlice:
		msgs := make([]mailbox.Message, depth+1)
		for i := range depth {
			msgs[i] = event
		}
		msgs[depth] = reply
		settle()
		for b.Loop() {
			i := Search(msgs, isReply)
			if i != depth {
				b.Fatalf("found the reply at %d, want %d", i, depth)
			}
			scanned += uint64(i + 1)
		}
	default:
		b.Fatalf("unknown mode %q", mode)
	}
	n := float64(b.N)
	b.ReportMetric(float64(scanned)/n, "scanned/op")
	if mode != ModeMarker {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/float64(depth+1), "ns/msg")
	}
}

// settle finishes the garbage collection that filling a deep queue set
// off and returns the freed buffers to the OS now, so that neither the
// collector (with its write barriers) nor the background scavenger runs
// inside the timed loop, which allocates nothing.
func settle() { debug.FreeOSMemory() }

// Search returns the index of the first message match accepts, or -1: the
// loop a mailbox scan is measured against. It calls match through the
// function value, as a receive does, and is kept out of line so that the
// compiler cannot specialise it for one match function.
//
//go:noinline
func Search(msgs []mailbox.Message, match mailbox.Match) int {
	for i := range msgs {
		if match(&msgs[i]) {
			return i
		}
	}
	return -1
}
