package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/shellword"
	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store"
)

// remoteFlags send results to a benchdb serve instead of the store: the
// flags of ingest and run.
func remoteFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "server", Usage: "send the results to the benchdb serve at `URL` instead of --db", EnvVars: []string{"BENCHDB_SERVER"}, Category: catStore},
		&cli.StringFlag{Name: "token-file", Usage: "read the --server token from `FILE` (default: $BENCHDB_TOKEN)", Category: catStore},
	}
}

// remoteClient returns the client for --server, its token from
// --token-file or BENCHDB_TOKEN.
func remoteClient(c *cli.Context) (*server.Client, error) {
	token := os.Getenv("BENCHDB_TOKEN")
	if f := c.String("token-file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--token-file: %w", err)
		}
		token = strings.TrimSpace(string(b))
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			return nil, usagef("--token-file %s: want one token on one line", f)
		}
	}
	if token == "" {
		return nil, usagef("--server: no token: set BENCHDB_TOKEN or give --token-file (see benchdb token add)")
	}
	errw := c.App.ErrWriter
	return &server.Client{
		URL:   c.String("server"),
		Token: token,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(errw, "benchdb: %s\n", termsafe.Lines(fmt.Sprintf(format, args...)))
		},
	}, nil
}

// remoteError makes an error of the server's answer one line naming the
// server.
func remoteError(c *cli.Context, err error) error {
	return fmt.Errorf("--server %s: %w", c.String("server"), err)
}

// ingestRemote is benchdb ingest --server: each file is uploaded, in
// order, and printed as a local ingest prints it.
func ingestRemote(c *cli.Context, files []string, labels map[string]string, t time.Time) error {
	cl, err := remoteClient(c)
	if err != nil {
		return err
	}
	var stdin io.Reader = c.App.Reader
	if stdin == nil {
		stdin = os.Stdin
	}
	jsonOut := c.String("format") == "json"
	out := []ingestJSON{}
	var upErr error
	for _, f := range files {
		r, closeR, err := openInput(f, stdin)
		if err != nil {
			upErr = err
			break
		}
		up, err := cl.Upload(c.Context, r, server.UploadOptions{Name: f, Labels: labels, Time: t, Strict: c.Bool("strict")})
		closeR()
		if err != nil {
			upErr = remoteError(c, err)
			break
		}
		for _, w := range up.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "benchdb: warning: %s\n", termsafe.Lines(w))
		}
		got := store.Ingested{ID: up.ID, Results: up.Results, SkippedLines: up.SkippedLines}
		j := ingestJSON{ID: up.ID, Results: up.Results, SkippedLines: up.SkippedLines, DuplicateOf: up.DuplicateOf}
		if up.DuplicateOf != nil {
			got.DuplicateOf = *up.DuplicateOf
		}
		out = append(out, j)
		if !jsonOut {
			printIngested(c.App.Writer, f, got)
		}
	}
	if jsonOut {
		if err := encodeJSON(c.App.Writer, out); err != nil {
			return err
		}
	}
	return upErr
}

// runRemote is benchdb run --server: the benchmarks run as without it,
// and their output is uploaded instead of stored. The profile comparison
// is not printed; the run's page on the server shows the run.
func runRemote(c *cli.Context, plan *runPlan) error {
	cl, err := remoteClient(c)
	if err != nil {
		return err
	}
	printer := runner.NewPrinter(c.App.ErrWriter, runner.IsTerminal(c.App.ErrWriter))
	plan.Config.Progress = printer.Update
	if c.Bool("verbose") {
		plan.Config.Output = printer.Passthrough(c.App.Writer)
	}
	start := time.Now()
	fmt.Fprintf(c.App.ErrWriter, "benchdb: running %s%s\n", termsafe.Escape(shellword.Join(runner.CommandLine(plan.Config))), runner.RoundsNote(plan.Config))
	res, runErr := runner.Run(c.Context, plan.Config)
	printer.Clear()
	labels := plan.labels
	if runErr != nil {
		if !c.Bool("partial") || res == nil || res.Results == 0 {
			return fmt.Errorf("run incomplete: %w\nnothing sent", runErr)
		}
		labels = maps.Clone(labels)
		labels[runner.LabelPartial] = "true"
	} else if res.Results == 0 {
		return fmt.Errorf("run: no benchmark results: -bench %q matched nothing in %s", plan.Config.Bench, strings.Join(plan.Config.Packages, " "))
	}
	setCPULabel(labels, plan.user, res.Output)
	// After Ctrl+C, sending what finished (--partial) must not be cancelled.
	ctx := c.Context
	if runErr != nil {
		ctx = context.WithoutCancel(ctx)
	}
	up, err := cl.Upload(ctx, bytes.NewReader(res.Output), server.UploadOptions{Name: "go test", Labels: labels, Time: start})
	if err != nil {
		return remoteError(c, err)
	}
	url := strings.TrimSuffix(c.String("server"), "/") + up.URL
	if up.DuplicateOf != nil {
		fmt.Fprintf(c.App.Writer, "the same output is already stored on the server as run %d: %s\n", up.ID, url)
	} else {
		fmt.Fprintf(c.App.Writer, "sent run %d: %d results from %s in %s: %s\n", up.ID, up.Results, packageCount(res.Packages), res.Elapsed.Round(time.Second), url)
	}
	for _, w := range up.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "benchdb: warning: %s\n", termsafe.Lines(w))
	}
	if runErr != nil {
		return fmt.Errorf("run incomplete: %w\nsent the %d results that finished as run %d, labelled partial=true", runErr, up.Results, up.ID)
	}
	return nil
}
