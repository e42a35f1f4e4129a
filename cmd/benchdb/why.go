package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/benchdb/benchdb/internal/outfile"

	"github.com/urfave/cli/v2"
	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
)

func whyCommand() *cli.Command {
	return &cli.Command{
		Name:      "why",
		Usage:     "explain a change from the stored CPU and allocation profiles of two runs or benchmarks",
		ArgsUsage: "OLD NEW",
		Description: `Why compares the pprof profiles stored with OLD and NEW (benchdb run
--pprof cpu,alloc stores them) and prints, per operation of each benchmark
(the profiles' values divided by the profiled runs' iteration counts):
the functions whose flat CPU time (or allocated bytes) grew most, with
their cumulative growth, their share of the measured change (the change of
the stored sec/op or B/op medians; of the profiles' totals when those are
missing), and the call paths that lead to them, from the benchmark
function down.

OLD and NEW are run selectors, as benchdb compare takes them (an id,
latest, latest~N, a label query); a side that selects several runs merges
their profiles. Benchmarks are paired by name. A selector may end in
@BENCH, a go test -bench pattern that picks one benchmark on that side, so
that two benchmarks of the same run compare (a version profile against
another, in the built-in suites). --bench restricts both sides.

--format html writes one self-contained page with an icicle (flame) graph
of the difference: width is NEW's cost per op, red frames grew, blue ones
shrank. --format json writes costs per op in seconds and bytes, shares as
fractions.

Examples:

   benchdb run --suite selection --bench 'pool=8/depth=100000' --pprof cpu,alloc
   benchdb why 'latest@Select/profile=elixir-1.6.3$/pool=8/depth=100000' \
               'latest@Select/profile=elixir-1.5.1$/pool=8/depth=100000'
   benchdb why 12 13 --bench Parse --kind cpu
   benchdb why --output why.html 12 13 --bench Parse`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{Name: "bench", Usage: "compare only benchmarks matching the go test -bench `REGEX`", Category: catFilter},
			&cli.StringFlag{Name: "kind", Usage: "profile `KINDS` to compare: cpu, alloc or cpu,alloc", Value: "cpu,alloc", Category: catFilter},
			&cli.IntFlag{Name: "top", Usage: "show the `N` functions that grew most", Value: profdiff.DefaultTop, Category: catOutput},
			formatFlag("text", "markdown", "json", "html"),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of standard output", Category: catOutput},
		}),
		Action: whyAction,
	}
}

// whySide is one side of benchdb why: a run selector and an optional
// benchmark pattern.
type whySide struct {
	arg, sel, bench string
	ids             []int64
	profiles        []store.Profile
}

func whyAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return usagef("why: want OLD and NEW, got %d arguments", len(args))
	}
	kinds, err := parsePprofKinds("--kind", c.String("kind"))
	if err != nil {
		return err
	}
	if len(kinds) == 0 {
		return usagef("--kind: empty")
	}
	if c.Int("top") < 1 {
		return usagef("--top %d: want at least 1", c.Int("top"))
	}
	bench := c.String("bench")
	sides := make([]*whySide, 2)
	for i, a := range args {
		s := &whySide{arg: a}
		s.sel, s.bench, _ = strings.Cut(a, "@")
		for _, re := range []string{bench, s.bench} {
			if re == "" {
				continue
			}
			if _, err := runner.Matches(re, "", "BenchmarkX"); err != nil {
				return usagef("why: benchmark pattern %q: %v", re, err)
			}
		}
		sides[i] = s
	}
	sels, err := parseRuns([]string{sides[0].sel, sides[1].sel})
	if err != nil {
		return err
	}
	db, err := openExistingStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	for i, s := range sides {
		if s.ids, err = resolveRuns(c.Context, db, sels[i:i+1]); err != nil {
			return fmt.Errorf("why: %w", err)
		}
		if s.profiles, err = listProfiles(c, db, s.ids, kinds, bench, s.bench); err != nil {
			return fmt.Errorf("why: %w", err)
		}
		if len(s.profiles) == 0 {
			all, err := listProfiles(c, db, s.ids, nil)
			if err != nil {
				return fmt.Errorf("why: %w", err)
			}
			if len(all) == 0 {
				return fmt.Errorf("why: %s (%s) holds no profiles: store some with benchdb run --pprof cpu,alloc", termsafe.Escape(s.arg), runsText(s.ids))
			}
			return fmt.Errorf("why: no %s profile of %s (%s) matches %s (it holds: %s)", strings.Join(kinds, " or "),
				termsafe.Escape(s.arg), runsText(s.ids), patternText(bench, s.bench), profileNames(all))
		}
	}
	pairs, err := pairProfiles(sides[0], sides[1])
	if err != nil {
		return err
	}
	report := &profdiff.Report{}
	for _, pr := range pairs {
		cmpn, err := compareProfiles(c, db, pr, kinds)
		if err != nil {
			return err
		}
		report.Comparisons = append(report.Comparisons, cmpn)
	}
	return writeWhy(c, report)
}

