// Package profdifftest builds pprof profiles for tests of the packages
// that read them.
package profdifftest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// CPUProfile returns the encoded CPU profile whose samples are the given
// stacks (frames outermost first, split at "|") with their nanoseconds.
func CPUProfile(tb testing.TB, stacks map[string]int64) []byte {
	tb.Helper()
	p := &profile.Profile{
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 1,
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
	}
	locs := map[string]*profile.Location{}
	for stack, v := range stacks {
		frames := strings.Split(stack, "|")
		var ls []*profile.Location
		for i := len(frames) - 1; i >= 0; i-- {
			loc := locs[frames[i]]
			if loc == nil {
				fn := &profile.Function{ID: uint64(len(locs) + 1), Name: frames[i]}
				loc = &profile.Location{ID: fn.ID, Line: []profile.Line{{Function: fn}}}
				locs[frames[i]] = loc
				p.Function = append(p.Function, fn)
				p.Location = append(p.Location, loc)
			}
			ls = append(ls, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: ls, Value: []int64{1, v}})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
