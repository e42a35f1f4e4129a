package profdiff_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/runner"
)

// stack is one sample: frames outermost first, and its value.
type stack struct {
	frames []string
	v      int64
}

// mustProfile writes a CPU profile (samples/count, cpu/nanoseconds) with
// the given samples, as go test -cpuprofile would.
func mustProfile(tb testing.TB, kind string, samples ...stack) []byte {
	tb.Helper()
	p := &profile.Profile{PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 1}
	p.SampleType = []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}
	if kind == profdiff.KindAlloc {
		p.PeriodType = &profile.ValueType{Type: "space", Unit: "bytes"}
		p.SampleType = []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"}}
	}
	funcs := map[string]*profile.Function{}
	locs := map[string]*profile.Location{}
	for _, s := range samples {
		var ls []*profile.Location
		for i := len(s.frames) - 1; i >= 0; i-- {
			name := s.frames[i]
			loc := locs[name]
			if loc == nil {
				fn := &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name, Filename: "f.go"}
				funcs[name] = fn
				p.Function = append(p.Function, fn)
				loc = &profile.Location{ID: uint64(len(locs) + 1), Line: []profile.Line{{Function: fn, Line: 1}}}
				locs[name] = loc
				p.Location = append(p.Location, loc)
			}
			ls = append(ls, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: ls, Value: []int64{1, s.v}})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func TestDiff_numbers(t *testing.T) {
	const bench, op = "example.com/w.BenchmarkOp", "example.com/w.Op"
	top := []string{"runtime.goexit", "testing.(*B).runN", bench}
	with := func(fs ...string) []string { return append(append([]string(nil), top...), fs...) }
	old := profdiff.Side{
		Label:    "old",
		Profiles: [][]byte{mustProfile(t, "cpu", stack{with(op, "example.com/w.Sum"), 1000})},
		Iters:    []int64{100},
		Measured: 12e-9,
	}
	// NEW: two profiles merged, 300 iterations in all.
	newSide := profdiff.Side{
		Label: "new",
		Profiles: [][]byte{
			mustProfile(t, "cpu", stack{with(op, "example.com/w.Sum"), 1000}, stack{with(op, "example.com/w.extraScan"), 3000}),
			mustProfile(t, "cpu", stack{with(op, "example.com/w.Sum"), 2000}, stack{with(op, "example.com/w.extraScan"), 6000}, stack{with(op), 300}),
		},
		Iters:    []int64{100, 200},
		Measured: 52e-9,
	}
	r, err := profdiff.Diff(profdiff.KindCPU, old, newSide, profdiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Per op: OLD Sum 10ns; NEW Sum 10ns, extraScan 30ns, Op 1ns.
	if !near(r.Old.Total, 10e-9) || !near(r.New.Total, 41e-9) || r.New.Iters != 300 || r.New.Profiles != 2 {
		t.Errorf("totals %g %g iters %d profiles %d", r.Old.Total, r.New.Total, r.New.Iters, r.New.Profiles)
	}
	if r.ChangeSource != "measured" || !near(r.Change, 40e-9) {
		t.Errorf("change %g from %s, want 4e-8 measured", r.Change, r.ChangeSource)
	}
	if len(r.Functions) != 2 {
		t.Fatalf("%d functions grew, want 2 (extraScan, Op): %+v", len(r.Functions), r.Functions)
	}
	f := r.Functions[0]
	if f.Name != "example.com/w.extraScan" || !near(f.FlatDelta(), 30e-9) || !near(f.CumDelta(), 30e-9) {
		t.Errorf("top function %s flat Δ %g cum Δ %g, want extraScan 3e-8", f.Name, f.FlatDelta(), f.CumDelta())
	}
	if s, ok := r.Share(f.FlatDelta()); !ok || !near(s, 0.75) {
		t.Errorf("extraScan's share %g, want 0.75", s)
	}
	if len(f.Paths) != 1 || strings.Join(f.Paths[0].Frames, ">") != bench+">"+op+">example.com/w.extraScan" {
		t.Errorf("extraScan's paths %+v, want one from the benchmark", f.Paths)
	}
	if r.Functions[1].Name != op || !near(r.Functions[1].FlatDelta(), 1e-9) {
		t.Errorf("second function %+v", r.Functions[1])
	}
	// Cumulatively the benchmark and Op grew by 31ns; Sum did not grow.
	if c := r.Cumulative[0]; !near(c.CumDelta(), 31e-9) {
		t.Errorf("top cumulative %s %g, want 3.1e-8", c.Name, c.CumDelta())
	}
	for _, c := range r.Cumulative {
		if strings.HasPrefix(c.Name, "testing.") || c.Name == "runtime.goexit" {
			t.Errorf("frame %s above the benchmark kept", c.Name)
		}
	}
	if r.Tree.Children[0].Name != bench || !near(r.Tree.New, 41e-9) {
		t.Errorf("tree root %+v", r.Tree.Children[0])
	}

	// Without measurements, the shares are of the profiles' change.
	old.Measured, newSide.Measured = math.NaN(), math.NaN()
	r, err = profdiff.Diff(profdiff.KindCPU, old, newSide, profdiff.Options{Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.ChangeSource != "profile" || !near(r.Change, 31e-9) || len(r.Functions) != 1 {
		t.Errorf("change %g from %s, %d functions", r.Change, r.ChangeSource, len(r.Functions))
	}
}

func TestDiff_setup(t *testing.T) {
	const bench = "w.BenchmarkOp"
	// The setup costs 1000ns per run, an op 10ns (OLD) or 30ns (NEW).
	side := func(op int64) profdiff.Side {
		return profdiff.Side{
			Label: "s",
			Profiles: [][]byte{mustProfile(t, "cpu",
				stack{[]string{"testing.(*B).runN", bench, "w.setup"}, 1000},
				stack{[]string{"testing.(*B).runN", bench, "w.op"}, 101 * op})},
			Iters:      []int64{101},
			Setup:      [][]byte{mustProfile(t, "cpu", stack{[]string{"testing.(*B).runN", bench, "w.setup"}, 1000}, stack{[]string{"testing.(*B).runN", bench, "w.op"}, op})},
			SetupIters: []int64{1},
			Measured:   math.NaN(),
		}
	}
	r, err := profdiff.Diff(profdiff.KindCPU, side(10), side(30), profdiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.Old.Total, 10e-9) || !near(r.New.Total, 30e-9) || r.New.SetupIters != 1 {
		t.Errorf("totals %g → %g, want 1e-8 → 3e-8 with the setup subtracted", r.Old.Total, r.New.Total)
	}
	if len(r.Functions) != 1 || r.Functions[0].Name != "w.op" || !near(r.Functions[0].FlatDelta(), 20e-9) {
		t.Errorf("functions %+v, want w.op +2e-8 alone", r.Functions)
	}
	// Stacks start at the function runN calls.
	if r.Tree.Children[0].Name != bench || len(r.Tree.Children) != 1 {
		t.Errorf("tree starts at %q", r.Tree.Children[0].Name)
	}
	bad := side(10)
	bad.SetupIters = []int64{101}
	if _, err := profdiff.Diff(profdiff.KindCPU, bad, side(30), profdiff.Options{}); err == nil || !strings.Contains(err.Error(), "not fewer than") {
		t.Errorf("setup as long as the run: %v", err)
	}
}

func TestDiff_bad(t *testing.T) {
	good := mustProfile(t, "cpu", stack{[]string{"a.BenchmarkX"}, 10})
	alloc := mustProfile(t, "alloc", stack{[]string{"a.BenchmarkX"}, 10})
	tests := []struct {
		name    string
		kind    string
		old     profdiff.Side
		wantErr string
	}{
		{"corrupt", "cpu", profdiff.Side{Label: "run 1", Profiles: [][]byte{[]byte("\x1f\x8bnot really")}, Iters: []int64{1}}, "run 1: profile 1: parse profile: "},
		{"empty", "cpu", profdiff.Side{Label: "run 1", Profiles: [][]byte{{}}, Iters: []int64{1}}, "run 1: profile 1: parse profile: empty"},
		{"none", "cpu", profdiff.Side{Label: "run 1"}, "run 1: no profiles"},
		{"wrong kind", "cpu", profdiff.Side{Label: "run 1", Profiles: [][]byte{alloc}, Iters: []int64{1}}, "run 1: profile 1: no cpu samples (it has alloc_objects, alloc_space)"},
		{"unknown kind", "heap", profdiff.Side{}, `profile kind "heap": want cpu or alloc`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profdiff.Diff(tt.kind, tt.old, profdiff.Side{Label: "new", Profiles: [][]byte{good}, Iters: []int64{1}}, profdiff.Options{})
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Diff: %v, want one line starting %q", err, tt.wantErr)
			}
		})
	}
	if err := profdiff.Check([]byte("garbage")); err == nil {
		t.Error("Check(garbage): no error")
	}
	if err := profdiff.Check(good); err != nil {
		t.Errorf("Check(good): %v", err)
	}
}

// TestDiff_realProfiles profiles the fixture module's two versions with
// a real go test run and checks that the functions NEW added come first.
func TestDiff_realProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "whymod"))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := runner.ProfileBenchmarks(context.Background(), runner.PprofConfig{
		Dir: dir, Package: "example.com/whymod/work",
		Targets: []runner.PprofTarget{{Name: "BenchmarkPair/version=old", Iters: 200000}, {Name: "BenchmarkPair/version=new", Iters: 10000}},
		Kinds:   []string{runner.PprofCPU, runner.PprofAlloc},
	})
	if err != nil {
		t.Fatal(err)
	}
	side := func(p runner.Pprof, data []byte) profdiff.Side {
		return profdiff.Side{Label: p.Name, Profiles: [][]byte{data}, Iters: []int64{p.Iters}, Measured: math.NaN()}
	}
	cpu, err := profdiff.Diff(profdiff.KindCPU, side(ps[0], ps[0].CPU), side(ps[1], ps[1].CPU), profdiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cpu.Functions) == 0 || cpu.Functions[0].Name != "example.com/whymod/work.extraScan" {
		t.Fatalf("top CPU function %v, want extraScan", names(cpu.Functions))
	}
	alloc, err := profdiff.Diff(profdiff.KindAlloc, side(ps[0], ps[0].Alloc), side(ps[1], ps[1].Alloc), profdiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(alloc.Functions) == 0 || alloc.Functions[0].Name != "example.com/whymod/work.extraAlloc" {
		t.Fatalf("top allocating function %v, want extraAlloc", names(alloc.Functions))
	}
	// 4096 B/op, every allocation recorded.
	if d := alloc.Functions[0].FlatDelta(); d < 4000 || d > 4200 {
		t.Errorf("extraAlloc allocates %g B/op more, want about 4096", d)
	}
}

