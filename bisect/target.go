package bisect

import (
	"errors"
	"regexp"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/reports/nightly"
)

// Target is the benchmark whose change is bisected.
type Target struct {
	Package, Name, Unit string
}

// Pattern returns a -test.bench pattern that matches exactly the
// benchmark named name as results print it ("Select/pool=8-2"): each level
// anchored, the -GOMAXPROCS suffix dropped.
func Pattern(name string) string {
	base, parts := benchfmt.Name(name).Parts()
	levels := []string{"^Benchmark" + regexp.QuoteMeta(string(base)) + "$"}
	for _, p := range parts {
		if p[0] == '/' {
			levels = append(levels, "^"+regexp.QuoteMeta(string(p[1:]))+"$")
		}
	}
	return strings.Join(levels, "/")
}

// FromReport returns what to bisect for the newest regression of a
// nightly report: the commits of the last good run and of the run where
// the change started (their commit labels), the benchmark's exact
// pattern and its package. It fails when no regression's runs carry
// commit labels.
func FromReport(rep *nightly.Report) (good, bad, bench, pkg string, err error) {
	var best *nightly.Change
	for _, c := range rep.Regressions {
		if c.Good.Labels["commit"] == "" || c.Change.Labels["commit"] == "" {
			continue
		}
		if best == nil || c.Change.Time.After(best.Change.Time) {
			best = c
		}
	}
	if best == nil {
		return "", "", "", "", errors.New("the report has no regression whose runs carry commit labels")
	}
	return best.Good.Labels["commit"], best.Change.Labels["commit"], Pattern(best.Name), best.Package, nil
}
