package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/benchdb/benchdb/reports"
	"github.com/urfave/cli/v2"
)

// compareCommand returns `benchdb compare`.
func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "compare stored runs the way benchstat does",
		ArgsUsage: "SEL...",
		Description: `compare shows benchmark medians with confidence intervals in a table with a
row per benchmark and a column per selector, and compares every column
with the first (the baseline) using a Mann-Whitney U test, exactly as
benchstat computes it: "~" means no significant difference. Each change
also gets a verdict, regression or improvement, from the unit's direction
(lower is better, except rates such as B/s and units whose metadata says
"Unit X better=higher").

A selector SEL is one of:
   42              the run with id 42 (see benchdb runs)
   latest          the newest run
   latest~N        the run N before the newest
   KEY:VALUE ...   every run whose labels or configuration match a
                   benchproc filter, e.g. profile:elixir-1.5.1 or
                   "branch:main commit:abc123"
   NAME=SEL        any of the above, with its column titled NAME
Several runs matched by one selector form one sample set. A prefix before
'=' is a name only if it has no ':', space, quote or parenthesis. A query
names run labels and configuration only: keys of results (.name,
.fullname, /KEY, .unit) are refused; use --filter for them. Put -- before
a selector that starts with '-' (benchdb compare -- -branch:main latest).
Flags may also follow the selectors, as in
benchdb compare 1 2 --format json.

--col, --row, --table, --filter and --ignore take benchstat's benchproc
syntax: .name, .fullname, /KEY (a key=value level of the benchmark name),
any configuration key (goos, pkg, ...), ordering with @alpha, @num or
@(v1 v2 ...). Every run label is also a key (a file configuration line
of the same name wins), and so is .sel, the selector's name, which is the
default column; .file is an alias of .sel, as in benchstat.

The text and CSV formats are benchstat's, byte for byte; with --threshold
or --fail-on-regression the text lists verdicts under each table and the
CSV gets a verdict column. CSV warnings go to standard error, naming their
spreadsheet cells. NaN values are left out of the statistics, with a
footnote.

Examples:
   benchdb compare latest~1 latest
   benchdb compare old=3 new=4 --format markdown
   benchdb compare --col /profile latest
   benchdb compare base=branch:main pr=branch:feature --threshold 5% --fail-on-regression
   benchdb compare --col .file -- -branch:main latest
   benchdb compare --filter '.name:Select /depth:(1000 OR 100000)' --row /depth --col /profile latest
   benchdb compare --format json 1 2 | jq '.tables[].rows[].deltas'

Exit status: 0 done, 1 a regression was found with --fail-on-regression,
2 an error (no such run, a selector that matches nothing, a bad flag).`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{Name: "col", Usage: "split results into columns by `PROJECTION` (default: the selector, .sel)", Category: catFilter},
			&cli.StringFlag{Name: "row", Usage: "split results into rows by `PROJECTION`", Value: reports.DefaultRow, Category: catFilter},
			&cli.StringFlag{Name: "table", Usage: "split results into tables by `PROJECTION` (and by unit)", Value: reports.DefaultTable, Category: catFilter},
			&cli.StringFlag{Name: "filter", Usage: "use only results matching the benchproc `QUERY`", Value: "*", Category: catFilter},
			&cli.StringFlag{Name: "ignore", Usage: "do not warn about variation in `KEYS`", Category: catFilter},
			&cli.Float64Flag{Name: "alpha", Usage: "a change is significant if p <= `A`, in [0, 1]", Value: reports.DefaultAlpha, Category: catOutput},
			&cli.Float64Flag{Name: "confidence", Usage: "confidence `LEVEL` of the intervals, in [0, 1]", Value: reports.DefaultConfidence, Category: catOutput},
			&cli.StringFlag{Name: "threshold", Usage: "report significant changes smaller than `PCT` percent (5 or 5%) as unchanged", Value: "0", Category: catOutput},
			&cli.BoolFlag{Name: "fdr", Usage: "control the false discovery rate across rows (Benjamini-Hochberg)", Category: catOutput},
			&cli.StringFlag{Name: "sort", Usage: "row `ORDER`: name (benchstat's order) or delta (worst regression first)", Value: "name", Category: catOutput},
			&cli.BoolFlag{Name: "fail-on-regression", Usage: "exit with status 1 if any row regressed", Category: catOutput},
			formatFlag("text", "json", "csv", "markdown"),
		}),
		Action: compareAction,
	}
}

