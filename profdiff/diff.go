package profdiff

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// Kinds of profile, and the sample type each is read from.
const (
	KindCPU   = "cpu"   // sample type cpu/nanoseconds, in seconds
	KindAlloc = "alloc" // sample type alloc_space/bytes, in bytes
)

// Defaults for Options fields left zero.
const (
	DefaultTop   = 10
	DefaultPaths = 3
)

// Options tune Diff.
type Options struct {
	// Top is the number of functions kept; DefaultTop when zero.
	Top int
	// Paths is the number of call paths kept per function;
	// DefaultPaths when zero.
	Paths int
}

// A Side is the profiles of one side of a comparison.
type Side struct {
	// Label names the side in output, such as "run 3 Select/n=10-2".
	Label string
	// Profiles are the side's profiles (pprof files, gzip-compressed or
	// not), all of the same kind. They are merged.
	Profiles [][]byte
	// Iters are the iteration counts of the benchmark runs that wrote
	// Profiles, one each.
	Iters []int64
	// Setup, when not empty, are profiles of the same benchmark run for
	// fewer iterations (SetupIters, one each; runner profiles one
	// iteration): what they hold is done once per run whatever the
	// count (setup outside the timed loop, the profiler's own work), so
	// they are subtracted, and the cost per op is
	// (Profiles - Setup) / (sum of Iters - sum of SetupIters).
	Setup      [][]byte
	SetupIters []int64
	// Measured is the cost per operation the benchmark measured, in the
	// kind's base unit (seconds or bytes), from its timed runs; NaN
	// when unknown.
	Measured float64
}

// Check parses data as a pprof profile and checks that it is valid. It
// is what Diff reports for a corrupt profile.
func Check(data []byte) error {
	_, err := parse(data)
	return err
}

func parse(data []byte) (*profile.Profile, error) {
	if len(data) == 0 {
		return nil, errors.New("parse profile: empty")
	}
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse profile: %s", oneLine(err.Error()))
	}
	if err := p.CheckValid(); err != nil {
		return nil, fmt.Errorf("parse profile: %s", oneLine(err.Error()))
	}
	return p, nil
}

// oneLine joins the lines of s with "; ".
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ; ")), " ")
}

// A Result is the difference between two sides' profiles of one kind.
// All costs are per operation, in Unit.
type Result struct {
	Kind string
	// Unit is "seconds" or "bytes".
	Unit     string
	Old, New SideSummary
	// Change is the change the shares are of: NEW's measured cost minus
	// OLD's when both are known, else the change of the profiles' totals.
	Change float64
	// ChangeSource is "measured" or "profile", saying which.
	ChangeSource string
	// Functions are the functions whose flat cost grew most, most
	// first, at most Options.Top, only those that grew by at least a
	// thousandth of the first.
	Functions []Function
	// Cumulative are the functions whose cumulative cost grew most.
	Cumulative []Function
	// Tree is the merged call tree of both sides, from a root whose
	// children are the outermost frames kept, for the icicle graph.
	Tree *Node
}

// A SideSummary describes one side of a Result.
type SideSummary struct {
	Label string
	// Profiles is the number of profiles merged; Iters the sum of their
	// iteration counts. SetupIters is the sum of the setup profiles'
	// counts, zero when there are none.
	Profiles   int
	Iters      int64
	SetupIters int64
	// Total is the profile's total cost per operation.
	Total float64
	// Measured is the measured cost per operation; NaN when unknown.
	Measured float64
}

// A Function is one function's cost per operation on both sides.
type Function struct {
	// Name is the function's full name; File its source file.
	Name, File       string
	FlatOld, FlatNew float64
	CumOld, CumNew   float64
	// Paths are the call paths that lead to the function whose cost
	// grew most, most first.
	Paths []Path
}

// FlatDelta returns FlatNew - FlatOld.
func (f Function) FlatDelta() float64 { return f.FlatNew - f.FlatOld }

// CumDelta returns CumNew - CumOld.
func (f Function) CumDelta() float64 { return f.CumNew - f.CumOld }

// A Path is a call path from the outermost kept frame down to a function,
// with its cumulative cost on both sides.
type Path struct {
	Frames   []string
	Old, New float64
}

// Delta returns New - Old.
func (p Path) Delta() float64 { return p.New - p.Old }

// A Node is one frame of the call tree: Old and New are the cumulative
// cost per operation of the stacks through it.
type Node struct {
	Name     string
	Old, New float64
	Children []*Node
}

// Share returns v as a fraction of r.Change, and false when the change is
// zero (no share is defined).
func (r *Result) Share(v float64) (float64, bool) {
	if r.Change == 0 || math.IsNaN(r.Change) {
		return 0, false
	}
	return v / r.Change, true
}

