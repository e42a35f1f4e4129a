// Package mailboxtest holds test helpers for code built on mailboxes,
// whose receivers and servers run in goroutines of their own.
package mailboxtest

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
