package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// version is set with -ldflags "-X main.version=..."; when empty, the
// module version from the build info is used.
var version = ""

// Exit statuses. They are decided here and nowhere else.
const (
	exitOK         = 0
	exitRegression = 1 // --fail-on-regression found a regression
	exitError      = 2 // usage, bad input, database
)

// errRegression is returned by commands run with --fail-on-regression when a
// regression was found. Its output has already been written.
var errRegression = errors.New("regression found")

// usageError marks an error in how the command was called (a flag or an
// argument), as opposed to a failure while doing the work.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run runs benchdb with args (args[0] is the program name) and returns the
// process exit status. It never calls os.Exit.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	return report(err, stderr)
}

// report prints err (if any) to stderr and maps it to an exit status.
func report(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	case errors.Is(err, errRegression):
		fmt.Fprintln(stderr, "benchdb:", termsafe.Lines(err.Error()))
		return exitRegression
	default:
		fmt.Fprintln(stderr, "benchdb:", termsafe.Lines(err.Error()))
		return exitError
	}
}

// newApp builds a fresh CLI. urfave/cli flags keep state after parsing, so
// every run (and every test) gets its own.
func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "benchdb",
		Usage: "benchmark suites and a regression database for Go benchmarks",
		Description: "benchdb stores `go test -bench` output from any Go project in one SQLite\n" +
			"file, compares stored runs the way benchstat does, and writes nightly\n" +
			"regression reports. Its built-in suites model a real incident: a busy\n" +
			"Erlang process whose synchronous call scanned its whole mailbox, so that\n" +
			"one burst of traffic became a queue of 1.4 million messages.\n\n" +
			"Text and Markdown output show control characters in benchmark names,\n" +
			"labels, configuration values and file names as Go escapes (\\x1b, \\r,\n" +
			"\\u0085) and bytes that are not UTF-8 as \\xff. JSON, CSV and export\n" +
			"carry the stored bytes unchanged.",
		Version:         buildVersion(),
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           globalFlags(),
		HideHelpCommand: false,
		// Exit codes are decided in run, not by the library.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error()}
		},
		Commands: commands(),
		// A repeated flag's value is taken whole: --label note=a,b is
		// one label, not two.
		DisableSliceFlagSeparator: true,
	}
	return app
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
