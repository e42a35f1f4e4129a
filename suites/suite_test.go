package suites_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/suites"
)

type fakeSuite struct{ name string }

func (f fakeSuite) Name() string                   { return f.name }
func (f fakeSuite) Doc() string                    { return "a fake" }
func (f fakeSuite) ImportPath() string             { return "example.com/fake" }
func (f fakeSuite) Benchmarks() []suites.Benchmark { return nil }

func TestRegistry_Register(t *testing.T) {
	var r suites.Registry
	if got := r.Names(); len(got) != 0 {
		t.Errorf("zero registry Names = %v", got)
	}
	for _, name := range []string{"b", "c", "a"} {
		r.Register(name, fakeSuite{name})
	}
	if got := r.Names(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Names = %v, want sorted [a b c]", got)
	}
	s, err := r.Lookup("b")
	if err != nil || s.Name() != "b" {
		t.Errorf("Lookup(b) = %v, %v", s, err)
	}
	_, err = r.Lookup("zz")
	if !errors.Is(err, suites.ErrUnknownSuite) || !strings.Contains(err.Error(), "[a b c]") {
		t.Errorf("Lookup(zz): err = %v, want ErrUnknownSuite listing the names", err)
	}

	panics := []struct {
		name  string
		reg   string
		suite suites.Suite
	}{
		{"duplicate", "a", fakeSuite{"a"}},
		{"empty name", "", fakeSuite{"x"}},
		{"nil suite", "x", nil},
	}
	for _, tt := range panics {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", tt.reg)
				}
			}()
			r.Register(tt.reg, tt.suite)
		})
	}
}

// TestRunLeaves checks that RunLeaves runs every leaf, in order.
func TestRunLeaves(t *testing.T) {
	var ran []int
	leaf := func(i int) func(*testing.B) {
		return func(b *testing.B) {
			if !slices.Contains(ran, i) {
				ran = append(ran, i)
			}
		}
	}
	bs := []suites.Benchmark{
		{Name: "BenchmarkFake/mode=a/depth=0", F: leaf(0)},
		{Name: "BenchmarkFake/mode=b/depth=10", F: leaf(1)},
	}
	testing.Benchmark(func(b *testing.B) { suites.RunLeaves(b, bs) })
	if !slices.Equal(ran, []int{0, 1}) {
		t.Errorf("ran leaves %v, want [0 1]", ran)
	}
}
