package dispatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/benchdb/benchdb/mailbox"
)

// TestCodeServer_Stop_inFlight stops a server that never answers while a
// call waits for its reply: the caller gets the 'DOWN' clause.
func TestCodeServer_Stop_inFlight(t *testing.T) {
	for _, mode := range []ReceiveMode{ReceiveScan, ReceiveMarker} {
		t.Run(string(mode), func(t *testing.T) {
			cs := newCodeServer([]string{"M"})
			close(cs.done) // no serving goroutine: requests stay queued
			self := mailbox.New()
			self.Send(mailbox.Message{Kind: 0})
			errc := make(chan error)
			go func() {
				_, err := cs.EnsureLoaded(context.Background(), self, cs.Module("M"), mode)
				errc <- err
			}()
			deadline := time.Now().Add(5 * time.Second)
			for cs.Len() == 0 { // request sent: the monitor is in place
				if time.Now().After(deadline) {
					t.Fatal("the call never reached its receive")
				}
				time.Sleep(100 * time.Microsecond)
			}
			cs.Stop()
			if err := <-errc; !errors.Is(err, ErrServerDown) {
				t.Fatalf("err = %v, want ErrServerDown", err)
			}
			if self.Len() != 1 {
				t.Errorf("caller's mailbox holds %d messages, want its 1 event", self.Len())
			}
			if len(cs.monitors) != 0 {
				t.Errorf("%d monitors left", len(cs.monitors))
			}
		})
	}
}
