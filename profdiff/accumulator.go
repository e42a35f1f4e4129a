package profdiff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// accumulator sums both sides' samples per function, path and tree node.
type accumulator struct {
	funcs map[string]*Function
	paths map[string]map[string]*Path // function -> path key -> path
	root  *Node
	index map[*Node]map[string]*Node
}

func newAccumulator() *accumulator {
	root := &Node{Name: "all"}
	return &accumulator{
		funcs: map[string]*Function{},
		paths: map[string]map[string]*Path{},
		root:  root,
		index: map[*Node]map[string]*Node{},
	}
}

type frame struct{ name, file string }

// add adds profile p's values at index idx, times factor, to side (0 OLD,
// 1 NEW), and returns its total.
func (a *accumulator) add(p *profile.Profile, idx, side int, factor float64) float64 {
	total := 0.0
	for _, s := range p.Sample {
		v := float64(s.Value[idx]) * factor
		if v == 0 {
			continue
		}
		total += v
		stack := trim(frames(s))
		if len(stack) == 0 {
			stack = []frame{{name: "(unknown)"}}
		}
		// Flat: the leaf.
		leaf := stack[len(stack)-1]
		a.fn(leaf).addFlat(side, v)
		// Cumulative and paths: each function once per sample, its
		// path up to its innermost occurrence.
		seen := map[string]bool{}
		for i := len(stack) - 1; i >= 0; i-- {
			f := stack[i]
			if seen[f.name] {
				continue
			}
			seen[f.name] = true
			a.fn(f).addCum(side, v)
			a.path(f.name, stack[:i+1]).add(side, v)
		}
		// The tree.
		n := a.root
		n.add(side, v)
		for _, f := range stack {
			n = a.child(n, f.name)
			n.add(side, v)
		}
	}
	return total
}

func (a *accumulator) fn(f frame) *Function {
	fn := a.funcs[f.name]
	if fn == nil {
		fn = &Function{Name: f.name, File: f.file}
		a.funcs[f.name] = fn
	}
	return fn
}

func (a *accumulator) path(fn string, stack []frame) *Path {
	names := make([]string, len(stack))
	for i, f := range stack {
		names[i] = f.name
	}
	key := strings.Join(names, "\x00")
	m := a.paths[fn]
	if m == nil {
		m = map[string]*Path{}
		a.paths[fn] = m
	}
	p := m[key]
	if p == nil {
		p = &Path{Frames: names}
		m[key] = p
	}
	return p
}

func (a *accumulator) child(n *Node, name string) *Node {
	m := a.index[n]
	if m == nil {
		m = map[string]*Node{}
		a.index[n] = m
	}
	c := m[name]
	if c == nil {
		c = &Node{Name: name}
		m[name] = c
		n.Children = append(n.Children, c)
	}
	return c
}

func (f *Function) addFlat(side int, v float64) {
	if side == 0 {
		f.FlatOld += v
	} else {
		f.FlatNew += v
	}
}

func (f *Function) addCum(side int, v float64) {
	if side == 0 {
		f.CumOld += v
	} else {
		f.CumNew += v
	}
}

func (p *Path) add(side int, v float64) {
	if side == 0 {
		p.Old += v
	} else {
		p.New += v
	}
}

func (n *Node) add(side int, v float64) {
	if side == 0 {
		n.Old += v
	} else {
		n.New += v
	}
}

// functions returns the top functions by key, those with a positive key
// only, each with its top paths.
func (a *accumulator) functions(key func(Function) float64, top, npaths int) []Function {
	var fs []Function
	for _, f := range a.funcs {
		if key(*f) > 0 {
			fs = append(fs, *f)
		}
	}
	slices.SortFunc(fs, func(x, y Function) int {
		return cmp.Or(cmp.Compare(key(y), key(x)), cmp.Compare(y.CumDelta(), x.CumDelta()), strings.Compare(x.Name, y.Name))
	})
	fs = fs[:min(len(fs), top)]
	// Growth below a thousandth of the largest is rounding and
	// sampling noise, not an explanation.
	if len(fs) > 0 {
		floor := key(fs[0]) / 1000
		fs = slices.DeleteFunc(fs, func(f Function) bool { return key(f) < floor })
	}
	for i := range fs {
		var ps []Path
		for _, p := range a.paths[fs[i].Name] {
			if p.Delta() > 0 {
				ps = append(ps, *p)
			}
		}
		slices.SortFunc(ps, func(x, y Path) int {
			return cmp.Or(cmp.Compare(y.Delta(), x.Delta()), slices.Compare(x.Frames, y.Frames))
		})
		fs[i].Paths = ps[:min(len(ps), npaths)]
	}
	return fs
}

// sortTree orders children by their NEW cost, then OLD, then name.
func sortTree(n *Node) {
	slices.SortFunc(n.Children, func(x, y *Node) int {
		return cmp.Or(cmp.Compare(y.New, x.New), cmp.Compare(y.Old, x.Old), strings.Compare(x.Name, y.Name))
	})
	for _, c := range n.Children {
		sortTree(c)
	}
}
