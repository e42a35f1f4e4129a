// Package model is the queueing model of the mailbox runaway: the tipping
// queue length n*, the critical pause T*, and a deterministic discrete-event
// simulation in virtual time that decides, for a given arrival rate and
// pause, whether a backlog drains or runs away.
//
// With n messages queued, one event costs S(n) = s0 + k·c·n: a base service
// time s0 (round trips included) plus, for each of the k code-server calls
// the event makes, a scan of the n messages that sit in front of the reply.
// Events arrive at rate λ. The queue shrinks while λ·S(n) < 1, so
//
//	n* = (1 − λ·s0) / (λ·k·c)
//
// is an unstable equilibrium: below it the queue drains, above it it grows
// without bound. A pause of length T queues λ·T events, so the critical pause
// is T* = n*/λ. With k = 0 (or c = 0) there is no finite tipping point.
//
// The package knows nothing about mailboxes or goroutines: package scenario
// measures s0, c and k on the Go runtime and runs the live incident, and
// feeds them here. Nothing in this package blocks or keeps state.
package model
