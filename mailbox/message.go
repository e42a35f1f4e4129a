package mailbox

// A Message is one queued message. It is a small value type so that a
// queue of a million messages is one contiguous block that a receive scans
// without chasing pointers or calling interface methods.
//
// Kind and Tag are free for the application (for example Kind says
// "event" or "reply", Tag carries a small payload such as a type id); Ref
// carries a reference for reference-tagged receives and monitors. Size is
// the number of bytes the message declares it holds; Bytes sums it over
// the queued messages. Body carries anything else; boxing a value into it
// may allocate, so hot paths keep to the scalar fields.
type Message struct {
	Kind int32
	Tag  int32
	Ref  uint64
	Size int
	Body any

	// seq is the message's arrival number in its mailbox, set by Send.
	// Markers compare against it.
	seq uint64
}

// Seq reports the message's arrival number in the mailbox it was received
// from: 0 for the first message ever sent to it, then 1, 2, and so on. It
// is 0 for a message that was never sent.
func (m *Message) Seq() uint64 { return m.seq }

// A Match reports whether a receive should take the message. It is called
// by the receiving goroutine, once for each message the receive looks at,
// with a pointer into the queue that is valid only during the call: a
// Match must not keep it or change the message.
type Match func(*Message) bool
