package reports

import (
	"context"
	"math"
	"slices"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"

	"github.com/benchdb/benchdb/internal/mathx"
	"github.com/benchdb/benchdb/store/storedata"
)

// A Summary summarises one benchmark's values in one unit of a run, as
// `benchdb show` and the server's run pages present them. Statistics are
// null in JSON where they do not exist: Lo and Hi when the sample is too
// small for a confidence interval, every one when no value is finite.
type Summary struct {
	Pkg    string   `json:"pkg"`
	Name   string   `json:"name"`
	Unit   string   `json:"unit"`
	N      int      `json:"n"` // finite values, the ones summarised
	Median *float64 `json:"median"`
	// Lo and Hi bound the 95% confidence interval of the median.
	Lo  *float64 `json:"lo"`
	Hi  *float64 `json:"hi"`
	Min *float64 `json:"min"`
	Max *float64 `json:"max"`
	// NonFinite counts the NaN and ±Inf values left out of the summary.
	NonFinite int `json:"non_finite"`
}

// Summarise groups run id's values by package, benchmark and unit, in the
// order they first appear, and summarises each group as benchstat does
// (median and 95% interval under the unit's assumption). NaN and ±Inf
// values are left out of the statistics and counted in NonFinite.
func Summarise(ctx context.Context, src Source, id int64) ([]Summary, error) {
	meta, err := src.UnitMetadata(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	units := benchfmt.UnitMetadataMap{}
	for _, m := range meta {
		units[m.UnitMetadataKey] = m
	}
	type key struct{ pkg, name, unit string }
	var order []key
	values := map[key][]float64{}
	err = src.Results(ctx, []int64{id}, func(_ int64, r *benchfmt.Result) error {
		pkg := r.GetConfig("pkg")
		for _, v := range r.Values {
			k := key{pkg, string(r.Name), v.Unit}
			if _, ok := values[k]; !ok {
				order = append(order, k)
			}
			values[k] = append(values[k], v.Value)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(order))
	for _, k := range order {
		all := values[k]
		vals := slices.DeleteFunc(slices.Clone(all), func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
		s := Summary{Pkg: k.pkg, Name: k.name, Unit: k.unit, N: len(vals), NonFinite: len(all) - len(vals)}
		if len(vals) > 0 {
			sample := benchmath.NewSample(vals, &benchmath.DefaultThresholds)
			sum := units.GetAssumption(k.unit).Summary(sample, 0.95)
			s.Median, s.Lo, s.Hi = mathx.Finite(sum.Center), mathx.Finite(sum.Lo), mathx.Finite(sum.Hi)
			s.Min, s.Max = mathx.Finite(sample.Values[0]), mathx.Finite(sample.Values[len(sample.Values)-1])
		}
		out = append(out, s)
	}
	return out, nil
}

// A ProfileEntry describes one stored profile of a run, without its data,
// as `benchdb show --format json` and the server's GET /api/v1/runs/{id}
// list them.
type ProfileEntry struct {
	Pkg    string `json:"pkg"`
	Name   string `json:"name"`
	Side   string `json:"side"`
	Kind   string `json:"kind"`
	Setup  bool   `json:"setup"`
	Iters  int64  `json:"iters"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ProfileEntries lists ps as ProfileEntries: never nil, so that JSON has
// [] for a run without profiles.
func ProfileEntries(ps []storedata.Profile) []ProfileEntry {
	out := make([]ProfileEntry, 0, len(ps))
	for _, p := range ps {
		out = append(out, ProfileEntry{Pkg: p.Pkg, Name: p.Name, Side: p.Side, Kind: p.Kind, Setup: p.Setup, Iters: p.Iters, Size: p.Size, SHA256: p.SHA256})
	}
	return out
}
