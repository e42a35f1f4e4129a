package dispatch_test

import (
	"context"
	"fmt"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
)

// An unconsolidated dispatch from a process with 1000 queued events makes
// one code server round trip and scans the whole mailbox for the reply; a
// consolidated one makes no call.
func Example() {
	ctx := context.Background()
	enumerable := dispatch.NewEnumerable()
	cs := dispatch.NewCodeServer(enumerable.Modules()...)
	defer cs.Stop()

	self := mailbox.New()
	for range 1000 {
		self.Send(mailbox.Message{Kind: 0, Size: 100})
	}
	pool := dispatch.Value{Type: dispatch.List, Len: 8}
	for _, mode := range []dispatch.Mode{dispatch.Unconsolidated, dispatch.Consolidated} {
		d, err := dispatch.NewDispatcher(enumerable, self, cs, dispatch.Options{Mode: mode})
		if err != nil {
			panic(err)
		}
		if _, _, err := d.Count(ctx, pool); err != nil {
			panic(err)
		}
		fmt.Printf("%s: %d round trips, %d messages scanned\n", mode, d.RoundTrips(), d.Scanned())
	}
	d, _ := dispatch.NewDispatcher(enumerable, self, cs, dispatch.Options{Mode: dispatch.Consolidated})
	_, err := d.ImplFor(ctx, dispatch.Value{Type: dispatch.Tuple, Len: 2})
	fmt.Println(err)
	// Output:
	// unconsolidated: 1 round trips, 1001 messages scanned
	// consolidated: 0 round trips, 0 messages scanned
	// protocol Enumerable not implemented for Tuple of 2 elements
}
