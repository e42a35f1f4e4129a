package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store/storedata"
)

// resultsOnly shows only the Source methods of a MemSource: Compare
// reads it result by result.
type resultsOnly struct{ m *reports.MemSource }

func (s resultsOnly) Runs(ctx context.Context) ([]storedata.Run, error) { return s.m.Runs(ctx) }
func (s resultsOnly) Results(ctx context.Context, ids []int64, fn func(int64, *benchfmt.Result) error) error {
	return s.m.Results(ctx, ids, fn)
}
func (s resultsOnly) UnitMetadata(ctx context.Context, ids []int64) ([]*benchfmt.UnitMetadata, error) {
	return s.m.UnitMetadata(ctx, ids)
}

// singleGroups hands out a MemSource's results as groups of one.
type singleGroups struct{ resultsOnly }

func (s singleGroups) ResultGroups(ctx context.Context, ids []int64, fn func(int64, *storedata.ResultGroup) error) error {
	var (
		g   storedata.ResultGroup
		gen int
	)
	return s.m.Results(ctx, ids, func(id int64, r *benchfmt.Result) error {
		gen++ // a new generation for every result is allowed
		g.Config, g.ConfigGen, g.Name, g.N = r.Config, gen, r.Name, 1
		g.Units, g.OrigUnits, g.Values = g.Units[:0], g.OrigUnits[:0], g.Values[:0]
		for _, v := range r.Values {
			g.Units = append(g.Units, v.Unit)
			g.OrigUnits = append(g.OrigUnits, v.OrigUnit)
			g.Values = append(g.Values, v.Value)
		}
		return fn(id, &g)
	})
}

// caseOptions returns the Options of c's benchstat flags.
func caseOptions(tb testing.TB, c benchstattest.Case) reports.Options {
	tb.Helper()
	var o reports.Options
	for _, f := range c.Flags {
		switch f[0] {
		case "col":
			o.Col = f[1]
		case "row":
			o.Row = f[1]
		case "table":
			o.Table = f[1]
		case "filter":
			o.Filter = f[1]
		case "ignore":
			o.Ignore = f[1]
		case "alpha", "confidence":
			x, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				tb.Fatal(err)
			}
			if f[0] == "alpha" {
				o.Alpha, o.AlphaSet = x, true
			} else {
				o.Confidence, o.ConfidenceSet = x, true
			}
		default:
			tb.Fatalf("seed %d: unknown flag %s", c.Seed, f[0])
		}
	}
	return o
}

// groupsSeeds is the number of random cases TestCompare_groups runs by
// default (150 were 2.7 s of CPU under -race, the package's largest
// test); the integration build runs the ones after them, up to seed
// 1,000 (groups_integration_test.go).
const groupsSeeds = 50

// TestCompare_groups: reading results in groups (MemSource, which
// groups consecutive results of a benchmark), in groups of one, and
// one result at a time gives the same comparison, byte for byte, on
// the random cases of the differential test against benchstat
// (several units, 0 and ±Inf values, configuration changes, random
// projections and filters).
func TestCompare_groups(t *testing.T) {
	compareGroups(t, 1, groupsSeeds)
}

// compareGroups is TestCompare_groups on the seeds from first to last.
func compareGroups(t *testing.T, first, last uint64) {
	ctx := context.Background()
	grouped := 0
	for seed := first; seed <= last; seed++ {
		c := benchstattest.Generate(seed)
		var m reports.MemSource
		var sels []reports.Selector
		for i, f := range c.Files {
			id, err := m.AddString(f.Text, f.Label, nil, time.Unix(int64(i), 0))
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			sels = append(sels, mustSelectors(t, fmt.Sprintf("%s=%d", f.Label, id))...)
		}
		opts := caseOptions(t, c)
		ids := make([]int64, len(c.Files))
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		if err := m.ResultGroups(ctx, ids, func(_ int64, g *storedata.ResultGroup) error {
			if g.N > 1 {
				grouped++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var outs [3]string
		for i, src := range []reports.Source{&m, singleGroups{resultsOnly{&m}}, resultsOnly{&m}} {
			cmp, err := reports.Compare(ctx, src, sels, opts)
			if err != nil {
				outs[i] = "error: " + err.Error()
				continue
			}
			var buf bytes.Buffer
			if err := cmp.WriteText(&buf, reports.TextOptions{Verdicts: true}); err != nil {
				t.Fatal(err)
			}
			if err := cmp.WriteCSV(&buf, &buf, reports.CSVOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := cmp.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			outs[i] = buf.String()
		}
		if outs[0] != outs[2] || outs[1] != outs[2] {
			t.Errorf("%s:\ngroups:\n%s\ngroups of one:\n%s\none result at a time:\n%s", c, outs[0], outs[1], outs[2])
		}
	}
	if grouped == 0 {
		t.Error("no case had a group of more than one result")
	}
}
