package store

import (
	"container/heap"
	"fmt"

	"golang.org/x/perf/benchfmt"
)

// A groupMerge merges the results of groups by input line: groups come
// in the order of their first lines, and a group's later results may
// come after other groups' (interleaved benchmarks). The configuration
// lines in ops (in line order; a group reader may append to them) are
// applied before the results after them, as benchfmt.Reader applies
// them.
type groupMerge struct {
	open    groupHeap // groups read, with results left
	free    []*groupCursor
	ops     []configOp
	applied int // ops[:applied] are applied
}

// cursor returns a group cursor to reset: a finished one, or a new one.
func (m *groupMerge) cursor() *groupCursor {
	if k := len(m.free); k > 0 {
		g := m.free[k-1]
		m.free = m.free[:k-1]
		return g
	}
	return new(groupCursor)
}

// merge calls fn with each result of the groups read returns (nil after
// the last), in the order of their lines.
func (m *groupMerge) merge(id int64, read func() (*groupCursor, error), fn func(int64, *benchfmt.Result) error) error {
	r := new(benchfmt.Result)
	next, err := read()
	if err != nil {
		return err
	}
	for next != nil || len(m.open) > 0 {
		for next != nil && (len(m.open) == 0 || next.line < m.open[0].line) {
			heap.Push(&m.open, next)
			if next, err = read(); err != nil {
				return err
			}
		}
		g := m.open[0]
		for m.applied < len(m.ops) && m.ops[m.applied].line < g.line {
			setFileConfig(r, m.ops[m.applied].key, m.ops[m.applied].value)
			m.applied++
		}
		if m.applied == len(m.ops) {
			m.ops, m.applied = m.ops[:0], 0
		}
		if err := g.result(r); err != nil {
			return fmt.Errorf("read results of run %d: %s: %w", id, g.name, err)
		}
		if err := fn(id, r); err != nil {
			return err
		}
		if g.k == g.b.n {
			heap.Pop(&m.open)
			m.free = append(m.free, g)
		} else {
			heap.Fix(&m.open, 0)
		}
	}
	return nil
}

// A groupCursor is a result_group row being read: its results from the
// k-th on, the k-th on input line line.
type groupCursor struct {
	name        []byte
	first, line int
	k           int
	b           block
	units       []unitInfo
}

// reset makes g the cursor of a row holding value block data, copying
// what it keeps.
func (g *groupCursor) reset(name []byte, line, n int, data []byte, units []unitInfo) error {
	if err := g.b.decode(data); err != nil {
		return err
	}
	return g.start(name, line, n, units)
}

// resetJSON makes g the cursor of a row in the JSON form (PostgreSQL).
func (g *groupCursor) resetJSON(name []byte, line, n int, iters, vals, lines []byte, units []unitInfo) error {
	if err := g.b.parseJSON(n, iters, vals, lines); err != nil {
		return err
	}
	return g.start(name, line, n, units)
}

func (g *groupCursor) start(name []byte, line, n int, units []unitInfo) error {
	if g.b.n != n {
		return fmt.Errorf("bad result group: %d results, n = %d", g.b.n, n)
	}
	if g.b.units != len(units) {
		return fmt.Errorf("%d values for %d units", g.b.units, len(units))
	}
	g.name = append(g.name[:0], name...)
	g.first, g.line, g.k, g.units = line, line, 0, units
	return nil
}

// result decodes the group's next result into r and moves on.
func (g *groupCursor) result(r *benchfmt.Result) error {
	r.Name = append(r.Name[:0], g.name...)
	r.Iters = int(g.b.iters[g.k])
	r.Values = r.Values[:0]
	for j, u := range g.units {
		f := g.b.vals[g.k*g.b.units+j]
		if t := f * u.factor; t == f {
			r.Values = append(r.Values, benchfmt.Value{Value: f, Unit: u.orig})
		} else {
			r.Values = append(r.Values, benchfmt.Value{Value: t, Unit: u.tidy, OrigValue: f, OrigUnit: u.orig})
		}
	}
	g.k++
	switch {
	case g.k == g.b.n:
	case g.b.offsets == nil:
		g.line++
	default:
		g.line = g.first + g.b.offsets[g.k]
	}
	return nil
}

// A groupHeap orders groups being read by the line of their next
// result (container/heap).
type groupHeap []*groupCursor

func (h groupHeap) Len() int           { return len(h) }
func (h groupHeap) Less(i, j int) bool { return h[i].line < h[j].line }
func (h groupHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *groupHeap) Push(x any)        { *h = append(*h, x.(*groupCursor)) }
func (h *groupHeap) Pop() any {
	old := *h
	g := old[len(old)-1]
	*h = old[:len(old)-1]
	return g
}

// setFileConfig applies one configuration line to r as benchfmt.Reader
// does: an empty value deletes the key.
func setFileConfig(r *benchfmt.Result, key, value string) {
	r.SetConfig(key, value)
	if value != "" {
		pos, _ := r.ConfigIndex(key)
		r.Config[pos].File = true
	}
}