func patternText(bench, side string) string {
	var ps []string
	for _, p := range []string{bench, side} {
		if p != "" {
			ps = append(ps, fmt.Sprintf("%q", p))
		}
	}
	if len(ps) == 0 {
		return "any benchmark"
	}
	return "benchmark " + strings.Join(ps, " and ")
}

// benchKey names one benchmark.
type benchKey struct{ pkg, name string }

// whyPair is one benchmark's profiles on both sides.
type whyPair struct {
	old, new benchKey
	oldP     []store.Profile
	newP     []store.Profile
}

// pairProfiles pairs the two sides' benchmarks: the one benchmark of each
// side when each has one, else by package and name.
func pairProfiles(old, new *whySide) ([]whyPair, error) {
	group := func(ps []store.Profile) ([]benchKey, map[benchKey][]store.Profile) {
		m := map[benchKey][]store.Profile{}
		var keys []benchKey
		for _, p := range ps {
			k := benchKey{p.Pkg, p.Name}
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = append(m[k], p)
		}
		slices.SortFunc(keys, func(a, b benchKey) int { return cmp.Or(cmp.Compare(a.pkg, b.pkg), cmp.Compare(a.name, b.name)) })
		return keys, m
	}
	ok, om := group(old.profiles)
	nk, nm := group(new.profiles)
	if len(ok) == 1 && len(nk) == 1 {
		return []whyPair{{old: ok[0], new: nk[0], oldP: om[ok[0]], newP: nm[nk[0]]}}, nil
	}
	var pairs []whyPair
	for _, k := range ok {
		if ps, found := nm[k]; found {
			pairs = append(pairs, whyPair{old: k, new: k, oldP: om[k], newP: ps})
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("why: no benchmark has profiles on both sides (OLD: %s; NEW: %s); pick one on each side with SEL@BENCH",
			profileNames(old.profiles), profileNames(new.profiles))
	}
	return pairs, nil
}

// compareProfiles diffs one pair, kind by kind.
func compareProfiles(c *cli.Context, db *store.DB, pr whyPair, kinds []string) (profdiff.Comparison, error) {
	out := profdiff.Comparison{Pkg: pr.old.pkg, OldName: pr.old.name, NewName: pr.new.name,
		OldRuns: runIDs(pr.oldP), NewRuns: runIDs(pr.newP)}
	for _, kind := range kinds {
		old, err := diffSide(c.Context, db, pr.old, pr.oldP, kind)
		if err != nil {
			return out, err
		}
		new, err := diffSide(c.Context, db, pr.new, pr.newP, kind)
		if err != nil {
			return out, err
		}
		if len(old.Profiles) == 0 || len(new.Profiles) == 0 {
			continue // this kind is not on both sides
		}
		res, err := profdiff.Diff(kind, old, new, profdiff.Options{Top: c.Int("top")})
		if err != nil {
			return out, fmt.Errorf("why: %s profile: %w", kind, err)
		}
		out.Results = append(out.Results, res)
	}
	if len(out.Results) == 0 {
		return out, fmt.Errorf("why: %s and %s have no profile kind in common", termsafe.Escape(pr.old.name), termsafe.Escape(pr.new.name))
	}
	return out, nil
}

func runIDs(ps []store.Profile) []int64 {
	var ids []int64
	for _, p := range ps {
		if !slices.Contains(ids, p.RunID) {
			ids = append(ids, p.RunID)
		}
	}
	return ids
}

// diffSide reads one side's profiles of kind and its measured cost.
func diffSide(ctx context.Context, db *store.DB, k benchKey, ps []store.Profile, kind string) (profdiff.Side, error) {
	s := profdiff.Side{Measured: math.NaN()}
	var ids []int64
	listed := map[int64][]store.Profile{} // each run's profiles, for the setup ones
	for _, p := range ps {
		if p.Kind != kind {
			continue
		}
		data, err := db.ProfileData(ctx, p)
		if err != nil {
			return s, fmt.Errorf("why: %w", err)
		}
		s.Profiles = append(s.Profiles, data)
		s.Iters = append(s.Iters, p.Iters)
		ids = append(ids, p.RunID)
		if _, ok := listed[p.RunID]; !ok {
			if listed[p.RunID], err = db.Profiles(ctx, p.RunID); err != nil {
				return s, fmt.Errorf("why: %w", err)
			}
		}
		i := slices.IndexFunc(listed[p.RunID], func(q store.Profile) bool {
			return q.Setup && q.Pkg == p.Pkg && q.Name == p.Name && q.Side == p.Side && q.Kind == p.Kind
		})
		if i < 0 {
			continue
		}
		setup, err := db.ProfileData(ctx, listed[p.RunID][i])
		if err != nil {
			return s, fmt.Errorf("why: %w", err)
		}
		s.Setup = append(s.Setup, setup)
		s.SetupIters = append(s.SetupIters, listed[p.RunID][i].Iters)
	}
	if len(s.Setup) != len(s.Profiles) {
		s.Setup, s.SetupIters = nil, nil // subtract all or none
	}
	s.Label = fmt.Sprintf("%s (%s)", termsafe.Escape(k.name), runsText(ids))
	if len(ids) == 0 {
		return s, nil
	}
	unit := "sec/op"
	if kind == store.ProfileAlloc {
		unit = "B/op"
	}
	var vals []float64
	err := db.Results(ctx, ids, func(_ int64, r *benchfmt.Result) error {
		if r.Name.String() != k.name || r.GetConfig("pkg") != k.pkg {
			return nil
		}
		if v, ok := r.Value(unit); ok {
			vals = append(vals, v)
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("why: %w", err)
	}
	if len(vals) > 0 {
		s.Measured, _ = runner.Median(vals)
	}
	return s, nil
}

// writeWhy renders the report in --format to --output or standard output.
func writeWhy(c *cli.Context, r *profdiff.Report) error {
	format := c.String("format")
	out := c.String("output")
	if !c.IsSet("format") && out != "" {
		switch strings.ToLower(filepath.Ext(out)) {
		case ".html", ".htm":
			format = "html"
		case ".json":
			format = "json"
		case ".md":
			format = "markdown"
		}
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "json":
		err = r.WriteJSON(&buf)
	case "markdown":
		err = r.WriteMarkdown(&buf)
	case "html":
		err = r.WriteHTML(&buf)
	default:
		err = r.WriteText(&buf)
	}
	if err != nil {
		return fmt.Errorf("why: %w", err)
	}
	data := buf.Bytes()
	if format == "text" && out == "" {
		data = []byte(termsafe.Lines(buf.String()))
	}
	if out != "" {
		if err := outfile.WriteFile(out, data); err != nil {
			return fmt.Errorf("why: write %s: %w", out, err)
		}
		return nil
	}
	_, err = c.App.Writer.Write(data)
	return err
}
