package mailbox_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/mailbox/mailboxtest"
)

func TestMailbox_Receive(t *testing.T) {
	tests := []struct {
		name        string
		queued      []int32
		want        int32
		wantScanned uint64
		wantLeft    []int32
	}{
		{"head", []int32{7, 1, 2, 3}, 7, 1, []int32{1, 2, 3}},
		{"tail", []int32{1, 2, 3, 7}, 7, 4, []int32{1, 2, 3}},
		{"middle near head", []int32{1, 7, 2, 3, 4, 5}, 7, 2, []int32{1, 2, 3, 4, 5}},
		{"middle near tail", []int32{1, 2, 3, 4, 7, 5}, 7, 5, []int32{1, 2, 3, 4, 5}},
		{"first of equals", []int32{1, 7, 2, 7, 3}, 7, 2, []int32{1, 2, 7, 3}},
		{"only", []int32{7}, 7, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mb := mailbox.New()
			for i, tag := range tt.queued {
				mb.Send(mailbox.Message{Tag: tag, Ref: uint64(i), Size: 1})
			}
			m, err := mb.Receive(context.Background(), tagIs(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if m.Tag != tt.want {
				t.Errorf("got tag %d, want %d", m.Tag, tt.want)
			}
			if m.Seq() != m.Ref {
				t.Errorf("Seq = %d, want %d (its position when sent)", m.Seq(), m.Ref)
			}
			if got := mb.Scanned(); got != tt.wantScanned {
				t.Errorf("Scanned = %d, want %d", got, tt.wantScanned)
			}
			if got := mb.Bytes(); got != int64(len(tt.wantLeft)) {
				t.Errorf("Bytes = %d, want %d", got, len(tt.wantLeft))
			}
			if got := drainTags(t, mb); !equal(got, tt.wantLeft) {
				t.Errorf("left = %v, want %v", got, tt.wantLeft)
			}
		})
	}
}

// TestMailbox_Receive_continues checks that a receive that found no match
// waits and then looks only at the new messages.
func TestMailbox_Receive_continues(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	mb := mailbox.New()
	for range 3 {
		mb.Send(mailbox.Message{Tag: 1})
	}
	type result struct {
		m   mailbox.Message
		err error
	}
	done := make(chan result)
	go func() {
		m, err := mb.Receive(context.Background(), tagIs(9))
		done <- result{m, err}
	}()
	waitFor(t, "the receive to scan the queue and wait", func() bool { return mb.Scanned() == 3 })
	// Send one at a time so the receiver may wake between them.
	mb.Send(mailbox.Message{Tag: 2})
	mb.Send(mailbox.Message{Tag: 3})
	mb.Send(mailbox.Message{Tag: 9, Ref: 42})
	mb.Send(mailbox.Message{Tag: 4})
	r := <-done
	if r.err != nil || r.m.Ref != 42 {
		t.Fatalf("got %+v, %v; want the message with Ref 42", r.m, r.err)
	}
	if got := mb.Scanned(); got != 6 {
		t.Errorf("Scanned = %d, want 6 (3 before the wait, 3 after, none twice)", got)
	}
	if got := drainTags(t, mb); !equal(got, []int32{1, 1, 1, 2, 3, 4}) {
		t.Errorf("left = %v", got)
	}
}

func TestMailbox_ReceiveWith_ends(t *testing.T) {
	tests := []struct {
		name    string
		opts    mailbox.ReceiveOptions
		ctx     func() (context.Context, context.CancelFunc)
		trigger func(mb *mailbox.Mailbox, cancel context.CancelFunc)
		want    error
	}{
		{
			name: "timeout",
			opts: mailbox.ReceiveOptions{Timeout: 20 * time.Millisecond},
			want: mailbox.ErrTimeout,
		},
		{
			name: "timeout ignores non-matching arrivals",
			opts: mailbox.ReceiveOptions{Timeout: 20 * time.Millisecond},
			trigger: func(mb *mailbox.Mailbox, _ context.CancelFunc) {
				mb.Send(mailbox.Message{Tag: 1})
			},
			want: mailbox.ErrTimeout,
		},
		{
			name: "context cancelled",
			ctx:  func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			trigger: func(_ *mailbox.Mailbox, cancel context.CancelFunc) {
				cancel()
			},
			want: context.Canceled,
		},
		{
			name: "context deadline",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 20*time.Millisecond)
			},
			want: context.DeadlineExceeded,
		},
		{
			name: "closed while waiting",
			trigger: func(mb *mailbox.Mailbox, _ context.CancelFunc) {
				mb.Close()
			},
			want: mailbox.ErrClosed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mailboxtest.MustNotLeak(t)
			mb := mailbox.New()
			mb.Send(mailbox.Message{Tag: 1})
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			errc := make(chan error)
			go func() {
				_, err := mb.ReceiveWith(ctx, tagIs(9), tt.opts)
				errc <- err
			}()
			if tt.trigger != nil {
				waitFor(t, "the receive to wait", func() bool { return mb.Scanned() >= 1 })
				tt.trigger(mb, cancel)
			}
			if err := <-errc; !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if mb.Closed() {
				return
			}
			// The mailbox is still usable, with its message still queued.
			if got := drainTags(t, mb); len(got) == 0 || got[0] != 1 {
				t.Errorf("queue after the receive ended = %v, want it to start with 1", got)
			}
		})
	}
}

