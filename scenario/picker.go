package scenario

import (
	"context"

	"github.com/benchdb/benchdb/mailbox"
)

// Picker picks the writer for one event, as a version profile does. Pick
// runs in the router's goroutine and makes the profile's code-server calls,
// whose replies it receives through the router's mailbox; it returns an
// index in [0, pool).
type Picker interface {
	Pick(ctx context.Context) (int, error)
}

// Profile is what the scenario needs of a version profile: its name, the
// number of code-server calls (full-mailbox scans) one pick makes, and how
// to make its picker.
type Profile struct {
	Name string
	// Calls is k, the code-server calls one pick makes.
	Calls int
	// NewPicker makes a picker for a router whose mailbox is self, over a
	// pool of pool writers, drawing from seed. It may start goroutines
	// (a code server): they must stop when ctx is done, and stop, which
	// NewPicker returns, waits for them.
	NewPicker func(ctx context.Context, self *mailbox.Mailbox, pool int, seed uint64) (p Picker, stop func(), err error)
}
