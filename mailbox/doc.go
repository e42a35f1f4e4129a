// Package mailbox is an Erlang-style process mailbox: the queue whose scan
// cost the incident in seed/incident.md is about.
//
// A Mailbox belongs to one receiving goroutine (its "process"). Any
// goroutine may Send to it; a Send never blocks on capacity (the queue is
// unbounded, as a BEAM message queue is) and arrival order is kept.
//
// The owner takes messages out with a selective receive: Receive looks at
// queued messages from the head in arrival order, removes and returns the
// first one its match function accepts, and leaves the others in place. It
// counts every message it looks at. When nothing matches it waits for new
// messages and goes on from where it stopped, without rescanning, until a
// match, a timeout, a cancelled context or Close.
//
// Markers model BEAM's receive optimisation for reference-tagged receives:
// Mark records the end of the queue, and a receive from that marker skips
// every message queued before it, at a cost that does not grow with the
// queue. A receive without a marker scans from the head, as
// code_server:call does in OTP 20.
//
// Len, Bytes and the counters Sent, Received and Scanned are atomics that
// any goroutine may read while the mailbox is in use.
//
// Internally the mailbox is split the way BEAM splits a process's queue:
// senders append to a mutex-protected inbox, and the receiver moves the
// inbox into its private queue, which it scans without holding the lock.
// The private queue is a contiguous slice, so scanning it costs about as
// much as searching a plain Go slice.
//
// The package imports nothing of benchdb's; dispatch, rng and the suites
// build on it. It does not know what messages mean: kinds, tags and
// references are the caller's.
package mailbox
