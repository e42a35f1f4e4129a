package reports

import (
	"fmt"
)

// Defaults for Options, as benchstat has them.
const (
	DefaultTable      = ".config"
	DefaultRow        = ".fullname"
	DefaultConfidence = 0.95
	DefaultAlpha      = 0.05
)

// SelectorKey is the configuration key that Compare sets on every result
// to the name of the selector that read it. The default column
// projection is this key, so each selector is one column.
const SelectorKey = ".sel"

// FileKey is benchstat's name for the column of an input file. Compare
// sets it to the same value as SelectorKey: the two are aliases. Like
// run labels, neither is file configuration, so neither splits tables
// nor causes "benchmarks vary in" warnings.
const FileKey = ".file"

// Options say how results are grouped and compared. The projection and
// filter fields use benchproc's syntax and mirror benchstat's flags; an
// empty string means the default.
type Options struct {
	Table  string // split into tables by this projection (DefaultTable)
	Row    string // split into rows by this projection (DefaultRow)
	Col    string // split into columns by this projection (SelectorKey)
	Filter string // keep only results matching this filter ("*")
	Ignore string // ignore variation in these keys (no "benchmarks vary in" warning)

	// Confidence is the confidence level of the intervals around each
	// median, in [0, 1]; 0 means DefaultConfidence unless
	// ConfidenceSet.
	Confidence float64
	// Alpha is the significance level of the Mann-Whitney U test, in
	// [0, 1]; 0 means DefaultAlpha unless AlphaSet.
	Alpha float64
	// ConfidenceSet and AlphaSet make a Confidence or Alpha of 0 mean
	// 0 (as benchstat's -confidence 0 and -alpha 0 do) rather than the
	// default.
	ConfidenceSet, AlphaSet bool
	// Threshold is a minimum effect in percent: a significant change
	// whose size is below it gets the verdict Unchanged.
	Threshold float64
	// FDR applies Benjamini-Hochberg adjustment to the p-values of each
	// column of each table before deciding significance.
	FDR bool
	// SortByDelta orders rows worst regression first, by the delta of
	// the last column, instead of benchstat's order.
	SortByDelta bool
}

func (o Options) withDefaults() Options {
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if o.Row == "" {
		o.Row = DefaultRow
	}
	if o.Col == "" {
		o.Col = SelectorKey
	}
	if o.Filter == "" {
		o.Filter = "*"
	}
	if o.Confidence == 0 && !o.ConfidenceSet {
		o.Confidence = DefaultConfidence
	}
	if o.Alpha == 0 && !o.AlphaSet {
		o.Alpha = DefaultAlpha
	}
	return o
}

// An OptionError is an invalid option value. Option is the flag name
// (table, row, col, filter, ignore, confidence, alpha, threshold).
type OptionError struct {
	Option string
	Value  string
	Err    error
}

// Error returns a one-line message. benchproc's syntax errors come with
// a caret under the query; that becomes "(at column N)".
func (e *OptionError) Error() string {
	return fmt.Sprintf("--%s %q: %s", e.Option, e.Value, syntaxLine(e.Err, e.Value))
}

func (e *OptionError) Unwrap() error { return e.Err }
