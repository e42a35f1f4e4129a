// Package suitetest checks that a suites.Suite keeps the contract benchdb
// relies on, the way testing/fstest checks an fs.FS.
package suitetest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/benchdb/benchdb/suites"
)

// Check reports every way s breaks the Suite contract, joined into one
// error, or nil. It checks that the name, doc and import path are set
// (the doc on one line), that there is at least one benchmark, and that
// every benchmark has a function and a unique name of the form
// BenchmarkX/key=value/... with lower-case keys and no spaces, so that
// benchstat and benchdb can project on its levels. It does not run the
// benchmarks.
func Check(s suites.Suite) error {
	if s == nil {
		return errors.New("suite is nil")
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	name := s.Name()
	if name == "" {
		fail("empty Name")
	}
	if doc := s.Doc(); doc == "" || strings.Contains(doc, "\n") {
		fail("suite %s: Doc must be one non-empty line, got %q", name, doc)
	}
	if path := s.ImportPath(); path == "" || strings.ContainsAny(path, " \\") || strings.HasPrefix(path, ".") {
		fail("suite %s: ImportPath %q is not a Go import path", name, path)
	}
	bs := s.Benchmarks()
	if len(bs) == 0 {
		fail("suite %s: no benchmarks", name)
	}
	seen := make(map[string]bool)
	for _, b := range bs {
		if seen[b.Name] {
			fail("suite %s: benchmark %s listed twice", name, b.Name)
		}
		seen[b.Name] = true
		if b.F == nil {
			fail("suite %s: benchmark %s has no function", name, b.Name)
		}
		if err := checkName(b.Name); err != nil {
			fail("suite %s: %w", name, err)
		}
	}
	return errors.Join(errs...)
}

// checkName checks one full benchmark name.
func checkName(full string) error {
	if strings.ContainsAny(full, " \t\n") {
		return fmt.Errorf("benchmark %q: name contains white space", full)
	}
	levels := strings.Split(full, "/")
	base := levels[0]
	if !strings.HasPrefix(base, "Benchmark") || len(base) == len("Benchmark") {
		return fmt.Errorf("benchmark %q: name must start with BenchmarkX", full)
	}
	for _, level := range levels[1:] {
		key, value, ok := strings.Cut(level, "=")
		if !ok || key == "" || value == "" {
			return fmt.Errorf("benchmark %q: level %q is not key=value", full, level)
		}
		if key != strings.ToLower(key) {
			return fmt.Errorf("benchmark %q: key %q is not lower case", full, key)
		}
	}
	return nil
}
