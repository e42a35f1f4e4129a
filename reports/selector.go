package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/benchdb/benchdb/store"
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
// query such as .fullname:Select/pool=8 is a query, not a name. Without a
// name a selector is titled by its own text.
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
			return Selector{}, fmt.Errorf("selector %q: %w", s, err)
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
func (s Selector) Match(runs []store.Run) ([]int64, error) {
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
func matchRun(f *benchproc.Filter, r store.Run) bool {
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
