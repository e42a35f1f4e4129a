package runner

import (
	"slices"
	"strings"
)

// This file plans a run over known benchmarks: which levels hold a key,
// the -skip pattern that keeps some of its values, and how many leaves a
// run will report (for the progress total).

// KeyLevels returns the name levels (1 for the top) at which the names
// (full benchmark names, such as "BenchmarkSelect/profile=P/depth=10")
// have a key=value element, in order, or level 2 if none has.
func KeyLevels(key string, names []string) []int {
	var levels []int
	for _, name := range names {
		for i, e := range strings.Split(name, "/") {
			if strings.HasPrefix(e, key+"=") && !slices.Contains(levels, i+1) {
				levels = append(levels, i+1)
			}
		}
	}
	if len(levels) == 0 {
		return []int{2}
	}
	slices.Sort(levels)
	return levels
}

// KeepValues plans a run that keeps only the values keep of a key whose
// values are all: it returns the -skip pattern that skips the other
// values at the levels where the names have the key (SkipValues over
// KeyLevels), and the kept values in all's order. With no keep it returns
// no pattern and every value.
func KeepValues(key string, all, keep, names []string) (skip string, kept []string) {
	if len(keep) == 0 {
		return "", all
	}
	others := slices.DeleteFunc(slices.Clone(all), func(v string) bool { return slices.Contains(keep, v) })
	skip = SkipValues(key, others, KeyLevels(key, names))
	kept = slices.DeleteFunc(slices.Clone(all), func(v string) bool { return slices.Contains(others, v) })
	return skip, kept
}

// CountMatches counts the names (full benchmark names) that go test
// -bench bench -skip skip runs.
func CountMatches(names []string, bench, skip string) (int, error) {
	n := 0
	for _, name := range names {
		ok, err := Matches(bench, skip, name)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
