package mailbox

// A Marker is a position in a mailbox's arrival order, made by Mark. A
// receive from a marker skips every message that arrived before Mark was
// called, the way BEAM skips the messages queued before a reference was
// made when a receive matches on that reference. The zero Marker is the
// head of the queue: a receive from it looks at every message.
type Marker uint64

// Mark returns a marker for the current end of the queue: every message
// sent so far is older than it, every message sent later is not. Mark is
// safe to call from any goroutine; the usual caller is the owner, just
// before it sends a request whose reply it will receive from the marker.
func (mb *Mailbox) Mark() Marker { return Marker(mb.sent.Load()) }

// seek returns the index in the private queue of the first message at
// or after index lo that is not older than from, or len(mb.q) if there is
// none. Arrival numbers increase along the queue, so it checks the ends
// first (a mark made just before a request usually lies past the whole
// queue) and otherwise searches by halving: the cost of a receive from a
// marker does not grow with the depth of the queue.
func (mb *Mailbox) seek(from uint64, lo int) int {
	q := mb.q
	hi := len(q)
	if lo >= hi || q[hi-1].seq < from {
		return hi
	}
	if q[lo].seq >= from {
		return lo
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if q[mid].seq < from {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
