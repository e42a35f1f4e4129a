package mailbox_test

import (
	"context"
	"sync"
	"testing"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/mailbox/mailboxtest"
)

func tagIs(tag int32) mailbox.Match {
	return func(m *mailbox.Message) bool { return m.Tag == tag }
}

func any1(*mailbox.Message) bool { return true }

// drainTags receives every queued message from the head and returns their
// tags in order.
func drainTags(tb testing.TB, mb *mailbox.Mailbox) []int32 {
	tb.Helper()
	var tags []int32
	for mb.Len() > 0 {
		m, err := mb.Receive(context.Background(), any1)
		if err != nil {
			tb.Fatalf("receive: %v", err)
		}
		tags = append(tags, m.Tag)
	}
	return tags
}

func TestMailbox_Send(t *testing.T) {
	mb := mailbox.New()
	for i := range 5 {
		mb.Send(mailbox.Message{Tag: int32(i), Size: 10 * (i + 1)})
	}
	if got := mb.Len(); got != 5 {
		t.Errorf("Len = %d, want 5", got)
	}
	if got := mb.Bytes(); got != 10+20+30+40+50 {
		t.Errorf("Bytes = %d, want 150", got)
	}
	if got := mb.Sent(); got != 5 {
		t.Errorf("Sent = %d, want 5", got)
	}
	got := drainTags(t, mb)
	want := []int32{0, 1, 2, 3, 4}
	if !equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	if mb.Len() != 0 || mb.Bytes() != 0 || mb.Received() != 5 || mb.Scanned() != 5 {
		t.Errorf("after drain: Len %d Bytes %d Received %d Scanned %d, want 0 0 5 5",
			mb.Len(), mb.Bytes(), mb.Received(), mb.Scanned())
	}
}

func TestMailbox_Send_concurrent(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	const senders, each = 8, 2000
	mb := mailbox.New()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				mb.Send(mailbox.Message{Kind: int32(s), Tag: int32(i), Size: 1})
			}
		})
	}
	// Readers run while the mailbox is in use (for the race detector).
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				if mb.Len() < 0 || mb.Bytes() < 0 {
					t.Error("negative Len or Bytes")
					return
				}
			}
		}
	})
	next := make([]int32, senders)
	for range senders * each {
		m, err := mb.Receive(context.Background(), any1)
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if m.Tag != next[m.Kind] {
			t.Fatalf("sender %d: got message %d, want %d", m.Kind, m.Tag, next[m.Kind])
		}
		next[m.Kind]++
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if mb.Len() != 0 || mb.Bytes() != 0 || mb.Sent() != senders*each {
		t.Errorf("Len %d Bytes %d Sent %d, want 0 0 %d", mb.Len(), mb.Bytes(), mb.Sent(), senders*each)
	}
}

func TestMailbox_Close(t *testing.T) {
	mb := mailbox.New()
	mb.Send(mailbox.Message{Tag: 1, Size: 3})
	mb.Close()
	mb.Close() // a second Close is harmless
	mb.Send(mailbox.Message{Tag: 2, Size: 5})
	if got := mb.Sent(); got != 1 {
		t.Errorf("Sent after Close = %d, want 1 (the late send is discarded)", got)
	}
	if mb.Len() != 1 || mb.Bytes() != 3 {
		t.Errorf("Len %d Bytes %d, want 1 3", mb.Len(), mb.Bytes())
	}
	if !mb.Closed() {
		t.Error("Closed = false after Close")
	}
	select {
	case <-mb.Done():
	default:
		t.Error("Done not closed after Close")
	}
	if _, err := mb.Receive(context.Background(), any1); err != mailbox.ErrClosed {
		t.Errorf("Receive on closed mailbox: err = %v, want ErrClosed", err)
	}
}

func TestMailbox_MakeRef(t *testing.T) {
	mb := mailbox.New()
	seen := map[uint64]bool{}
	for range 100 {
		r := mb.MakeRef()
		if r == 0 || seen[r] {
			t.Fatalf("MakeRef returned %d, zero or repeated", r)
		}
		seen[r] = true
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
