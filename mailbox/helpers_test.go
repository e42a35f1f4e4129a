package mailbox_test

import (
	"runtime"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing tb after a generous deadline.
// Tests use it to know that a receiver has reached its wait.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}
