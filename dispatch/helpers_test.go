package dispatch_test

import (
	"testing"

	"github.com/benchdb/benchdb/mailbox"
)

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
