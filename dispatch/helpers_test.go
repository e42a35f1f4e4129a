package dispatch_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
)

// MustNotLeak fails tb if, once the test and its cleanups are done, more
// goroutines run than when it was called (after a grace period).
func MustNotLeak(tb testing.TB) {
	tb.Helper()
	before := runtime.NumGoroutine()
	tb.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				tb.Errorf("goroutines leaked: %d running, %d before\n%s", runtime.NumGoroutine(), before, buf)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// MustCodeServer starts a code server with Enumerable's modules on its
// path and stops it when the test ends.
func MustCodeServer(tb testing.TB) *dispatch.CodeServer {
	tb.Helper()
	cs := dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
	tb.Cleanup(cs.Stop)
	return cs
}

// fill queues depth application events (kind 0) in mb.
func fill(mb *mailbox.Mailbox, depth int) {
	for i := range depth {
		mb.Send(mailbox.Message{Kind: 0, Tag: int32(i), Size: 100})
	}
}

// checkEvents checks that mb holds exactly the depth events fill queued,
// in order: calls took their replies out and nothing else.
func checkEvents(tb testing.TB, mb *mailbox.Mailbox, depth int) {
	tb.Helper()
	if mb.Len() != depth {
		tb.Fatalf("mailbox holds %d messages, want the %d events", mb.Len(), depth)
	}
	for i := range depth {
		m, err := mb.Receive(tb.Context(), func(*mailbox.Message) bool { return true })
		if err != nil {
			tb.Fatal(err)
		}
		if m.Kind != 0 || m.Tag != int32(i) {
			tb.Fatalf("message %d: kind %d tag %d, want event %d", i, m.Kind, m.Tag, i)
		}
	}
}
