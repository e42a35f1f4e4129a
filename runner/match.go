package runner

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Matches reports whether `go test -bench bench -skip skip` reports a result
// for the leaf benchmark with the full name name (such as
// "BenchmarkSelect/profile=roundrobin/pool=8", without the -GOMAXPROCS
// suffix). It follows the testing package's rules: each pattern is split at
// unbracketed '|' into alternatives and at unbracketed '/' into one regular
// expression per level of the name; a name runs when the -bench pattern
// matches every level it names and the -skip pattern does not match all of
// its levels. A leaf that has fewer levels than the -bench pattern reports
// nothing (go test only looks for sub-benchmarks in it). An empty bench
// matches nothing, as `go test` without -bench runs no benchmarks; an empty
// skip skips nothing.
func Matches(bench, skip, name string) (bool, error) {
	if bench == "" {
		return false, nil
	}
	filter, err := compilePattern(bench)
	if err != nil {
		return false, fmt.Errorf("bench pattern %q: %w", bench, err)
	}
	var skips pattern
	if skip != "" {
		if skips, err = compilePattern(skip); err != nil {
			return false, fmt.Errorf("skip pattern %q: %w", skip, err)
		}
	}
	elems := strings.Split(name, "/")
	// go test decides level by level, so a parent that is filtered out or
	// skipped hides all of its children.
	for n := 1; n <= len(elems); n++ {
		ok, partial := filter.matches(elems[:n])
		if !ok {
			return false, nil
		}
		if skipped, skipPartial := skips.matches(elems[:n]); skipped && !skipPartial {
			return false, nil
		}
		if n == len(elems) && partial {
			return false, nil
		}
	}
	return true, nil
}

// SkipValues returns a -skip pattern that skips every benchmark with a level
// key=V for V in values, at any of the given levels (1 is the top-level
// benchmark, 2 its first sub-benchmark level, ...), and nothing else. Values
// are matched literally and whole: skipping "elixir-1.5.1" does not skip
// "elixir-1.5.1-consolidated". It returns "" when values or levels is empty.
//
// -bench selects and -skip removes, so the pattern combines with any -bench
// pattern; a single -bench pattern cannot express "this level, unless it has
// the key, in which case only these values" without look-ahead.
func SkipValues(key string, values []string, levels []int) string {
	if len(values) == 0 || len(levels) == 0 {
		return ""
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	slices.Sort(quoted)
	elem := "^" + regexp.QuoteMeta(key) + "=(" + strings.Join(slices.Compact(quoted), "|") + ")$"
	levels = slices.Clone(levels)
	// Alternatives must be tried from the shallowest level: testing stops
	// at the first alternative that matches, even partly.
	slices.Sort(levels)
	levels = slices.Compact(levels)
	alts := make([]string, 0, len(levels))
	for _, l := range levels {
		if l < 1 {
			continue
		}
		alts = append(alts, strings.Repeat("/", l-1)+elem)
	}
	return strings.Join(alts, "|")
}

// A pattern is a compiled -bench or -skip pattern: alternatives, each a
// regular expression per level.
type pattern [][]*regexp.Regexp

// compilePattern splits s as the testing package does and compiles each
// level's expression.
func compilePattern(s string) (pattern, error) {
	var p pattern
	for _, alt := range splitPattern(s) {
		levels := make([]*regexp.Regexp, len(alt))
		for i, e := range alt {
			re, err := regexp.Compile(e)
			if err != nil {
				return nil, fmt.Errorf("level %d: %w", i+1, err)
			}
			levels[i] = re
		}
		p = append(p, levels)
	}
	return p, nil
}

// matches reports whether some alternative matches every level of name
// that it has, and whether that alternative has more levels than name.
// Like testing, it uses the first alternative that matches. A nil pattern
// matches nothing.
func (p pattern) matches(name []string) (ok, partial bool) {
	for _, alt := range p {
		ok := true
		for i, s := range name {
			if i >= len(alt) {
				break
			}
			if !alt[i].MatchString(s) {
				ok = false
				break
			}
		}
		if ok {
			return true, len(name) < len(alt)
		}
	}
	return false, false
}

// splitPattern splits s at '|' and '/' that are outside brackets and
// parentheses, giving alternatives of per-level expressions. A backslash
// escapes the next byte.
func splitPattern(s string) [][]string {
	var alts [][]string
	var cur []string
	brackets, parens := 0, 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			brackets++
		case ']':
			brackets = max(brackets-1, 0)
		case '(':
			if brackets == 0 {
				parens++
			}
		case ')':
			if brackets == 0 {
				parens--
			}
		case '/', '|':
			if brackets != 0 || parens != 0 {
				continue
			}
			cur = append(cur, s[start:i])
			start = i + 1
			if s[i] == '|' {
				alts = append(alts, cur)
				cur = nil
			}
		}
	}
	cur = append(cur, s[start:])
	return append(alts, cur)
}
