package mailbox

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Sentinel errors returned by Receive.
var (
	// ErrTimeout is returned when a receive's timeout passed before a
	// message matched.
	ErrTimeout = errors.New("mailbox: receive timed out")
	// ErrClosed is returned by a receive on a closed mailbox.
	ErrClosed = errors.New("mailbox: closed")
)

// A Mailbox is one process's message queue. Send, Mark, Close and the
// readers (Len, Bytes, Sent, Received, Scanned) are safe for concurrent
// use by any goroutine. Receive and ReceiveWith must be called by one
// goroutine at a time, the mailbox's owner; a concurrent second receive
// panics.
//
// The zero value is not usable; create mailboxes with New.
type Mailbox struct {
	// mu guards inbox and the assignment of arrival numbers.
	mu    sync.Mutex
	inbox []Message

	// notify gets a token when a Send makes the inbox non-empty, so a
	// waiting receiver wakes up. It may hold a stale token; the receiver
	// rechecks.
	notify chan struct{}
	// done is closed by Close.
	done      chan struct{}
	closeOnce sync.Once
	closed    atomic.Bool

	sent     atomic.Uint64 // messages accepted by Send; the next arrival number
	received atomic.Uint64 // messages removed by a receive
	scanned  atomic.Uint64 // messages looked at by receives
	bytes    atomic.Int64  // sum of Size over queued messages
	refs     atomic.Uint64 // last reference made by MakeRef

	receiving atomic.Bool // a receive is running

	// The private queue, touched only by the receiving goroutine: the
	// queued messages are q[h:], oldest first. spare is an empty buffer
	// handed back to the senders as the next inbox.
	q     []Message
	h     int
	spare []Message
}

// New returns an empty, open mailbox.
func New() *Mailbox {
	return &Mailbox{
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
}

// Send appends msg to the mailbox. It never blocks on capacity and keeps
// arrival order: messages from one goroutine arrive in the order it sent
// them. Send on a closed mailbox discards the message, as sending to a
// process that has exited does. Send is safe for concurrent use.
func (mb *Mailbox) Send(msg Message) {
	mb.mu.Lock()
	if mb.closed.Load() {
		mb.mu.Unlock()
		return
	}
	msg.seq = mb.sent.Load()
	wasEmpty := len(mb.inbox) == 0
	mb.inbox = append(mb.inbox, msg)
	mb.bytes.Add(int64(msg.Size))
	mb.sent.Add(1)
	mb.mu.Unlock()
	if wasEmpty {
		select {
		case mb.notify <- struct{}{}:
		default:
		}
	}
}

// Len reports the number of queued messages: sent and not yet received.
// It is safe to call from any goroutine while the mailbox is in use.
func (mb *Mailbox) Len() int {
	r := mb.received.Load() // load first: received never passes sent
	return int(mb.sent.Load() - r)
}

// Bytes reports the sum of the declared sizes of the queued messages.
func (mb *Mailbox) Bytes() int64 { return mb.bytes.Load() }

// Sent reports how many messages the mailbox has accepted.
func (mb *Mailbox) Sent() uint64 { return mb.sent.Load() }

// Received reports how many messages receives have removed.
func (mb *Mailbox) Received() uint64 { return mb.received.Load() }

// Scanned reports how many messages receives have looked at, counting a
// message once each time a receive passes over it. A receive adds to it
// when it returns or starts to wait.
func (mb *Mailbox) Scanned() uint64 { return mb.scanned.Load() }

// MakeRef returns a reference unique within this mailbox (1, 2, 3, ...),
// for tagging a request so that its reply can be told apart.
func (mb *Mailbox) MakeRef() uint64 { return mb.refs.Add(1) }

// Close closes the mailbox: a waiting receive returns ErrClosed, later
// receives return ErrClosed, and later sends are discarded. Messages
// already queued stay counted by Len and Bytes. Close is safe to call more
// than once and from any goroutine.
func (mb *Mailbox) Close() {
	mb.closeOnce.Do(func() {
		mb.mu.Lock()
		mb.closed.Store(true)
		mb.mu.Unlock()
		close(mb.done)
	})
}

// Closed reports whether Close has been called.
func (mb *Mailbox) Closed() bool { return mb.closed.Load() }

// Done returns a channel that is closed when the mailbox is closed.
func (mb *Mailbox) Done() <-chan struct{} { return mb.done }
