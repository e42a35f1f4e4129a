package reports

import (
	"slices"

	"golang.org/x/perf/benchproc"
)

// distinctKeys returns the distinct keys key(i) for i < n, in order of
// first appearance.
func distinctKeys(n int, key func(i int) benchproc.Key) []benchproc.Key {
	out := make([]benchproc.Key, 0, min(n, 4))
	var seen map[benchproc.Key]struct{}
	for i := range n {
		k := key(i)
		if seen != nil {
			if _, ok := seen[k]; ok {
				continue
			}
			seen[k] = struct{}{}
		} else if slices.Contains(out, k) {
			continue
		} else if len(out) == maxLinearKeys {
			seen = make(map[benchproc.Key]struct{}, n)
			for _, k := range out {
				seen[k] = struct{}{}
			}
			seen[k] = struct{}{}
		}
		out = append(out, k)
	}
	return out
}

// sameKeys reports whether keys and set, both of distinct keys, hold
// the same keys.
func sameKeys(keys, set []benchproc.Key) bool {
	if len(keys) != len(set) {
		return false
	}
	if len(set) > maxLinearKeys {
		m := make(map[benchproc.Key]struct{}, len(keys))
		for _, k := range keys {
			m[k] = struct{}{}
		}
		for _, k := range set {
			if _, ok := m[k]; !ok {
				return false
			}
		}
		return true
	}
	for _, k := range set {
		if !slices.Contains(keys, k) {
			return false
		}
	}
	return true
}

// A keyIndex finds a key's index in a list of distinct keys: by a
// linear search in a short list (most tables have few rows and
// columns), by a map in a longer one.
type keyIndex struct {
	keys []benchproc.Key
	m    map[benchproc.Key]int
}

// maxLinearKeys is the longest list a keyIndex searches.
const maxLinearKeys = 8

func newKeyIndex(keys []benchproc.Key) keyIndex {
	x := keyIndex{keys: keys}
	if len(keys) > maxLinearKeys {
		x.m = make(map[benchproc.Key]int, len(keys))
		for i, k := range keys {
			x.m[k] = i
		}
	}
	return x
}

// of returns the index of k, which is in the list.
func (x keyIndex) of(k benchproc.Key) int {
	if x.m != nil {
		return x.m[k]
	}
	return slices.Index(x.keys, k)
}

// sortedKeys returns a sorted copy of keys.
func sortedKeys(keys []benchproc.Key) []benchproc.Key {
	keys = slices.Clone(keys)
	benchproc.SortKeys(keys)
	return keys
}

// A ranking orders row keys by benchproc's sort order, computed once
// for the union of every table's rows, and holds each key's display
// name, built once however many tables the row is in.
type ranking map[benchproc.Key]rank

type rank struct {
	rank int
	name string
}

// newRanking ranks the rows of tables.
func newRanking(tables []*builderTable) ranking {
	all := map[benchproc.Key]struct{}{}
	var keys []benchproc.Key
	for _, t := range tables {
		for _, k := range t.rows {
			if _, ok := all[k]; !ok {
				all[k] = struct{}{}
				keys = append(keys, k)
			}
		}
	}
	benchproc.SortKeys(keys)
	r := make(ranking, len(keys))
	for i, k := range keys {
		r[k] = rank{i, k.StringValues()}
	}
	return r
}

// name returns the display name of k.
func (r ranking) name(k benchproc.Key) string { return r[k].name }

// sort returns keys in rank order.
func (r ranking) sort(keys []benchproc.Key) []benchproc.Key {
	if len(keys) == 1 {
		return keys
	}
	type ranked struct {
		rank int
		key  benchproc.Key
	}
	rs := make([]ranked, 0, len(keys))
	for _, k := range keys {
		rs = append(rs, ranked{r[k].rank, k})
	}
	slices.SortFunc(rs, func(a, b ranked) int { return a.rank - b.rank })
	out := make([]benchproc.Key, len(rs))
	for i, x := range rs {
		out[i] = x.key
	}
	return out
}
