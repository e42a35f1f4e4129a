package selection_test

import (
	"testing"

	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/suites"
	"github.com/benchdb/benchdb/suites/selection"
	"github.com/benchdb/benchdb/suites/suitetest"
)

func BenchmarkSelect(b *testing.B) { selection.Select(b) }

func TestSuite(t *testing.T) {
	if err := suitetest.Check(selection.Suite{}); err != nil {
		t.Error(err)
	}
	if _, err := suites.Lookup("selection"); err != nil {
		t.Fatal(err)
	}
	want := len(profiles.All()) * len(selection.Pools()) * len(selection.Depths())
	if got := len(selection.Suite{}.Benchmarks()); got != want {
		t.Errorf("%d benchmarks, want one per profile, pool and depth (%d)", got, want)
	}
}