func compareAction(c *cli.Context) error {
	// A single dash may start a negated query (-branch:main).
	args, err := positionalArgs(c, true)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("compare: want at least one selector (a run id, latest, latest~N or a label query); see benchdb compare --help")
	}
	var sels []reports.Selector
	for _, arg := range args {
		s, err := reports.ParseSelector(arg)
		if err != nil {
			return usagef("compare: %v", err)
		}
		sels = append(sels, s)
	}
	opts := reports.Options{
		Table:         c.String("table"),
		Row:           c.String("row"),
		Col:           c.String("col"),
		Filter:        c.String("filter"),
		Ignore:        c.String("ignore"),
		Confidence:    c.Float64("confidence"),
		ConfidenceSet: true,
		Alpha:         c.Float64("alpha"),
		AlphaSet:      true,
		FDR:           c.Bool("fdr"),
	}
	// An explicitly empty projection means no key at all (one table
	// per unit, one row or one column), as in benchstat; in Options an
	// empty string means the default, and a blank one parses as empty.
	for name, p := range map[string]*string{"table": &opts.Table, "row": &opts.Row, "col": &opts.Col} {
		if *p == "" && c.IsSet(name) {
			*p = " "
		}
	}
	switch c.String("sort") {
	case "name":
	case "delta":
		opts.SortByDelta = true
	default:
		return usagef("--sort %q: want name or delta", c.String("sort"))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"alpha", opts.Alpha}, {"confidence", opts.Confidence}} {
		if !(f.v >= 0 && f.v <= 1) {
			return usagef("--%s %v: must be in [0, 1]", f.name, f.v)
		}
	}
	if opts.Threshold, err = parsePercent(c.String("threshold")); err != nil {
		return usagef("--threshold %q: %v", c.String("threshold"), err)
	}

	db, err := openExistingStore(c)
	if err != nil {
		return err
	}
	defer db.Close()

	cmp, err := reports.Compare(c.Context, db, sels, opts)
	var oerr *reports.OptionError
	if errors.As(err, &oerr) {
		return usagef("compare: %v", err)
	}
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}

	w := c.App.Writer
	// Verdicts are shown when asked for; otherwise the text and CSV
	// formats are benchstat's.
	verdicts := c.IsSet("threshold") || c.Bool("fail-on-regression")
	switch c.String("format") {
	case "json":
		err = cmp.WriteJSON(w)
	case "csv":
		// Warnings go to standard error, naming their spreadsheet
		// cells, as benchstat writes them.
		err = cmp.WriteCSV(w, c.App.ErrWriter, reports.CSVOptions{Verdicts: verdicts})
	case "markdown":
		err = cmp.WriteMarkdown(w)
	default:
		err = cmp.WriteText(w, reports.TextOptions{Verdicts: verdicts})
	}
	if err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	if c.Bool("fail-on-regression") {
		if n := cmp.Regressions(); n > 0 {
			return fmt.Errorf("%w: %d row(s) regressed", errRegression, n)
		}
	}
	return nil
}

// parsePercent reads a percentage written as 5, 5% or 2.5%, the
// syntax benchdb report's --threshold takes too.
func parsePercent(s string) (float64, error) {
	pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || !(pct >= 0 && pct < 1000) {
		return 0, errors.New("want a percentage of 0 or more, such as 5 or 5%")
	}
	return pct, nil
}
