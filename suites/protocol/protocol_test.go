package protocol_test

import (
	"testing"

	"github.com/benchdb/benchdb/suites"
	"github.com/benchdb/benchdb/suites/protocol"
	"github.com/benchdb/benchdb/suites/suitetest"
)

func BenchmarkDispatch(b *testing.B) { protocol.Dispatch(b) }

func TestSuite(t *testing.T) {
	if err := suitetest.Check(protocol.Suite{}); err != nil {
		t.Error(err)
	}
	if _, err := suites.Lookup("protocol"); err != nil {
		t.Fatal(err)
	}
	for _, v := range protocol.Variants() {
		if _, ok := protocol.Options(v); !ok && v != protocol.VariantInterface {
			t.Errorf("variant %s has no dispatch options", v)
		}
	}
}
