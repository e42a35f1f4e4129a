package reports

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/benchdb/benchdb/internal/mathx"
)

// JSON output types. Field names are the API documented in the README;
// numbers are in the table's base unit (seconds, bytes).
type (
	jsonOutput struct {
		Tables   []jsonTable `json:"tables"`
		Warnings []string    `json:"warnings"`
	}
	jsonTable struct {
		Config  map[string]string `json:"config"`
		Unit    string            `json:"unit"`
		Better  string            `json:"better"`
		Columns []string          `json:"columns"`
		Rows    []jsonRow         `json:"rows"`
		Geomean *jsonGeomean      `json:"geomean"`
	}
	jsonRow struct {
		Name   string       `json:"name"`
		Cells  []*jsonCell  `json:"cells"`
		Deltas []*jsonDelta `json:"deltas"`
	}
	jsonCell struct {
		Center *float64 `json:"center"`
		Lo     *float64 `json:"lo"`
		Hi     *float64 `json:"hi"`
		N      int      `json:"n"`
	}
	jsonDelta struct {
		Pct         *float64 `json:"pct"`
		P           *float64 `json:"p"`
		Significant bool     `json:"significant"`
		Verdict     Verdict  `json:"verdict"`
	}
	jsonGeomean struct {
		Centers []*float64 `json:"centers"`
		Pcts    []*float64 `json:"pcts"`
	}
)

// WriteJSON writes c as one JSON object:
//
//	{"tables": [{"config": {"goos": "linux", ...}, "unit": "sec/op",
//	  "better": "lower", "columns": ["old", "new"],
//	  "rows": [{"name": "Encode", "cells": [{"center": 1.2e-7, "lo": ...,
//	    "hi": ..., "n": 10}, null], "deltas": [null, {"pct": 4.9,
//	    "p": 0.0002, "significant": true, "verdict": "regression"}]}],
//	  "geomean": {"centers": [..], "pcts": [null, ..]}}],
//	 "warnings": ["..."]}
//
// A cell or delta with no data is null, as are lo and hi when the
// interval is unbounded (too few samples), and pct when the baseline is
// 0. Every number that is not finite (a center of ±Inf or NaN, from
// samples holding ±Inf or only NaN) is null: JSON has no NaN or Inf. p
// is the Benjamini-Hochberg adjusted p-value when Options.FDR is set.
func (c *Comparison) WriteJSON(w io.Writer) error {
	out := jsonOutput{Tables: []jsonTable{}, Warnings: c.Warnings()}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	for _, t := range c.Tables {
		jt := jsonTable{Config: map[string]string{}, Unit: t.Unit, Better: "lower", Columns: t.ColumnNames(), Rows: []jsonRow{}}
		if t.Better > 0 {
			jt.Better = "higher"
		}
		for _, kv := range t.Config() {
			jt.Config[kv[0]] = kv[1]
		}
		for _, r := range t.Rows {
			jr := jsonRow{Name: r.Name, Cells: make([]*jsonCell, len(r.Cells)), Deltas: make([]*jsonDelta, len(r.Deltas))}
			for i, cell := range r.Cells {
				if cell == nil {
					continue
				}
				jr.Cells[i] = &jsonCell{
					Center: mathx.Finite(cell.Summary.Center), Lo: mathx.Finite(cell.Summary.Lo), Hi: mathx.Finite(cell.Summary.Hi),
					N: len(cell.Sample.Values),
				}
			}
			for i, d := range r.Deltas {
				if d == nil {
					continue
				}
				jr.Deltas[i] = &jsonDelta{Pct: mathx.Finite(d.Pct), P: mathx.Finite(d.P), Significant: d.Significant, Verdict: d.Verdict}
			}
			jt.Rows = append(jt.Rows, jr)
		}
		if g := t.Geomean; g != nil {
			jg := &jsonGeomean{Centers: make([]*float64, len(g.Centers)), Pcts: make([]*float64, len(g.Pcts))}
			for i := range g.Centers {
				jg.Centers[i] = mathx.Finite(g.Centers[i])
				jg.Pcts[i] = mathx.Finite(g.Pcts[i])
			}
			jt.Geomean = jg
		}
		out.Tables = append(out.Tables, jt)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Warnings returns every warning of c, each naming its place as
// "UNIT ROW [COLUMN]: message", in table, row and column order, without
// repeats.
func (c *Comparison) Warnings() []string {
	var out []string
	seen := map[string]bool{}
	add := func(t *Table, row, col string, errs []error) {
		for _, e := range errs {
			s := fmt.Sprintf("%s %s [%s]: %v", t.Unit, row, col, e)
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	for _, t := range c.Tables {
		cols := t.ColumnNames()
		for _, r := range t.Rows {
			for i, cell := range r.Cells {
				if cell != nil {
					add(t, r.Name, cols[i], cell.Warnings)
				}
				if d := r.Deltas[i]; d != nil {
					add(t, r.Name, cols[i]+" vs "+cols[0], d.Comparison.Warnings)
				}
			}
		}
		if g := t.Geomean; g != nil {
			for i, ws := range g.Warnings {
				add(t, "geomean", cols[i], ws)
			}
		}
	}
	return out
}

// Regressions counts the deltas whose verdict is Regression.
func (c *Comparison) Regressions() int {
	n := 0
	for _, t := range c.Tables {
		for _, r := range t.Rows {
			for _, d := range r.Deltas {
				if d != nil && d.Verdict == Regression {
					n++
				}
			}
		}
	}
	return n
}
