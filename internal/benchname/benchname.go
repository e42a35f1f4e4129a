// Package benchname splits and matches the names go test gives
// benchmarks ("Select/n=10-2": the function Select without its Benchmark
// prefix, a sub-benchmark n=10, GOMAXPROCS 2). The runner, the stored
// profiles and the nightly report all need it; none links the others.
package benchname

import (
	"regexp"
	"strings"
)

// SplitProcs splits a result name such as "Select/n=10-2" into the name
// and its -GOMAXPROCS suffix ("" when it has none).
func SplitProcs(name string) (string, string) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 || strings.Trim(name[i+1:], "0123456789") != "" {
		return name, ""
	}
	return name[:i], name[i+1:]
}

// ExactPattern returns a -bench pattern that selects the benchmark with
// the full name name (without -GOMAXPROCS suffix) and, level by level,
// nothing else: each level is matched literally and whole.
func ExactPattern(name string) string {
	levels := strings.Split(name, "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}