func TestMailbox_ReceiveWith_timeoutNotNeeded(t *testing.T) {
	mb := mailbox.New()
	mb.Send(mailbox.Message{Tag: 9})
	m, err := mb.ReceiveWith(context.Background(), tagIs(9), mailbox.ReceiveOptions{Timeout: time.Nanosecond})
	if err != nil || m.Tag != 9 {
		t.Errorf("got %+v, %v; a queued match is returned before any timeout", m, err)
	}
}

func TestMailbox_Receive_concurrentPanics(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	mb := mailbox.New()
	started := make(chan struct{})
	errc := make(chan error)
	go func() {
		close(started)
		_, err := mb.Receive(context.Background(), tagIs(9))
		errc <- err
	}()
	<-started
	waitFor(t, "the first receive to wait", func() bool {
		// An empty mailbox: the receive waits without scanning. Probe
		// with a message it ignores.
		if mb.Sent() == 0 {
			mb.Send(mailbox.Message{Tag: 1})
		}
		return mb.Scanned() >= 1
	})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a second concurrent receive did not panic")
			}
		}()
		mb.Receive(context.Background(), tagIs(9))
	}()
	mb.Close()
	if err := <-errc; err != mailbox.ErrClosed {
		t.Errorf("first receive: err = %v, want ErrClosed", err)
	}
}

// TestMailbox_model runs random sends, selective receives and marker
// receives against a plain slice model, checking every returned message,
// the queue's order and the counters.
func TestMailbox_model(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		rnd := rand.New(rand.NewPCG(seed, 99))
		ops := make([]byte, 60000)
		for i := range ops {
			ops[i] = byte(rnd.Uint32())
		}
		checkModel(t, ops)
	}
}

// FuzzMailbox runs checkModel on fuzzed operations.
func FuzzMailbox(f *testing.F) {
	f.Add([]byte{0, 3, 1, 2, 3, 9, 0, 1, 5, 0})
	f.Add([]byte{1, 7, 0, 0, 0, 0, 0, 0, 5, 5, 9, 2, 9, 1, 0, 0, 8, 8})
	f.Fuzz(func(t *testing.T, ops []byte) { checkModel(t, ops) })
}

