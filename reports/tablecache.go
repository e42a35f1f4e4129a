package reports

import (
	"encoding/binary"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
)

// A tableSet is the tables of the values of a result: tables[i] is the
// table of its i'th value.
type tableSet struct {
	tables []*builderTable
}

// A tableCache remembers the tables of each configuration (and list of
// units) seen, by content, when the table projection reads nothing but
// the file configuration and the unit (.config and .unit, the
// default): results with the same file configuration get the same
// table keys, however far apart they are, in whichever run. A run with
// a configuration line before each result (each result a table of its
// own) then projects each configuration once for all the runs
// compared, rather than once per run, and finds its tables without
// looking up each key. The cache holds at most maxTableCacheBytes of
// configurations, none longer than maxTableCacheKey bytes: a
// configuration that grows with every result is not kept.
type tableCache struct {
	on    bool
	m     map[string]*tableSet
	bytes int
	key   []byte
	// Sets and their slices are allocated in chunks.
	sets   []tableSet
	tables []*builderTable
}

const (
	maxTableCacheBytes = 64 << 20
	maxTableCacheKey   = 1 << 10
)

// tableCacheable reports whether the tables of a result under the
// table projection p depend on its file configuration and units alone.
func tableCacheable(p *benchproc.Projection) bool {
	for _, f := range p.Fields() {
		if f.Name != ".config" && f.Name != ".unit" {
			return false
		}
	}
	return true
}

// lookup returns the tables of r's file configuration and units, or
// nil with the cache's key for r kept for add (if the cache may grow).
func (c *tableCache) lookup(r *benchfmt.Result) *tableSet {
	if !c.on {
		return nil
	}
	k := c.key[:0]
	for _, v := range r.Values {
		k = binary.AppendUvarint(k, uint64(len(v.Unit)))
		k = append(k, v.Unit...)
	}
	// A length that no unit has separates the units from the
	// configuration.
	k = binary.AppendUvarint(k, 1<<62)
	for _, cfg := range r.Config {
		if !cfg.File {
			continue
		}
		k = binary.AppendUvarint(k, uint64(len(cfg.Key)))
		k = append(k, cfg.Key...)
		k = binary.AppendUvarint(k, uint64(len(cfg.Value)))
		k = append(k, cfg.Value...)
		if len(k) > maxTableCacheKey {
			break
		}
	}
	c.key = k
	if len(k) > maxTableCacheKey {
		c.key = k[:0]
		return nil
	}
	return c.m[string(k)]
}

// newSet returns a new tableSet of n tables for the key of the last
// lookup, cached if there is room.
func (c *tableCache) newSet(n int) *tableSet {
	if len(c.sets) == 0 {
		c.sets = make([]tableSet, slabSize)
	}
	s := &c.sets[0]
	c.sets = c.sets[1:]
	if len(c.tables) < n {
		c.tables = make([]*builderTable, max(n, slabSize*4))
	}
	s.tables = c.tables[:n:n]
	c.tables = c.tables[n:]
	if c.on && len(c.key) > 0 && c.bytes+len(c.key) <= maxTableCacheBytes {
		if c.m == nil {
			c.m = map[string]*tableSet{}
		}
		c.m[string(c.key)] = s
		c.bytes += len(c.key)
	}
	return s
}

// nameOnly reports whether p reads nothing but a result's name: each
// of its fields is .name, .fullname or a name key (/key).
func nameOnly(p *benchproc.Projection) bool {
	for _, f := range p.Fields() {
		if f.Name != ".name" && f.Name != ".fullname" && !strings.HasPrefix(f.Name, "/") {
			return false
		}
	}
	return true
}

// nameKeys remembers the key of each benchmark name under a projection
// that reads nothing but the name (nameOnly): a name seen before, in
// either run, is not projected again. It holds at most
// maxTableCacheBytes of names.
type nameKeys struct {
	m     map[string]benchproc.Key
	bytes int
}

// key returns p's key for r.
func (n *nameKeys) key(p *benchproc.Projection, r *benchfmt.Result) benchproc.Key {
	if k, ok := n.m[string(r.Name)]; ok {
		return k
	}
	k := p.Project(r)
	if n.bytes+len(r.Name) <= maxTableCacheBytes {
		if n.m == nil {
			n.m = map[string]benchproc.Key{}
		}
		n.m[string(r.Name)] = k
		n.bytes += len(r.Name)
	}
	return k
}
