// Package stored reads the pprof profiles that a store keeps with its
// runs (benchdb run --pprof, ab --profile, bisect --profile): it lists
// them by kind and benchmark pattern, reads them as profdiff sides, pairs
// the benchmarks of two sets of runs, and compares them; Explain diffs
// the profiles of the two runs around each of a report's regressions.
// benchdb why, export --profile and the nightly report's explanations
// (benchdb report) share it.
//
// It reads through Source, the few methods of store.DB it needs, so it
// builds without cgo; profdiff itself knows nothing of the store.
package stored

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/benchname"
	"github.com/benchdb/benchdb/internal/mathx"
	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store/storedata"
)

// Source is what this package reads of a store; *store.DB is one.
type Source interface {
	// Profiles lists the profiles stored with run id, setup ones too.
	Profiles(ctx context.Context, id int64) ([]storedata.Profile, error)
	// ProfileData returns one profile's bytes.
	ProfileData(ctx context.Context, p storedata.Profile) ([]byte, error)
	// Results calls fn with each result of the runs ids.
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
}

// A Bench names one benchmark: its package and its full name as stored
// (with the -GOMAXPROCS suffix).
type Bench struct{ Pkg, Name string }

// A Pair is one benchmark's profiles on both sides of a comparison; Old
// and New differ when each side has one benchmark of its own.
type Pair struct {
	Old, New                 Bench
	OldProfiles, NewProfiles []storedata.Profile
}

// PairProfiles pairs the benchmarks of old and new: the one benchmark of
// each side when each has one, else those with the same package and
// name, in package and name order. It returns nil when no benchmark is
// on both sides.
func PairProfiles(old, new []storedata.Profile) []Pair {
	group := func(ps []storedata.Profile) ([]Bench, map[Bench][]storedata.Profile) {
		m := map[Bench][]storedata.Profile{}
		var keys []Bench
		for _, p := range ps {
			k := Bench{p.Pkg, p.Name}
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = append(m[k], p)
		}
		slices.SortFunc(keys, func(a, b Bench) int { return cmp.Or(cmp.Compare(a.Pkg, b.Pkg), cmp.Compare(a.Name, b.Name)) })
		return keys, m
	}
	ok, om := group(old)
	nk, nm := group(new)
	if len(ok) == 1 && len(nk) == 1 {
		return []Pair{{Old: ok[0], New: nk[0], OldProfiles: om[ok[0]], NewProfiles: nm[nk[0]]}}
	}
	var pairs []Pair
	for _, k := range ok {
		if ps, found := nm[k]; found {
			pairs = append(pairs, Pair{Old: k, New: k, OldProfiles: om[k], NewProfiles: ps})
		}
	}
	return pairs
}

// Compare diffs one pair, kind by kind (profdiff.Diff with opts), leaving
// out a kind that is not on both sides. It is an error when no kind is.
func Compare(ctx context.Context, src Source, pr Pair, kinds []string, opts profdiff.Options) (profdiff.Comparison, error) {
	out := profdiff.Comparison{Pkg: pr.Old.Pkg, OldName: pr.Old.Name, NewName: pr.New.Name,
		OldRuns: runIDs(pr.OldProfiles), NewRuns: runIDs(pr.NewProfiles)}
	for _, kind := range kinds {
		old, err := ReadSide(ctx, src, pr.Old, pr.OldProfiles, kind)
		if err != nil {
			return out, err
		}
		new, err := ReadSide(ctx, src, pr.New, pr.NewProfiles, kind)
		if err != nil {
			return out, err
		}
		if len(old.Profiles) == 0 || len(new.Profiles) == 0 {
			continue // this kind is not on both sides
		}
		res, err := profdiff.Diff(kind, old, new, opts)
		if err != nil {
			return out, fmt.Errorf("%s profile: %w", kind, err)
		}
		out.Results = append(out.Results, res)
	}
	if len(out.Results) == 0 {
		return out, fmt.Errorf("%s and %s have no profile kind in common", termsafe.Escape(pr.Old.Name), termsafe.Escape(pr.New.Name))
	}
	return out, nil
}

