package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"

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
// argument), as opposed to a failure while doing the work. report prints
// usage, the command's one-line usage, below it.
type usageError struct {
	msg   string
	usage string // such as "benchdb show [options] RUN"; "" when unknown
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run runs benchdb with args (args[0] is the program name) and returns the
// process exit status. It never calls os.Exit. A failed write to stdout
// (a full disk, a closed pipe) is an error, exit status 2.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out := &errWriter{w: stdout}
	app := newApp(out, stderr)
	err := app.RunContext(ctx, args)
	if err != nil && ctx.Err() != nil && !strings.HasPrefix(err.Error(), "run incomplete: interrupted") {
		// SIGINT or SIGTERM (main cancels ctx).
		err = fmt.Errorf("interrupted: %w", err)
	}
	if out.err != nil && (err == nil || errors.Is(err, errHelpShown) || errors.Is(err, out.err)) {
		err = fmt.Errorf("write standard output: %w", out.err)
	}
	return report(withUsage(app, err), stderr)
}

// errWriter passes writes on to w and remembers the first error, after
// which it writes nothing more.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}

// withUsage translates urfave/cli's own errors into benchdb's and gives a
// usage error the usage line of the command that was running.
func withUsage(app *cli.App, err error) error {
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		// `benchdb help frobnicate`
		if name, ok := strings.CutPrefix(ec.Error(), "No help topic for '"); ok {
			return &usageError{msg: "unknown command " + strings.TrimSuffix(name, "'"), usage: appUsage}
		}
	}
	usage := appUsage
	if name, ok := app.Metadata[metaCommand].(string); ok {
		if cmd := app.Command(name); cmd != nil {
			usage = commandUsage(cmd)
		}
	}
	return setUsage(err, usage)
}

// setUsage gives err, if it is a usage error without a usage line, the
// usage line usage.
func setUsage(err error, usage string) error {
	var ue *usageError
	if errors.As(err, &ue) && ue.usage == "" {
		ue.usage = usage
	}
	return err
}

// metaCommand is the app.Metadata key under which the running command's
// name is recorded.
const metaCommand = "command"

// appUsage is the usage line of benchdb itself.
const appUsage = "benchdb [--db PATH] COMMAND [options] [ARGS...]"

// commandUsage returns the one-line usage of cmd.
func commandUsage(cmd *cli.Command) string {
	u := "benchdb " + cmd.Name + " [options]"
	if a := strings.TrimSpace(cmd.ArgsUsage); a != "" {
		u += " " + a
	}
	return u
}

// report prints err (if any) to stderr, on one line, and maps it to an
// exit status. A usage error is followed by the command's usage line.
func report(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	}
	fmt.Fprintln(stderr, "benchdb:", oneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) && ue.usage != "" {
		name := "benchdb"
		if ue.usage != appUsage {
			name, _, _ = strings.Cut(strings.TrimPrefix(ue.usage, "benchdb "), " ")
			name = "benchdb " + name
		}
		fmt.Fprintf(stderr, "usage: %s (%s --help for more)\n", ue.usage, name)
	}
	if errors.Is(err, errRegression) {
		return exitRegression
	}
	return exitError
}

// oneLine escapes msg for the terminal and joins its lines with "; ", so
// that every error is one line.
func oneLine(msg string) string {
	var parts []string
	for line := range strings.Lines(msg) {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, termsafe.Escape(line))
		}
	}
	return strings.Join(parts, "; ")
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
			return &usageError{msg: err.Error(), usage: appUsage}
		},
		Commands: commands(),
		// A repeated flag's value is taken whole: --label note=a,b is
		// one label, not two.
		DisableSliceFlagSeparator: true,
		Metadata:                  map[string]any{},
		// `benchdb frobnicate`: without an Action, urfave/cli would look
		// for a help topic.
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return &usageError{msg: "unknown command " + c.Args().First(), usage: appUsage}
			}
			return cli.ShowAppHelp(c)
		},
	}
	for _, cmd := range app.Commands {
		// Every usage error is one line and the command's usage, not
		// its help page; the running command is recorded for the usage
		// errors its flags' actions and its action return.
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return &usageError{msg: cmd.Name + ": " + err.Error(), usage: commandUsage(cmd)}
		}
		if action := cmd.Action; action != nil {
			cmd.Action = func(c *cli.Context) error {
				return setUsage(action(c), commandUsage(cmd))
			}
		}
		for _, f := range cmd.Flags {
			if sf, ok := f.(*cli.StringFlag); ok && sf.Action != nil {
				action := sf.Action
				sf.Action = func(c *cli.Context, v string) error {
					return setUsage(action(c, v), commandUsage(cmd))
				}
			}
		}
		before := cmd.Before
		cmd.Before = func(c *cli.Context) error {
			c.App.Metadata[metaCommand] = cmd.Name
			if before != nil {
				return before(c)
			}
			return nil
		}
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

// plural returns n and noun, with an s unless n is 1: "1 result",
// "0 results", "2 results".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
