// Package scenario runs the incident end to end on the Go runtime:
// producer goroutines send {log, name, bin} events with 100-byte payloads
// at a set rate to a router process (a goroutine that owns a
// mailbox.Mailbox); for each event the router picks one of a pool of
// writer processes the way its version profile does, making the
// code-server calls that profile makes (their replies come back through
// the router's own mailbox, behind every queued event), and forwards the
// payload; the writers append it to files in a temporary directory, or
// discard it. At a set time the router stops for a pause (the incident's
// "Ctrl+C, continue"), then resumes.
//
// A sampler records the router's queue length and the bytes it holds at a
// fixed interval and decides the outcome: drained (the queue came back to
// its steady level after the pause) or runaway (it reached the message or
// byte cap; the run stops there and frees what was queued). Everything a
// run starts is stopped through its context before Run returns.
//
// Calibrate measures the costs that drive package model (s0, c, k) on the
// same components, so that the model's tipping point n* and critical pause
// T* can be set beside the live outcome, and FindCritical looks for the
// live critical pause by bisection. Package plot draws the results.
package scenario