// ProfileShare returns v as a fraction of the change of the profiles'
// totals, and false when that change is zero. It differs from Share when
// the measured change is not all CPU time (a loaded machine, waiting) or
// the profiles hold work outside the timed loop.
func (r *Result) ProfileShare(v float64) (float64, bool) {
	d := r.New.Total - r.Old.Total
	if d == 0 || math.IsNaN(d) {
		return 0, false
	}
	return v / d, true
}

// Diff parses and merges each side's profiles of the given kind, divides
// them by the side's iterations, and compares them. An error names the
// side and the profile at fault.
func Diff(kind string, old, new Side, opts Options) (*Result, error) {
	var sampleType, unit string
	var scale float64
	switch kind {
	case KindCPU:
		sampleType, unit, scale = "cpu", "seconds", 1e-9
	case KindAlloc:
		sampleType, unit, scale = "alloc_space", "bytes", 1
	default:
		return nil, fmt.Errorf("profile kind %q: want %s or %s", kind, KindCPU, KindAlloc)
	}
	top := cmp.Or(opts.Top, DefaultTop)
	npaths := cmp.Or(opts.Paths, DefaultPaths)
	r := &Result{Kind: kind, Unit: unit}
	acc := newAccumulator()
	for i, s := range []Side{old, new} {
		p, iters, err := mergeSide(s.Profiles, s.Iters, sampleType)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Label, err)
		}
		var setup *profile.Profile
		var setupIters int64
		if len(s.Setup) > 0 {
			if setup, setupIters, err = mergeSide(s.Setup, s.SetupIters, sampleType); err != nil {
				return nil, fmt.Errorf("%s: setup %w", s.Label, err)
			}
			if setupIters >= iters {
				return nil, fmt.Errorf("%s: setup profiles ran %d iterations, not fewer than the %d of the profiles", s.Label, setupIters, iters)
			}
		}
		factor := scale / float64(iters-setupIters)
		total := acc.add(p, sampleIndex(p, sampleType), i, factor)
		if setup != nil {
			total += acc.add(setup, sampleIndex(setup, sampleType), i, -factor)
		}
		sum := SideSummary{Label: s.Label, Profiles: len(s.Profiles), Iters: iters, SetupIters: setupIters, Total: total, Measured: s.Measured}
		if i == 0 {
			r.Old = sum
		} else {
			r.New = sum
		}
	}
	r.Change, r.ChangeSource = r.New.Total-r.Old.Total, "profile"
	if !math.IsNaN(r.Old.Measured) && !math.IsNaN(r.New.Measured) {
		r.Change, r.ChangeSource = r.New.Measured-r.Old.Measured, "measured"
	}
	r.Functions = acc.functions(func(f Function) float64 { return f.FlatDelta() }, top, npaths)
	r.Cumulative = acc.functions(func(f Function) float64 { return f.CumDelta() }, top, npaths)
	r.Tree = acc.root
	sortTree(r.Tree)
	return r, nil
}

func sampleIndex(p *profile.Profile, sampleType string) int {
	return slices.IndexFunc(p.SampleType, func(st *profile.ValueType) bool { return st.Type == sampleType })
}

// mergeSide parses and merges profiles and sums their iterations.
func mergeSide(profiles [][]byte, counts []int64, sampleType string) (*profile.Profile, int64, error) {
	if len(profiles) == 0 {
		return nil, 0, errors.New("no profiles")
	}
	if len(counts) != len(profiles) {
		return nil, 0, fmt.Errorf("%d profiles but %d iteration counts", len(profiles), len(counts))
	}
	var ps []*profile.Profile
	var iters int64
	for i, data := range profiles {
		p, err := parse(data)
		if err != nil {
			return nil, 0, fmt.Errorf("profile %d: %w", i+1, err)
		}
		if !slices.ContainsFunc(p.SampleType, func(st *profile.ValueType) bool { return st.Type == sampleType }) {
			var have []string
			for _, st := range p.SampleType {
				have = append(have, st.Type)
			}
			return nil, 0, fmt.Errorf("profile %d: no %s samples (it has %s)", i+1, sampleType, strings.Join(have, ", "))
		}
		if counts[i] <= 0 {
			return nil, 0, fmt.Errorf("profile %d: iteration count %d", i+1, counts[i])
		}
		ps = append(ps, p)
		iters += counts[i]
	}
	if len(ps) == 1 {
		return ps[0], iters, nil
	}
	p, err := profile.Merge(ps)
	if err != nil {
		return nil, 0, fmt.Errorf("merge profiles: %s", oneLine(err.Error()))
	}
	return p, iters, nil
}
