package receive_test

import (
	"testing"

	"github.com/benchdb/benchdb/suites"
	"github.com/benchdb/benchdb/suites/receive"
	"github.com/benchdb/benchdb/suites/suitetest"
)

func BenchmarkReceive(b *testing.B) { receive.Receive(b) }

func TestSuite(t *testing.T) {
	if err := suitetest.Check(receive.Suite{}); err != nil {
		t.Error(err)
	}
	s, err := suites.Lookup("receive")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Benchmarks()); got != len(receive.Modes())*len(receive.Depths()) {
		t.Errorf("%d benchmarks, want one per mode and depth", got)
	}
}