// checkModel interprets ops as a program of sends and receives, runs it
// on a mailbox and on a slice model, and fails tb at the first
// difference in a received message or a counter.
func checkModel(tb testing.TB, ops []byte) {
	tb.Helper()
	next := func(n int) int { // the next op byte modulo n; 0 when done
		if len(ops) == 0 {
			return 0
		}
		v := int(ops[0])
		ops = ops[1:]
		return v % n
	}
	type msg struct {
		tag int32
		seq uint64
	}
	mb := mailbox.New()
	var model []msg
	var sent, scanned uint64
	var bytes int64
	for step := 0; len(ops) > 0; step++ {
		switch op := next(10); {
		case (op < 5 && len(model) < 500) || len(model) == 0: // send a burst
			for range next(8) + 1 {
				tag := int32(next(6))
				mb.Send(mailbox.Message{Tag: tag, Size: int(tag)})
				model = append(model, msg{tag, sent})
				sent++
				bytes += int64(tag)
			}
		default: // receive a tag that is queued, maybe from a marker
			want := model[next(len(model))].tag
			var from mailbox.Marker
			var opts mailbox.ReceiveOptions
			if op == 9 {
				// A marker somewhere in the past: the receive takes the
				// first queued message with the tag at or after it.
				from = mailbox.Marker(model[next(len(model))].seq)
				opts.From = from
			}
			idx, first := -1, -1
			for i, m := range model {
				if m.seq < uint64(from) {
					continue
				}
				if first < 0 {
					first = i
				}
				if m.tag == want {
					idx = i
					break
				}
			}
			if idx < 0 {
				continue // no such message after the marker: it would wait
			}
			got, err := mb.ReceiveWith(context.Background(), tagIs(want), opts)
			if err != nil {
				tb.Fatalf("step %d: %v", step, err)
			}
			if got.Seq() != model[idx].seq {
				tb.Fatalf("step %d: got message %d, want %d", step, got.Seq(), model[idx].seq)
			}
			scanned += uint64(idx - first + 1)
			bytes -= int64(want)
			model = append(model[:idx], model[idx+1:]...)
		}
		if mb.Len() != len(model) || mb.Scanned() != scanned || mb.Bytes() != bytes {
			tb.Fatalf("step %d: Len %d Scanned %d Bytes %d, want %d %d %d",
				step, mb.Len(), mb.Scanned(), mb.Bytes(), len(model), scanned, bytes)
		}
	}
	for _, m := range model {
		got, err := mb.Receive(context.Background(), any1)
		if err != nil || got.Seq() != m.seq {
			tb.Fatalf("final drain got %d, %v; want %d", got.Seq(), err, m.seq)
		}
	}
}

// TestMailbox_burst queues bursts larger than the buffers the mailbox
// keeps for reuse, receiving in between, and checks that order and
// counts survive the buffers being moved, compacted and dropped.
func TestMailbox_burst(t *testing.T) {
	const burst = 40000
	mb := mailbox.New()
	next := int32(0)
	var tag int32
	send := func(n int) {
		for range n {
			mb.Send(mailbox.Message{Tag: tag, Size: 100})
			tag++
		}
	}
	recv := func(n int) {
		t.Helper()
		for range n {
			m, err := mb.Receive(context.Background(), any1)
			if err != nil {
				t.Fatal(err)
			}
			if m.Tag != next {
				t.Fatalf("got %d, want %d", m.Tag, next)
			}
			next++
		}
	}
	send(burst)
	recv(burst / 2) // the private queue now has a dead prefix
	send(burst)     // appended behind it, compacting
	recv(burst)
	send(burst)
	recv(burst / 2)
	if mb.Len() != burst || mb.Bytes() != burst*100 {
		t.Errorf("Len %d Bytes %d, want %d %d", mb.Len(), mb.Bytes(), burst, burst*100)
	}
	recv(burst)
	if mb.Len() != 0 || mb.Bytes() != 0 || mb.Scanned() != 3*burst {
		t.Errorf("Len %d Bytes %d Scanned %d, want 0 0 %d", mb.Len(), mb.Bytes(), mb.Scanned(), 3*burst)
	}
}
