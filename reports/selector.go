package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/benchdb/benchdb/store/storedata"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
)

// A Selector picks the stored runs that form one sample set (by default
// one column of a comparison).
//
// Its text is parsed by ParseSelector:
//
//	42                    the run with id 42
//	latest                the newest run
//	latest~N              the run N before the newest (latest~0 is latest)
//	QUERY                 every run whose labels and configuration match
//	                      a benchproc filter, such as profile:elixir-1.5.1
//	                      or "branch:main commit:abc123"
//	NAME=SEL              any of the above, titled NAME
//
// A prefix up to the first '=' is a name only when it is non-empty and
// holds no ':', space, quote, parenthesis, '*' or '-' at its start, so a
// query such as "branch:main /x=1" is a query, not a name. Without a
// name a selector is titled by its own text. A query names run labels
// and configuration keys only: keys of results (.name, .fullname, /KEY,
// .unit) and .sel/.file are refused with an error pointing to --filter.
type Selector struct {
	// Name titles the selector's column.
	Name string
	// Text is the selector without its name.
	Text string

	kind   selKind
	id     int64
	back   int
	filter *benchproc.Filter
}

type selKind int

const (
	selID selKind = iota
	selLatest
	selQuery
)

// ParseSelector parses one selector. The error names the selector.
func ParseSelector(s string) (Selector, error) {
	sel := Selector{Name: s, Text: s}
	if i := strings.IndexByte(s, '='); i > 0 && isSelectorName(s[:i]) {
		sel.Name, sel.Text = s[:i], s[i+1:]
		if sel.Text == "" {
			return Selector{}, fmt.Errorf("selector %q: empty after %q", s, sel.Name+"=")
		}
	}
	t := sel.Text
	switch {
	case t == "":
		return Selector{}, fmt.Errorf("empty selector")
	case isDigits(t):
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return Selector{}, fmt.Errorf("selector %q: run id: %w", s, err)
		}
		sel.kind, sel.id = selID, id
	case t == "latest":
		sel.kind = selLatest
	case strings.HasPrefix(t, "latest~"):
		n := strings.TrimPrefix(t, "latest~")
		if !isDigits(n) {
			return Selector{}, fmt.Errorf("selector %q: want latest~N with N a whole number", s)
		}
		back, err := strconv.Atoi(n)
		if err != nil {
			return Selector{}, fmt.Errorf("selector %q: %w", s, err)
		}
		sel.kind, sel.back = selLatest, back
	default:
		if !strings.ContainsAny(t, ":*") {
			return Selector{}, fmt.Errorf("selector %q: not a run id, latest, latest~N or a key:value query", s)
		}
		f, err := benchproc.NewFilter(t)
		if err != nil {
			return Selector{}, fmt.Errorf("selector %q: %s", s, syntaxLine(err, t))
		}
		// A selector picks runs: only run labels and configuration
		// can match. Keys of each result (.name, .fullname, /KEY,
		// .unit) or of the comparison (.sel, .file) would never
		// match a run, so they are refused rather than matching
		// nothing.
		for _, k := range queryKeys(t) {
			if strings.HasPrefix(k, ".") || strings.HasPrefix(k, "/") {
				return Selector{}, fmt.Errorf("selector %q: %s is not a run label or configuration key: selectors pick runs; pick results with --filter %q", s, k, t)
			}
		}
		sel.kind, sel.filter = selQuery, f
	}
	return sel, nil
}

// String returns the selector as it would be written.
func (s Selector) String() string {
	if s.Name == s.Text {
		return s.Text
	}
	return s.Name + "=" + s.Text
}

func isSelectorName(s string) bool {
	if strings.ContainsAny(s, ": \t\"()*") || strings.HasPrefix(s, "-") {
		return false
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Match returns the ids of the runs (given oldest first) that s selects,
// oldest first. It returns an error naming the selector when none does.
func (s Selector) Match(runs []storedata.Run) ([]int64, error) {
	var ids []int64
	switch s.kind {
	case selID:
		for _, r := range runs {
			if r.ID == s.id {
				ids = append(ids, r.ID)
			}
		}
	case selLatest:
		if i := len(runs) - 1 - s.back; i >= 0 {
			ids = append(ids, runs[i].ID)
		}
	case selQuery:
		for _, r := range runs {
			if matchRun(s.filter, r) {
				ids = append(ids, r.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("selector %q matches no run (of %d stored)", s.String(), len(runs))
	}
	return ids, nil
}

// matchRun reports whether a run's labels and configuration satisfy f.
// File configuration wins over a label of the same key, as it does in
// Compare.
func matchRun(f *benchproc.Filter, r storedata.Run) bool {
	res := &benchfmt.Result{
		Name:   benchfmt.Name("Run"),
		Iters:  1,
		Values: []benchfmt.Value{{Value: 0, Unit: "x"}},
	}
	for k, v := range r.Config {
		res.Config = append(res.Config, benchfmt.Config{Key: k, Value: []byte(v), File: true})
	}
	for k, v := range r.Labels {
		if _, ok := r.Config[k]; !ok {
			res.Config = append(res.Config, benchfmt.Config{Key: k, Value: []byte(v)})
		}
	}
	ok, _ := f.Apply(res)
	return ok
}

// queryKeys returns the keys of the key:value terms of a valid
// benchproc filter query, in order. It follows benchproc's lexical
// rules: operators ( ) : @ , anywhere and - * at the start of a word,
// quoted words, and /regexps/ in value position.
func queryKeys(q string) []string {
	const (
		keyPos = iota
		valuePos
		listPos
	)
	var keys []string
	state := keyPos
	isOp := func(c byte) bool { return strings.IndexByte("():@,", c) >= 0 }
	i := 0
	// word reads a bare or quoted word at i.
	word := func() string {
		if q[i] == '"' {
			j := i + 1
			for j < len(q) && (q[j] != '"' || q[j-1] == '\\') {
				j++
			}
			w, err := strconv.Unquote(q[i:min(j+1, len(q))])
			if err != nil {
				w = q[i+1 : j]
			}
			i = min(j+1, len(q))
			return w
		}
		j := i
		for j < len(q) && q[j] != ' ' && q[j] != '\t' && q[j] != '\n' && !isOp(q[j]) {
			j++
		}
		w := q[i:j]
		i = j
		return w
	}
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case state != keyPos && c == '/':
			// A regexp value: up to the next unescaped '/' outside
			// a bracket expression.
			j, inClass := i+1, false
			for ; j < len(q); j++ {
				if q[j] == '\\' {
					j++
				} else if q[j] == '[' {
					inClass = true
				} else if q[j] == ']' {
					inClass = false
				} else if q[j] == '/' && !inClass {
					break
				}
			}
			i = j + 1
			if state == valuePos {
				state = keyPos
			}
		case c == '(':
			i++
			if state == valuePos {
				state = listPos
			}
		case c == ')':
			i++
			if state == listPos {
				state = keyPos
			}
		case state == keyPos && (c == '-' || c == '*' || isOp(c)):
			i++
		case state == keyPos:
			w := word()
			j := i
			for j < len(q) && (q[j] == ' ' || q[j] == '\t') {
				j++
			}
			if j < len(q) && q[j] == ':' {
				keys = append(keys, w)
				i, state = j+1, valuePos
			}
		default: // a value word, or OR in a value list
			if isOp(c) {
				i++
				continue
			}
			word()
			if state == valuePos {
				state = keyPos
			}
		}
	}
	return keys
}
