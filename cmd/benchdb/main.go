// Command benchdb runs the built-in benchmark suites that model the
// Elixir mailbox-runaway incident, stores `go test -bench` output from any
// Go project in SQLite, compares stored runs the way benchstat does, and
// writes nightly regression reports.
//
// Run `benchdb help` or `benchdb COMMAND --help` for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
