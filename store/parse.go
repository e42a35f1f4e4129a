package store

import (
	"context"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/perf/benchfmt"
)

// A countSink counts records, for Check.
type countSink struct {
	results int
}

func (s *countSink) result(*benchfmt.Result) error             { s.results++; return nil }
func (s *countSink) unitMetadata(*benchfmt.UnitMetadata) error { return nil }
func (s *countSink) configLine(int, []byte, []byte)            {}
func (s *countSink) flush() error                              { return nil }
func (s *countSink) count() int                                { return s.results }

// A recordSink takes the records of one input as parseInput reads them.
type recordSink interface {
	result(*benchfmt.Result) error
	unitMetadata(*benchfmt.UnitMetadata) error
	// configLine is called for each configuration line, before the
	// results that follow it, perhaps before results that precede it
	// (benchfmt reads ahead); line tells them apart.
	configLine(line int, key, value []byte)
	flush() error
	count() int // results taken
}

// parseInput reads the records of an input that checkInput accepted
// into sink, writing its content to h, and returns the warnings and
// counts, or the error that makes the whole input fail.
func parseInput(ctx context.Context, src *lineSource, name string, opts IngestOptions, sink recordSink, h hash.Hash) (res Ingested, err error) {
	br := benchfmt.NewReader(&lineFeed{src: src, sink: sink, h: h}, name)
	lastSkipped := 0
	lastSkippedMsg := ""
	warn := func(e *Warning) error {
		if opts.Strict {
			return &InputError{Name: e.Name, Line: e.Line, Msg: e.Msg + " (--strict)"}
		}
		res.Warnings = append(res.Warnings, e)
		if e.Line != lastSkipped {
			res.SkippedLines++
			lastSkipped = e.Line
		}
		lastSkippedMsg = e.Msg
		return nil
	}
	flushSrcWarnings := func() error {
		for _, e := range src.warnings {
			if err := warn(e); err != nil {
				return err
			}
		}
		src.warnings = src.warnings[:0]
		return nil
	}
	lastSyntaxOut := 0
	for br.Scan() {
		if err := flushSrcWarnings(); err != nil {
			return res, err
		}
		switch rec := br.Result().(type) {
		case *benchfmt.Result:
			if err := sink.result(rec); err != nil {
				return res, fmt.Errorf("ingest %s: %w", name, err)
			}
		case *benchfmt.UnitMetadata:
			if err := sink.unitMetadata(rec); err != nil {
				return res, fmt.Errorf("ingest %s: %w", name, err)
			}
		case *benchfmt.SyntaxError:
			lastSyntaxOut = rec.Line
			if err := warn(&Warning{Name: name, Line: src.srcLineOf(rec.Line), Msg: rec.Msg}); err != nil {
				return res, err
			}
		}
	}
	if err := br.Err(); err != nil {
		if ie, ok := errAs(err); ok {
			return res, ie
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return res, fmt.Errorf("ingest %s: %w", name, ctx.Err())
		}
		return res, &InputError{Name: name, Msg: err.Error(), Err: err}
	}
	if err := flushSrcWarnings(); err != nil {
		return res, err
	}
	if lastSyntaxOut > 0 && lastSyntaxOut == src.outLine && src.unterminated && !src.json {
		// The error replaces the warning about the same line.
		res.Warnings = res.Warnings[:len(res.Warnings)-1]
		res.SkippedLines--
		return res, &InputError{Name: name, Line: src.srcLineOf(lastSyntaxOut),
			Msg: "truncated result line at end of input: " + lastSkippedMsg}
	}
	if err := sink.flush(); err != nil {
		return res, fmt.Errorf("ingest %s: %w", name, err)
	}
	if sink.count() == 0 {
		return res, &InputError{Name: name, Msg: "no benchmark results", Err: ErrNoResults}
	}
	res.Results = sink.count()
	return res, nil
}
