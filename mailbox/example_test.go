package mailbox_test

import (
	"context"
	"fmt"

	"github.com/benchdb/benchdb/mailbox"
)

// A process with events queued makes a call. Received from the head, the
// reply is found after every queued event; received from a marker made
// before the request, it is found at once.
func Example() {
	const event, reply = 1, 2
	ctx := context.Background()
	self := mailbox.New()
	for range 1000 {
		self.Send(mailbox.Message{Kind: event, Size: 100})
	}
	isReply := func(m *mailbox.Message) bool { return m.Kind == reply }

	self.Send(mailbox.Message{Kind: reply}) // the server's answer
	before := self.Scanned()
	if _, err := self.Receive(ctx, isReply); err != nil {
		panic(err)
	}
	fmt.Println("scan from the head:", self.Scanned()-before, "messages looked at")

	mark := self.Mark()
	self.Send(mailbox.Message{Kind: reply})
	before = self.Scanned()
	if _, err := self.ReceiveWith(ctx, isReply, mailbox.ReceiveOptions{From: mark}); err != nil {
		panic(err)
	}
	fmt.Println("from a marker:", self.Scanned()-before, "message looked at")
	fmt.Println("still queued:", self.Len(), "messages,", self.Bytes(), "bytes")
	// Output:
	// scan from the head: 1001 messages looked at
	// from a marker: 1 message looked at
	// still queued: 1000 messages, 100000 bytes
}
