// Package rng picks a worker from a pool the ways the incident's runtimes
// did, and provides the PRNG they drew with.
//
// Exrop is OTP's default rand algorithm since OTP 20, Xoroshiro116+ on
// 58-bit words, one generator per process, reproducible from a seed. Any
// Source works with the selection strategies; *math/rand/v2.Rand is one,
// for comparison with Go's own generators.
//
// The strategies (Strategy, NewSelector):
//
//   - reservoir: Elixir's take_random(list, 1), which Enum.random falls
//     back to for a list: one draw per element, O(P) for a pool of P;
//   - uniform: one draw of an index, as Enum.random does for an
//     enumerable whose count is known (count, then index);
//   - modulo: a round-robin counter, no draw at all (the incident's fix).
//
// Whether a count comes first, and what it costs, is the caller's
// business (the suites make that protocol dispatch); this package only
// draws. It imports nothing of benchdb's.
package rng
