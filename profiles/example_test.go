package profiles_test

import (
	"context"
	"fmt"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/profiles"
)

// Each built-in profile picks a writer from a pool of 8 for a process
// with 1000 events queued. Only elixir-1.5.1 calls the code server, and
// its call scans the whole mailbox.
func Example() {
	ctx := context.Background()
	cs := dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
	defer cs.Stop()
	for _, p := range profiles.All() {
		self := mailbox.New()
		for range 1000 {
			self.Send(mailbox.Message{Kind: 1, Size: 100})
		}
		pk, err := profiles.NewPicker(p, self, cs, 8, 1)
		if err != nil {
			panic(err)
		}
		if _, err := pk.Pick(ctx); err != nil {
			panic(err)
		}
		fmt.Printf("%-26s %-15s round trips %d, scanned %4d, draws %d\n",
			p.Name, p.Selection, pk.RoundTrips(), pk.Scanned(), pk.Draws())
	}
	// Output:
	// elixir-1.5.1               count-reservoir round trips 1, scanned 1001, draws 8
	// elixir-1.5.1-otp21         count-reservoir round trips 0, scanned    0, draws 8
	// elixir-1.5.1-consolidated  count-reservoir round trips 0, scanned    0, draws 8
	// elixir-1.6.3               reservoir       round trips 0, scanned    0, draws 8
	// elixir-1.6.3-consolidated  reservoir       round trips 0, scanned    0, draws 8
	// roundrobin                 modulo          round trips 0, scanned    0, draws 0
}
