package mailbox_test

import (
	"runtime"
	"testing"
	"time"
)

// MustNotLeak fails tb if, once the test and its cleanups are done, more
// goroutines run than when MustNotLeak was called. Goroutines get a grace
// period to exit; this checks that they end, not how fast.
func MustNotLeak(tb testing.TB) {
	tb.Helper()
	before := runtime.NumGoroutine()
	tb.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				tb.Errorf("goroutines leaked: %d running, %d before\n%s", n, before, buf)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
}

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