func names(fs []profdiff.Function) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func TestReport_formats(t *testing.T) {
	hostile := `example.com/w.Benchmark<script>alert("x")</script>`
	old := profdiff.Side{Label: "old", Profiles: [][]byte{mustProfile(t, "cpu", stack{[]string{hostile, "w.f"}, 100})}, Iters: []int64{10}, Measured: math.NaN()}
	newSide := profdiff.Side{Label: "new", Profiles: [][]byte{mustProfile(t, "cpu", stack{[]string{hostile, "w.f"}, 100}, stack{[]string{hostile, "w.g|`x`"}, 300})}, Iters: []int64{10}, Measured: math.NaN()}
	res, err := profdiff.Diff(profdiff.KindCPU, old, newSide, profdiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := &profdiff.Report{Comparisons: []profdiff.Comparison{{Pkg: "w", OldName: "A-2", NewName: "B-2", OldRuns: []int64{1}, NewRuns: []int64{2}, Results: []*profdiff.Result{res}}}}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A-2 (run 1) → B-2 (run 2)", "profiles 10.0ns → 40.0ns (+30.0ns)", "+30.0ns", "100.0%", "w.g|`x`"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "`w.g\\|'x'`") {
		t.Errorf("markdown does not escape a pipe and backquotes in a name:\n%s", md.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Comparisons []struct {
			Results []struct {
				Change    float64 `json:"change"`
				Old       struct{ Measured *float64 }
				Functions []struct {
					Name      string   `json:"name"`
					FlatDelta float64  `json:"flat_delta"`
					FlatShare *float64 `json:"flat_share"`
				} `json:"functions"`
			} `json:"results"`
		} `json:"comparisons"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatalf("JSON: %v\n%s", err, js.String())
	}
	r := got.Comparisons[0].Results[0]
	if r.Old.Measured != nil || !near(r.Change, 30e-9) || r.Functions[0].Name != "w.g|`x`" || !near(r.Functions[0].FlatDelta, 30e-9) || r.Functions[0].FlatShare == nil || !near(*r.Functions[0].FlatShare, 1) {
		t.Errorf("JSON: %s", js.String())
	}
	var page bytes.Buffer
	if err := rep.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	h := page.String()
	if strings.Contains(h, "<script") || !strings.Contains(h, "&lt;script&gt;") || !strings.Contains(h, "<svg") {
		t.Errorf("HTML does not escape names or lacks the graph:\n%s", h)
	}
	for _, bad := range []string{"src=", "href=", "url(", "@import"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML loads something (%q)", bad)
		}
	}
}