func runIDs(ps []storedata.Profile) []int64 {
	var ids []int64
	for _, p := range ps {
		if !slices.Contains(ids, p.RunID) {
			ids = append(ids, p.RunID)
		}
	}
	return ids
}

// ReadSide reads the profiles of kind among ps (profiles of benchmark b),
// with the setup profile stored beside each (all or none of them are
// subtracted), and the benchmark's measured cost: the median of its
// sec/op (cpu) or B/op (alloc) in the profiles' runs, NaN when there is
// none. The side's label is the benchmark's name and its runs.
func ReadSide(ctx context.Context, src Source, b Bench, ps []storedata.Profile, kind string) (profdiff.Side, error) {
	s := profdiff.Side{Measured: math.NaN()}
	var ids []int64
	listed := map[int64][]storedata.Profile{} // each run's profiles, for the setup ones
	for _, p := range ps {
		if p.Kind != kind {
			continue
		}
		data, err := src.ProfileData(ctx, p)
		if err != nil {
			return s, err
		}
		s.Profiles = append(s.Profiles, data)
		s.Iters = append(s.Iters, p.Iters)
		ids = append(ids, p.RunID)
		if _, ok := listed[p.RunID]; !ok {
			if listed[p.RunID], err = src.Profiles(ctx, p.RunID); err != nil {
				return s, err
			}
		}
		i := slices.IndexFunc(listed[p.RunID], func(q storedata.Profile) bool {
			return q.Setup && q.Pkg == p.Pkg && q.Name == p.Name && q.Side == p.Side && q.Kind == p.Kind
		})
		if i < 0 {
			continue
		}
		setup, err := src.ProfileData(ctx, listed[p.RunID][i])
		if err != nil {
			return s, err
		}
		s.Setup = append(s.Setup, setup)
		s.SetupIters = append(s.SetupIters, listed[p.RunID][i].Iters)
	}
	if len(s.Setup) != len(s.Profiles) {
		s.Setup, s.SetupIters = nil, nil // subtract all or none
	}
	s.Label = fmt.Sprintf("%s (%s)", termsafe.Escape(b.Name), RunsText(ids))
	if len(ids) == 0 {
		return s, nil
	}
	unit := "sec/op"
	if kind == storedata.ProfileAlloc {
		unit = "B/op"
	}
	var vals []float64
	err := src.Results(ctx, ids, func(_ int64, r *benchfmt.Result) error {
		if r.Name.String() != b.Name || r.GetConfig("pkg") != b.Pkg {
			return nil
		}
		if v, ok := r.Value(unit); ok {
			vals = append(vals, v)
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	if len(vals) > 0 {
		slices.Sort(vals)
		s.Measured = mathx.Median(vals)
	}
	return s, nil
}

// List returns the main (not setup) profiles of runs ids whose benchmark
// matches every pattern in benches (go test -bench patterns, matched as
// runner.Matches does; an empty one matches all) and whose kind is among
// kinds (all when empty), in run order and, within a run, as
// Source.Profiles lists them.
func List(ctx context.Context, src Source, ids []int64, kinds []string, benches ...string) ([]storedata.Profile, error) {
	var out []storedata.Profile
	for _, id := range ids {
		ps, err := src.Profiles(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Setup || len(kinds) > 0 && !slices.Contains(kinds, p.Kind) {
				continue
			}
			ok := true
			for _, re := range benches {
				if re == "" {
					continue
				}
				base, _ := benchname.SplitProcs(p.Name)
				if m, _ := runner.Matches(re, "", "Benchmark"+base); !m {
					ok = false
				}
			}
			if ok {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// RunsText says "run 3" or "runs 3, 4".
func RunsText(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	if len(ids) == 1 {
		return "run " + s[0]
	}
	return "runs " + strings.Join(s, ", ")
}
