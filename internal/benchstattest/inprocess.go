package benchstattest

import (
	"bytes"
	"fmt"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// An Input is one input of Stat: its name (benchstat's .file) and
// content.
type Input struct {
	Name string
	Data []byte
}

// Stat does in this process the work benchstat does with its default
// flags (-table .config, -row .fullname, -col .file, -filter '*') on
// files, short of printing: it reads every file with benchfmt.Reader,
// filters and projects each result with benchproc, gathers the values of
// each (table, row, column) cell, then summarises every cell with its
// unit's assumption at confidence 0.95 and compares each column with the
// first, with benchmath's default thresholds. benchstat's own tables
// package is internal to x/perf, so this is written against the same
// public packages it uses; what it leaves out (text layout, geomeans) is
// a small part of benchstat's time. It returns the number of cells
// summarised, so that callers can check the work was done. It is for
// speed comparisons (the store's and reports' Shape benchmarks).
func Stat(files ...Input) (cells int, err error) {
	filter, err := benchproc.NewFilter("*")
	if err != nil {
		return 0, err
	}
	var parser benchproc.ProjectionParser
	tableBy, unitField, err := parser.ParseWithUnit(".config", filter)
	if err != nil {
		return 0, err
	}
	rowBy, err := parser.Parse(".fullname", filter)
	if err != nil {
		return 0, err
	}
	colBy, err := parser.Parse(".file", filter)
	if err != nil {
		return 0, err
	}
	if _, err := parser.Parse("", filter); err != nil {
		return 0, err
	}
	residue := parser.Residue()

	type cellKey struct{ table, row, col benchproc.Key }
	type cell struct {
		values  []float64
		residue map[benchproc.Key]struct{}
	}
	cellsByKey := map[cellKey]*cell{}
	var order []cellKey
	units := benchfmt.UnitMetadataMap{}
	for _, f := range files {
		// As benchfmt.Files does, whose .file key the -col projection
		// reads.
		r := benchfmt.NewReader(nil, f.Name)
		r.Reset(bytes.NewReader(f.Data), f.Name, ".file", f.Name)
		for r.Scan() {
			res, ok := r.Result().(*benchfmt.Result)
			if !ok {
				continue
			}
			if ok, _ := filter.Apply(res); !ok {
				continue
			}
			tables := tableBy.ProjectValues(res)
			row, col, rk := rowBy.Project(res), colBy.Project(res), residue.Project(res)
			for i, t := range tables {
				k := cellKey{t, row, col}
				c := cellsByKey[k]
				if c == nil {
					c = &cell{residue: map[benchproc.Key]struct{}{}}
					cellsByKey[k] = c
					order = append(order, k)
				}
				c.values = append(c.values, res.Values[i].Value)
				c.residue[rk] = struct{}{}
			}
		}
		if err := r.Err(); err != nil {
			return 0, fmt.Errorf("read %s: %w", f.Name, err)
		}
		for k, v := range r.Units() {
			units[k] = v
		}
	}

	thresholds := benchmath.DefaultThresholds
	var first benchproc.Key
	if len(order) > 0 {
		first = order[0].col
	}
	samples := map[cellKey]*benchmath.Sample{}
	for _, k := range order {
		unit := k.table.Get(unitField)
		a := units.GetAssumption(unit)
		s := benchmath.NewSample(cellsByKey[k].values, &thresholds)
		samples[k] = s
		a.Summary(s, 0.95)
		cells++
	}
	for _, k := range order {
		if k.col == first {
			continue
		}
		base, ok := samples[cellKey{k.table, k.row, first}]
		if !ok {
			continue
		}
		units.GetAssumption(k.table.Get(unitField)).Compare(base, samples[k])
	}
	return cells, nil
}
