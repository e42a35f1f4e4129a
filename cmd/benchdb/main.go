// Command benchdb runs the built-in benchmark suites that model the
// Elixir mailbox-runaway incident, stores `go test -bench` output from any
// Go project in SQLite, compares stored runs the way benchstat does, and
// writes nightly regression reports.
//
// Run `benchdb help` or `benchdb COMMAND --help` for usage.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// stopGrace is how long a command has to stop after SIGINT or SIGTERM
// cancels its context. Every command watches its context and stops well
// within it; past it, main exits with status 2 anyway. The store is safe
// at any point (a run is stored in one transaction), so what is lost is
// only what a clean stop would have finished: temporary files, a
// partial run being stored.
const stopGrace = time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, func() {
		stop() // a second signal kills the process
		time.AfterFunc(stopGrace, func() {
			fmt.Fprintf(os.Stderr, "benchdb: interrupted: did not stop within %v of the signal; exiting\n", stopGrace)
			os.Exit(exitError)
		})
	})
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
