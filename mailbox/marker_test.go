package mailbox_test

import (
	"context"
	"testing"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/mailbox/mailboxtest"
)

func TestMailbox_Mark(t *testing.T) {
	tests := []struct {
		name        string
		before      []int32 // queued before Mark
		receivedPre int     // of those, received (from the head) before Mark
		after       []int32 // sent after Mark
		want        int32   // tag to receive from the marker
		wantSeq     uint64
		wantScanned uint64 // by the marker receive
		wantLeft    []int32
	}{
		{
			name:   "older match skipped",
			before: []int32{9, 1, 9}, after: []int32{2, 9, 3},
			want: 9, wantSeq: 4, wantScanned: 2,
			wantLeft: []int32{9, 1, 9, 2, 3},
		},
		{
			name:   "reply right after mark",
			before: []int32{1, 1, 1, 1}, after: []int32{9},
			want: 9, wantSeq: 4, wantScanned: 1,
			wantLeft: []int32{1, 1, 1, 1},
		},
		{
			name:   "empty queue",
			before: nil, after: []int32{9},
			want: 9, wantSeq: 0, wantScanned: 1,
		},
		{
			name:   "after receives from the head",
			before: []int32{1, 2, 3, 4}, receivedPre: 2, after: []int32{5, 9},
			want: 9, wantSeq: 5, wantScanned: 2,
			wantLeft: []int32{3, 4, 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mb := mailbox.New()
			for _, tag := range tt.before {
				mb.Send(mailbox.Message{Tag: tag})
			}
			for range tt.receivedPre {
				if _, err := mb.Receive(context.Background(), any1); err != nil {
					t.Fatal(err)
				}
			}
			scanned0 := mb.Scanned()
			mark := mb.Mark()
			if uint64(mark) != uint64(len(tt.before)) {
				t.Errorf("Mark = %d, want %d (messages sent so far)", mark, len(tt.before))
			}
			for _, tag := range tt.after {
				mb.Send(mailbox.Message{Tag: tag})
			}
			m, err := mb.ReceiveWith(context.Background(), tagIs(tt.want), mailbox.ReceiveOptions{From: mark})
			if err != nil {
				t.Fatal(err)
			}
			if m.Seq() != tt.wantSeq {
				t.Errorf("received message %d, want %d", m.Seq(), tt.wantSeq)
			}
			if got := mb.Scanned() - scanned0; got != tt.wantScanned {
				t.Errorf("scanned %d, want %d", got, tt.wantScanned)
			}
			if got := drainTags(t, mb); !equal(got, tt.wantLeft) {
				t.Errorf("left = %v, want %v", got, tt.wantLeft)
			}
		})
	}
}

// TestMailbox_Mark_drained checks that a marker receive skips older
// messages both in the scanned part of the queue and in the part that
// arrived since the last receive.
func TestMailbox_Mark_drained(t *testing.T) {
	mb := mailbox.New()
	for range 100 {
		mb.Send(mailbox.Message{Tag: 9})
	}
	// Move the first messages to the private queue with a receive.
	if _, err := mb.Receive(context.Background(), any1); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		mb.Send(mailbox.Message{Tag: 9}) // still in the inbox
	}
	mark := mb.Mark()
	mb.Send(mailbox.Message{Tag: 9, Ref: 7})
	m, err := mb.ReceiveWith(context.Background(), tagIs(9), mailbox.ReceiveOptions{From: mark})
	if err != nil || m.Ref != 7 {
		t.Fatalf("got %+v, %v; want the message sent after the mark", m, err)
	}
	if got := mb.Scanned(); got != 1+1 {
		t.Errorf("Scanned = %d, want 2 (1 by the first receive, 1 by the marker receive)", got)
	}
	if mb.Len() != 199 {
		t.Errorf("Len = %d, want 199", mb.Len())
	}
}

// TestMailbox_Mark_waits checks a marker receive that has to wait: it
// takes the first matching message sent after the mark.
func TestMailbox_Mark_waits(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	mb := mailbox.New()
	mb.Send(mailbox.Message{Tag: 9, Ref: 1})
	mark := mb.Mark()
	done := make(chan mailbox.Message)
	go func() {
		m, err := mb.ReceiveWith(context.Background(), tagIs(9), mailbox.ReceiveOptions{From: mark})
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	mb.Send(mailbox.Message{Tag: 1})
	mb.Send(mailbox.Message{Tag: 9, Ref: 2})
	if m := <-done; m.Ref != 2 {
		t.Errorf("got Ref %d, want 2", m.Ref)
	}
	if got := mb.Scanned(); got != 2 {
		t.Errorf("Scanned = %d, want 2", got)
	}
}
