package suitetest_test

import (
	"strings"
	"testing"

	"github.com/benchdb/benchdb/suites"
	"github.com/benchdb/benchdb/suites/suitetest"
)

type fake struct {
	name, doc, path string
	bs              []suites.Benchmark
}

func (f fake) Name() string                   { return f.name }
func (f fake) Doc() string                    { return f.doc }
func (f fake) ImportPath() string             { return f.path }
func (f fake) Benchmarks() []suites.Benchmark { return f.bs }

func noop(*testing.B) {}

func bench(name string, f func(*testing.B)) suites.Benchmark {
	return suites.Benchmark{Name: name, F: f}
}

func TestCheck(t *testing.T) {
	good := fake{"s", "doc", "example.com/s", []suites.Benchmark{bench("BenchmarkX/mode=a/depth=1", noop), bench("BenchmarkX", noop)}}
	tests := []struct {
		name  string
		s     suites.Suite
		wants []string // substrings of the error; none means no error
	}{
		{"good", good, nil},
		{"nil", nil, []string{"nil"}},
		{"empty", fake{}, []string{"empty Name", "Doc must be", "ImportPath", "no benchmarks"}},
		{"two-line doc", fake{"s", "a\nb", "p", good.bs}, []string{"one non-empty line"}},
		{"relative path", fake{"s", "d", "./s", good.bs}, []string{`ImportPath "./s"`}},
		{"bad names", fake{"s", "d", "p", []suites.Benchmark{
			bench("Select/x=1", noop),
			bench("BenchmarkX/depth", noop),
			bench("BenchmarkX/Depth=1", noop),
			bench("BenchmarkX/a=1 b", noop),
			bench("BenchmarkY", nil),
			bench("BenchmarkY", noop),
		}}, []string{
			`"Select/x=1": name must start`, `level "depth" is not key=value`, `key "Depth" is not lower case`,
			"white space", "BenchmarkY has no function", "BenchmarkY listed twice",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := suitetest.Check(tt.s)
			if len(tt.wants) == 0 {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check = nil, want errors %q", tt.wants)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
