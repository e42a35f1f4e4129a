package profdiff

import (
	"fmt"
	"strings"

	"github.com/google/pprof/profile"
)

// frames returns a sample's stack, outermost first, inlined calls
// expanded.
func frames(s *profile.Sample) []frame {
	var out []frame
	for i := len(s.Location) - 1; i >= 0; i-- {
		loc := s.Location[i]
		if len(loc.Line) == 0 {
			out = append(out, frame{name: fmt.Sprintf("0x%x", loc.Address)})
			continue
		}
		for j := len(loc.Line) - 1; j >= 0; j-- {
			fn := loc.Line[j].Function
			if fn != nil && injected[fn.Name] {
				continue
			}
			if fn == nil {
				out = append(out, frame{name: fmt.Sprintf("0x%x", loc.Address)})
				continue
			}
			out = append(out, frame{name: fn.Name, file: fn.Filename})
		}
	}
	return out
}

// injected are the runtime's functions that a signal makes a goroutine
// call: a sample in them is a sample of the code they interrupted, so
// their frames are dropped.
var injected = map[string]bool{"runtime.asyncPreempt": true, "runtime.asyncPreempt2": true}

// trim drops the frames above the benchmark function: those up to the
// testing package's runN, which calls it (a sub-benchmark's function need
// not be named Benchmark*), or else those above the outermost Benchmark*
// function.
func trim(stack []frame) []frame {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].name == "testing.(*B).runN" && i+1 < len(stack) {
			return stack[i+1:]
		}
	}
	for i, f := range stack {
		if isBenchmarkFunc(f.name) {
			return stack[i:]
		}
	}
	return stack
}

// isBenchmarkFunc reports whether name, a full function name such as
// "example.com/p_test.BenchmarkF.func1", is a Benchmark function or a
// closure in one.
func isBenchmarkFunc(name string) bool {
	_, fn, ok := strings.Cut(ShortName(name), ".")
	return ok && strings.HasPrefix(fn, "Benchmark")
}

// ShortName returns a function name without its package path: for
// "github.com/benchdb/benchdb/mailbox.(*Mailbox).scan" it returns
// "mailbox.(*Mailbox).scan". Slashes inside type parameters stay.
func ShortName(name string) string {
	head := name
	if i := strings.IndexAny(name, "[("); i >= 0 {
		head = name[:i]
	}
	return name[strings.LastIndexByte(head, '/')+1:]
}
