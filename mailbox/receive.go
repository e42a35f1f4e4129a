package mailbox

import (
	"context"
	"time"
)

// ReceiveOptions adjusts a receive. The zero value scans from the head
// and waits without a time limit.
type ReceiveOptions struct {
	// From skips every message that arrived before the marker. The zero
	// Marker looks at the whole queue.
	From Marker
	// Timeout bounds the wait once no queued message matches, like an
	// Erlang receive's after clause: the clock starts when the receive
	// first has to wait. Zero means no limit (the receive still ends when
	// its context is done or the mailbox is closed).
	Timeout time.Duration
}

// Receive removes and returns the first queued message, in arrival order,
// that match accepts. It is ReceiveWith with the zero ReceiveOptions: it
// scans from the head, as code_server:call does in OTP 20.
func (mb *Mailbox) Receive(ctx context.Context, match Match) (Message, error) {
	return mb.ReceiveWith(ctx, match, ReceiveOptions{})
}

// ReceiveWith removes and returns the first queued message, in arrival
// order and not older than opts.From, that match accepts. The messages it
// passes over stay queued in their order, and each one it looks at is
// counted by Scanned. When no queued message matches, it waits for new
// ones and looks only at those, continuing from where it stopped, until
// one matches (nil error), opts.Timeout passes after the wait began
// (ErrTimeout), ctx is done (ctx.Err()) or the mailbox is closed
// (ErrClosed). On a closed mailbox it returns ErrClosed at once.
//
// Only the mailbox's owner may receive: ReceiveWith panics if another
// receive on the same mailbox is running.
func (mb *Mailbox) ReceiveWith(ctx context.Context, match Match, opts ReceiveOptions) (Message, error) {
	if !mb.receiving.CompareAndSwap(false, true) {
		panic("mailbox: concurrent receives on one mailbox")
	}
	defer mb.receiving.Store(false)
	if mb.closed.Load() {
		return Message{}, ErrClosed
	}

	from := uint64(opts.From)
	pos := mb.h
	if from > 0 {
		pos = mb.seek(from, pos)
	}
	var scanned uint64
	var timeout <-chan time.Time
	for {
		q := mb.q
		for i := pos; i < len(q); i++ {
			if match(&q[i]) {
				scanned += uint64(i - pos + 1)
				msg := mb.remove(i)
				mb.scanned.Add(scanned)
				mb.bytes.Add(-int64(msg.Size))
				mb.received.Add(1)
				return msg, nil
			}
		}
		scanned += uint64(len(q) - pos)
		pos = len(q)

		if mb.drain(&pos) {
			if from > 0 {
				// Messages before pos were skipped or looked at
				// already; skip the older ones among the new.
				pos = mb.seek(from, pos)
			}
			continue
		}

		// Nothing matched and nothing new arrived: publish the count and
		// wait for a Send.
		mb.scanned.Add(scanned)
		scanned = 0
		if timeout == nil && opts.Timeout > 0 {
			t := time.NewTimer(opts.Timeout)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-mb.notify:
		case <-timeout:
			return Message{}, ErrTimeout
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-mb.done:
			return Message{}, ErrClosed
		}
	}
}

// remove takes the message at index i out of the private queue, keeping
// the others in order. It moves whichever side of i is shorter, so taking
// the head (the usual event) or the tail (the usual reply) costs O(1).
func (mb *Mailbox) remove(i int) Message {
	q, h := mb.q, mb.h
	msg := q[i]
	if i-h < len(q)-1-i {
		copy(q[h+1:i+1], q[h:i])
		q[h] = Message{}
		mb.h = h + 1
	} else {
		copy(q[i:], q[i+1:])
		q[len(q)-1] = Message{}
		mb.q = q[:len(q)-1]
	}
	if mb.h == len(mb.q) {
		mb.q, mb.h = mb.q[:0], 0
	}
	return msg
}

// maxSpare is the capacity, in messages, above which an emptied buffer is
// dropped rather than kept for reuse.
const maxSpare = 1 << 14

// drain moves the inbox to the end of the private queue and reports
// whether it moved anything. *pos, an index into the private queue, is
// adjusted if the queue is compacted.
func (mb *Mailbox) drain(pos *int) bool {
	mb.mu.Lock()
	in := mb.inbox
	if len(in) == 0 {
		mb.mu.Unlock()
		return false
	}
	mb.inbox = mb.spare
	mb.mu.Unlock()

	if mb.h == len(mb.q) {
		// The private queue is empty (its removed slots are zeroed):
		// adopt the inbox as the queue and keep the old buffer as the
		// next inbox, unless a burst made it large: then let it go, so
		// that a drained mailbox gives its memory back.
		mb.spare = mb.q[:0]
		if cap(mb.spare) > maxSpare {
			mb.spare = nil
		}
		mb.q, mb.h = in, 0
		*pos = 0
		return true
	}
	if mb.h > 0 && len(mb.q)+len(in) > cap(mb.q) {
		// Reuse the dead prefix before growing.
		n := copy(mb.q, mb.q[mb.h:])
		clear(mb.q[n:])
		mb.q = mb.q[:n]
		*pos -= mb.h
		mb.h = 0
	}
	mb.q = append(mb.q, in...)
	clear(in)
	mb.spare = in[:0]
	if cap(in) > maxSpare {
		mb.spare = nil
	}
	return true
}
