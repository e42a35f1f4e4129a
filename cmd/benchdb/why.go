package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/profdiff/stored"

	"github.com/urfave/cli/v2"

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
		if s.profiles, err = stored.List(c.Context, db, s.ids, kinds, bench, s.bench); err != nil {
			return fmt.Errorf("why: %w", err)
		}
		if len(s.profiles) == 0 {
			all, err := stored.List(c.Context, db, s.ids, nil)
			if err != nil {
				return fmt.Errorf("why: %w", err)
			}
			if len(all) == 0 {
				return fmt.Errorf("why: %s (%s) holds no profiles: store some with benchdb run --pprof cpu,alloc", termsafe.Escape(s.arg), stored.RunsText(s.ids))
			}
			return fmt.Errorf("why: no %s profile of %s (%s) matches %s (it holds: %s)", strings.Join(kinds, " or "),
				termsafe.Escape(s.arg), stored.RunsText(s.ids), patternText(bench, s.bench), profileNames(all))
		}
	}
	pairs := stored.PairProfiles(sides[0].profiles, sides[1].profiles)
	if len(pairs) == 0 {
		return fmt.Errorf("why: no benchmark has profiles on both sides (OLD: %s; NEW: %s); pick one on each side with SEL@BENCH",
			profileNames(sides[0].profiles), profileNames(sides[1].profiles))
	}
	report := &profdiff.Report{}
	for _, pr := range pairs {
		cmpn, err := stored.Compare(c.Context, db, pr, kinds, profdiff.Options{Top: c.Int("top")})
		if err != nil {
			return fmt.Errorf("why: %w", err)
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
