package rng

import (
	"errors"
	"fmt"
)

// ErrEmptyPool is returned when asked to pick from an empty pool, like
// Elixir's Enum.EmptyError.
var ErrEmptyPool = errors.New("pick from an empty pool")

// A Source draws uniform integers in [0, n). *Exrop and
// *math/rand/v2.Rand are Sources.
type Source interface {
	IntN(n int) int
}

// A Strategy names a way to pick one of n workers.
type Strategy string

// Strategies.
const (
	// Reservoir is Elixir's take_random(list, 1): it walks the pool and
	// draws once per element, keeping element i with probability 1/(i+1).
	Reservoir Strategy = "reservoir"
	// Uniform draws one index.
	Uniform Strategy = "uniform"
	// Modulo is round robin: a counter modulo n, no draw.
	Modulo Strategy = "modulo"
)

// Strategies returns every strategy, in a fixed order.
func Strategies() []Strategy { return []Strategy{Reservoir, Uniform, Modulo} }

// A Selector picks one of n workers. Selectors keep state (a generator, a
// counter) and, like the process that owns them, are not safe for
// concurrent use: a pick is a few nanoseconds, and a shared counter
// would cost more than the pick.
type Selector interface {
	// Pick returns an index in [0, n), or ErrEmptyPool if n < 1.
	Pick(n int) (int, error)
	// Draws reports how many values the selector has drawn from its
	// source.
	Draws() uint64
}

// NewSelector returns a selector for the strategy, drawing from src.
// Modulo needs no source and ignores src; the others return an error if
// src is nil.
func NewSelector(s Strategy, src Source) (Selector, error) {
	switch s {
	case Modulo:
		return &RoundRobin{}, nil
	case Reservoir, Uniform:
		if src == nil {
			return nil, fmt.Errorf("new %s selector: nil source", s)
		}
		if s == Reservoir {
			return &ReservoirSelector{Source: src}, nil
		}
		return &UniformSelector{Source: src}, nil
	default:
		return nil, fmt.Errorf("unknown selection strategy %q: want %s, %s or %s", s, Reservoir, Uniform, Modulo)
	}
}

// A ReservoirSelector picks by reservoir sampling, one draw per element.
type ReservoirSelector struct {
	Source Source
	draws  uint64
}

// Pick walks n elements; element i replaces the kept one when a draw in
// [0, i] comes out 0. The first element draws too (from [0, 0]), as
// take_random does, so a pick makes exactly n draws.
func (r *ReservoirSelector) Pick(n int) (int, error) {
	if n < 1 {
		return 0, ErrEmptyPool
	}
	kept := 0
	for i := range n {
		if r.Source.IntN(i+1) == 0 {
			kept = i
		}
	}
	r.draws += uint64(n)
	return kept, nil
}

// Draws reports the values drawn so far.
func (r *ReservoirSelector) Draws() uint64 { return r.draws }

// A UniformSelector picks with one draw.
type UniformSelector struct {
	Source Source
	draws  uint64
}

// Pick returns one draw in [0, n).
func (u *UniformSelector) Pick(n int) (int, error) {
	if n < 1 {
		return 0, ErrEmptyPool
	}
	u.draws++
	return u.Source.IntN(n), nil
}

// Draws reports the values drawn so far.
func (u *UniformSelector) Draws() uint64 { return u.draws }

// A RoundRobin picks 0, 1, ..., n-1, 0, ... with a counter, taken modulo
// the pool size of each pick. The zero value starts at 0.
type RoundRobin struct {
	next uint64
}

// Pick returns the counter modulo n and advances it.
func (r *RoundRobin) Pick(n int) (int, error) {
	if n < 1 {
		return 0, ErrEmptyPool
	}
	i := int(r.next % uint64(n))
	r.next++
	return i, nil
}

// Draws reports 0: round robin draws nothing.
func (r *RoundRobin) Draws() uint64 { return 0 }
