package suites

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// ErrUnknownSuite is returned (wrapped) by Lookup for a name that no suite
// was registered under.
var ErrUnknownSuite = errors.New("unknown suite")

// A Suite is a set of benchmarks in one Go package.
type Suite interface {
	// Name is the suite's short name, such as "receive".
	Name() string
	// Doc is one line saying what the suite measures.
	Doc() string
	// ImportPath is the Go import path of the package whose Benchmark
	// functions `go test -bench` runs.
	ImportPath() string
	// Benchmarks returns the suite's leaf benchmarks, each with its full
	// name as `go test -bench` prints it, without the -GOMAXPROCS suffix.
	// The functions of one call may share set-up; a new call gets fresh
	// ones.
	Benchmarks() []Benchmark
}

// A Benchmark is one leaf benchmark, addressable on its own: a program
// can call testing.Benchmark(F), which would not surface b.Run children.
type Benchmark struct {
	// Name is the full name, such as
	// "BenchmarkReceive/mode=scan/depth=1000".
	Name string
	F    func(*testing.B)
}

// A Registry holds suites by name. The zero value is an empty registry
// ready to use; its methods are safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	suites map[string]Suite
}

// Register adds s under name. Like sql.Register it panics, since it is
// called from init, if name is empty, s is nil or name is taken.
func (r *Registry) Register(name string, s Suite) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		panic("suites: Register with an empty name")
	}
	if s == nil {
		panic("suites: Register of a nil suite " + name)
	}
	if _, dup := r.suites[name]; dup {
		panic("suites: Register called twice for suite " + name)
	}
	if r.suites == nil {
		r.suites = make(map[string]Suite)
	}
	r.suites[name] = s
}

// Lookup returns the suite registered under name, or an error wrapping
// ErrUnknownSuite that lists the known names.
func (r *Registry) Lookup(name string) (Suite, error) {
	r.mu.RLock()
	s, ok := r.suites[name]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("suite %q: %w (known: %v)", name, ErrUnknownSuite, r.Names())
	}
	return s, nil
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.suites))
	for name := range r.suites {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// defaultRegistry holds the suites registered with Register: written
// from init functions only.
var defaultRegistry Registry

// Register adds s to the default registry under name. It panics if name
// is empty, s is nil or name is taken.
func Register(name string, s Suite) { defaultRegistry.Register(name, s) }

// Lookup returns the suite registered under name in the default registry.
func Lookup(name string) (Suite, error) { return defaultRegistry.Lookup(name) }

// Names returns the names in the default registry, sorted.
func Names() []string { return defaultRegistry.Names() }

// RunLeaves runs each leaf of bs as a sub-benchmark of b, the top-level
// benchmark whose name the leaves' names start with, so that a suite's
// Benchmark function and its Benchmarks list name the same leaves.
func RunLeaves(b *testing.B, bs []Benchmark) {
	for _, l := range bs {
		b.Run(strings.TrimPrefix(l.Name, b.Name()+"/"), l.F)
	}
}
