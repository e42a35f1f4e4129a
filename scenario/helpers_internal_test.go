package scenario

import (
	"context"
	"math/rand/v2"
	"sync"

	"github.com/benchdb/benchdb/mailbox"
)

// Message kinds of the test code server.
const (
	testRequest = 1
	testReply   = 2
)

// testPicker is a picker shaped like OTP 20's code_server:call: for each
// of its calls it sends a request to a code-server goroutine and receives
// the reply by scanning the caller's mailbox from the head.
type testPicker struct {
	self, server *mailbox.Mailbox
	calls, pool  int
	rng          *rand.Rand
}

func (p *testPicker) Pick(ctx context.Context) (int, error) {
	for range p.calls {
		ref := p.self.MakeRef()
		p.server.Send(mailbox.Message{Kind: testRequest, Ref: ref, Body: p.self})
		if _, err := p.self.Receive(ctx, func(m *mailbox.Message) bool { return m.Kind == testReply && m.Ref == ref }); err != nil {
			return 0, err
		}
	}
	return p.rng.IntN(p.pool), nil
}

// testProfile returns a profile whose picks make calls code-server calls.
func testProfile(name string, calls int) Profile {
	return Profile{
		Name:  name,
		Calls: calls,
		NewPicker: func(ctx context.Context, self *mailbox.Mailbox, pool int, seed uint64) (Picker, func(), error) {
			server := mailbox.New()
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					req, err := server.Receive(ctx, func(*mailbox.Message) bool { return true })
					if err != nil {
						return
					}
					req.Body.(*mailbox.Mailbox).Send(mailbox.Message{Kind: testReply, Ref: req.Ref})
				}
			})
			p := &testPicker{self: self, server: server, calls: calls, pool: pool, rng: rand.New(rand.NewPCG(seed, 1))}
			return p, func() { wg.Wait(); drop(server) }, nil
		},
	}
}
