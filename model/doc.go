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
// # Bursty arrivals
//
// Real producers are paced by timers and send in bursts: every tick D,
// the λ·D events that fell due since the last one (Sim.Tick). Between
// bursts the router works through its queue; in steady state a burst is
// served in λ·D·s0 = u·D (u = λ·s0) and the queue is empty for the rest of
// the tick, so at a random moment it holds u·λ·D/2 events on average. A
// pause that starts then ends with those on top of its own λ·T arrivals.
// After the pause, over one tick the router serves events whose queue
// runs from the peak p down to p − λ·D, so the queue holds steady when
// S(p − λ·D/2)·λ·D = D: the critical peak is n* + λ·D/2 and the critical
// trough n* − λ·D/2. The first peak after the pause comes when the next
// burst lands, after the router has worked for a random part of a tick:
// averaged over that phase, the half burst and the half tick cancel, so
//
//	T*(D) = (n* − u·λ·D/2)/λ = T* − u·D/2        (CriticalPauseTick)
//
// Bursts shorten the critical pause by at most half a tick, 0.5 ms at
// D = 1 ms: small beside T*s of tens of milliseconds. The simulation
// (Sim.Tick) runs the bursts themselves and agrees.
//
// # A cost per message that depends on the queue
//
// On a real BEAM the cost of a queued message is not constant: a deep
// queue leaves the caches, and with the default on-heap message queue
// every garbage collection of the growing heap copies the queued messages.
// Costs.Scan holds c measured at several depths; Service then uses
// S(n) = s0 + k·c(n)·n, with c(n) interpolated in log n, and TippingQueue
// solves λ·S(n*) = 1 by bisection. Package beam measures c(n) on the
// runtime, live: it stops the router until a backlog has built up, then
// times the router in windows of events against the queue behind them
// while the producers go on, which is where the real system pays for its
// queue, on a ladder of backlogs around n* so that no gap in the depths
// hides the tipping point. Measured that way, S(n) near n* takes a step
// where the scan's working set leaves a cache level, and n* sits at the
// step: a c(n) interpolated across it, from depths a factor of three
// apart, put a real BEAM's T* off by up to 1.5 times either way.
//
// # A real router's queue and a runtime that stops
//
// Two assumptions of the tick correction fail on a real BEAM, and
// Costs.Q0 and Costs.Stall put measurements in their place (both zero for
// the Go scenario, whose T* is unchanged). The pause does not begin on
// the sawtooth's u·λ·D/2: Q0 is the router's queue read at moments that
// do not know the ticks. And the whole runtime stops now and then (on a
// shared machine for milliseconds, producers included): producers paced
// by the clock then send the ticks they missed at once, so a stop of h
// adds λ·h to the queue as a pause does. The mean service time S(n)
// carries the stops' mean cost, not their size; a backlog near n* drains
// slowly (about as long as the pause it came from) and one stop in that
// stretch decides it. Stall is the median, over stretches as long as
// the critical pause, of the longest stop in each less the stretch's
// share of stopped time that S(n) already pays for, and
//
//	T*(D) = (n* − Q0)/λ − Stall        (CriticalPauseTick)
//
// The package knows nothing about mailboxes or goroutines: package scenario
// measures s0, c and k on the Go runtime and runs the live incident, and
// feeds them here. Nothing in this package blocks or keeps state.
package model
