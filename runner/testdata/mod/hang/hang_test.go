// Package hang has a benchmark that finishes, then one that never returns,
// for timeouts and interrupts.
package hang

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func BenchmarkA(b *testing.B) {
	for b.Loop() {
	}
}

func BenchmarkHang(b *testing.B) {
	time.Sleep(time.Hour)
}

// TestMain writes the test binary's process id to $FIXTURE_PIDFILE, if
// set, so that a test can check that cancelling the run killed it.
func TestMain(m *testing.M) {
	if f := os.Getenv("FIXTURE_PIDFILE"); f != "" {
		if err := os.WriteFile(f, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
