package stored

import (
	"context"
	"fmt"

	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/store/storedata"
)

// A Regression is one benchmark's change between two runs, such as a
// nightly report finds: Unit is the unit that changed (sec/op, B/op, ...),
// Good the last run before the change and Change the run where it
// started. Pkg and Name are as stored (Name with its -GOMAXPROCS suffix).
type Regression struct {
	Pkg, Name, Unit string
	Good, Change    int64
}

// An Explanation is the difference of the profiles of a regression's two
// runs: Comparison holds one Result, of the Good run's profiles against
// the Change run's.
type Explanation struct {
	Regression
	Comparison profdiff.Comparison
}

// profileKind is the profile kind that explains a change in unit: CPU
// profiles for sec/op, allocation profiles for B/op, none for the others.
func profileKind(unit string) (string, bool) {
	switch unit {
	case "sec/op":
		return storedata.ProfileCPU, true
	case "B/op":
		return storedata.ProfileAlloc, true
	}
	return "", false
}

// Explain returns, in the order of regs, the difference (profdiff.Diff
// with opts) of the profiles of each regression in sec/op (CPU profiles)
// or B/op (allocation profiles) whose Good and Change runs both hold
// profiles of that kind of its benchmark, setup profiles subtracted as
// ReadSide does. A regression in another unit, or without such profiles
// on both runs, is left out; a profile that cannot be read is an error.
func Explain(ctx context.Context, src Source, regs []Regression, opts profdiff.Options) ([]Explanation, error) {
	var out []Explanation
	for _, r := range regs {
		kind, ok := profileKind(r.Unit)
		if !ok {
			continue
		}
		b := Bench{Pkg: r.Pkg, Name: r.Name}
		var sides [2]profdiff.Side
		for i, id := range []int64{r.Good, r.Change} {
			ps, err := src.Profiles(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("why %s: %w", r.Name, err)
			}
			var mine []storedata.Profile
			for _, p := range ps {
				if !p.Setup && p.Kind == kind && p.Pkg == b.Pkg && p.Name == b.Name {
					mine = append(mine, p)
				}
			}
			if len(mine) == 0 {
				ok = false
				break
			}
			if sides[i], err = ReadSide(ctx, src, b, mine, kind); err != nil {
				return nil, fmt.Errorf("why %s: %w", r.Name, err)
			}
		}
		if !ok {
			continue
		}
		res, err := profdiff.Diff(kind, sides[0], sides[1], opts)
		if err != nil {
			return nil, fmt.Errorf("why %s: %w", r.Name, err)
		}
		out = append(out, Explanation{Regression: r, Comparison: profdiff.Comparison{
			Pkg: b.Pkg, OldName: b.Name, NewName: b.Name,
			OldRuns: []int64{r.Good}, NewRuns: []int64{r.Change}, Results: []*profdiff.Result{res},
		}})
	}
	return out, nil
}
