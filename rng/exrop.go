package rng

// Exrop is OTP's exrop generator: Xoroshiro116+, the xoroshiro128+
// construction on 58-bit words (shift/rotate constants a=24, b=2, c=35)
// so that every value fits an Erlang small integer, with sums taken
// modulo 2^58. Its period is 2^116-1.
//
// An Exrop belongs to one process (goroutine): it is not safe for
// concurrent use. The zero value is not a valid state; use NewExrop or
// SetState.
type Exrop struct {
	s0, s1 uint64
}

const (
	exropBits = 58
	mask58    = 1<<exropBits - 1
)

// rotl58 rotates the 58-bit word x left by k bits.
func rotl58(x uint64, k uint) uint64 {
	return (x<<k | x>>(exropBits-k)) & mask58
}

// NewExrop returns a generator seeded from seed. The two state words are
// derived with splitmix64 and cut to 58 bits (this is our seeding, not
// OTP's: the same seed gives the same sequence here, not in Erlang).
func NewExrop(seed uint64) *Exrop {
	x := seed
	s0 := splitmix64(&x) & mask58
	s1 := splitmix64(&x) & mask58
	if s0 == 0 && s1 == 0 {
		s0 = 1
	}
	return &Exrop{s0: s0, s1: s1}
}

// splitmix64 advances *x and returns the next splitmix64 output.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// State returns the generator's two 58-bit state words, so that a run can
// record where it was and resume.
func (g *Exrop) State() (s0, s1 uint64) { return g.s0, g.s1 }

// SetState sets the state words, keeping their low 58 bits. It reports
// false, leaving the state unchanged, if both are zero (the one state a
// xoroshiro generator cannot leave).
func (g *Exrop) SetState(s0, s1 uint64) bool {
	s0, s1 = s0&mask58, s1&mask58
	if s0 == 0 && s1 == 0 {
		return false
	}
	g.s0, g.s1 = s0, s1
	return true
}

// Next returns the next 58-bit output, (s0 + s1) mod 2^58, and advances
// the state.
func (g *Exrop) Next() uint64 {
	s0, s1 := g.s0, g.s1
	out := (s0 + s1) & mask58
	s1 ^= s0
	g.s0 = rotl58(s0, 24) ^ s1 ^ (s1<<2)&mask58
	g.s1 = rotl58(s1, 35)
	return out
}

// Uniform returns a uniform integer in [1, n], as Erlang's
// rand:uniform(N) does for exrop: it takes 58-bit outputs and rejects the
// few that would bias the remainder. Every call draws at least once, also
// for n == 1. It panics if n < 1 or n > 2^58.
func (g *Exrop) Uniform(n uint64) uint64 {
	if n < 1 || n > 1<<exropBits {
		panic("rng: Exrop.Uniform: n out of range")
	}
	maxMinusN := uint64(1<<exropBits) - n
	for {
		v := g.Next()
		if v < n {
			return v + 1
		}
		r := v % n
		if v-r <= maxMinusN {
			return r + 1
		}
	}
}

// IntN returns a uniform integer in [0, n): Uniform(n) - 1. It makes
// *Exrop a Source. It panics if n <= 0.
func (g *Exrop) IntN(n int) int {
	if n <= 0 {
		panic("rng: Exrop.IntN: n <= 0")
	}
	return int(g.Uniform(uint64(n)) - 1)
}

// Float64 returns a uniform float in [0, 1) from the top 53 bits of one
// output, as rand:uniform() does.
func (g *Exrop) Float64() float64 {
	return float64(g.Next()>>(exropBits-53)) * 0x1p-53
}
