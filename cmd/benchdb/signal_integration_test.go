//go:build integration

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/ab/abtest"
)

// signalGrace is how long a command may take to stop after SIGINT or
// SIGTERM. The promise is a second; the bound leaves room for a loaded
// two-core machine, and the test logs what it measured.
const signalGrace = 2 * time.Second

// TestSignals starts the benchdb binary on long operations, sends SIGINT
// or SIGTERM once each is under way, and checks that it stops within
// signalGrace with exit status 2 and a one-line error.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchdb and runs it as a process")
	}
	bin := mustBuildBenchdb(t)
	db := filepath.Join(t.TempDir(), "b.sqlite")
	// A regression whose confirm command measures a benchmark a hundred
	// times as slow as the history says: ab is busy for long.
	repo, good, bad := twoCommits(t, "slow", map[string]string{"knobs.go": abtest.Knobs(100*abtest.BaseIters, false, false)})
	reportDB := storeHistory(t, good, bad, 1.6)
	tests := []struct {
		name  string
		args  []string
		stdin func(w io.Writer) // fed in the background, if set
		ready string            // stderr shows this once the operation is under way; "" waits a second
		sig   syscall.Signal
	}{
		{
			name:  "scenario live",
			args:  []string{"scenario", "--profile", "roundrobin", "--pause", "1h", "--duration", "2h", "--rate", "1000", "--discard"},
			ready: "", sig: syscall.SIGINT,
		},
		{
			name: "scenario sweep",
			args: []string{"scenario", "--costs", "s0=1ns,c=0ns,k=0", "--rate", "5e5", "--sweep"},
			sig:  syscall.SIGTERM,
		},
		{
			name:  "run",
			args:  []string{"run", "--db", db, "--dir", mustFixtureDir(t), "--benchtime", "1x", "--count", "1", fixturePkg + "hang"},
			ready: "benchdb: running", sig: syscall.SIGINT,
		},
		{
			name:  "report --confirm",
			args:  []string{"report", "--db", reportDB, "--now", "2026-11-13T00:00:00Z", "--confirm", "3", "--dir", repo.Dir},
			ready: "measuring 1 of 1 again", sig: syscall.SIGINT,
		},
		{
			// Input that never ends (a line without a newline is refused
			// at 64 KiB at once, so the stream is of valid lines, paced so
			// that the private copy stays small).
			name: "ingest of endless input",
			args: []string{"ingest", "--db", db, "-"},
			stdin: func(w io.Writer) {
				chunk := bytes.Repeat([]byte("BenchmarkEndless 1 100 ns/op\n"), 1000)
				for {
					if _, err := w.Write(chunk); err != nil {
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			},
			sig: syscall.SIGINT,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := benchdbProc(ctx, bin, t.TempDir(), tt.args...)
			var stderr syncBuffer
			cmd.Stderr = &stderr
			var stdinW io.WriteCloser
			if tt.stdin != nil {
				var err error
				if stdinW, err = cmd.StdinPipe(); err != nil {
					t.Fatal(err)
				}
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			fed := make(chan struct{})
			if tt.stdin != nil {
				go func() {
					defer close(fed)
					tt.stdin(stdinW)
				}()
			} else {
				close(fed)
			}
			// Wait until the operation is under way.
			deadline := time.Now().Add(30 * time.Second)
			if tt.ready == "" {
				time.Sleep(time.Second)
			}
			for tt.ready != "" && !strings.Contains(stderr.String(), tt.ready) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if tt.ready != "" {
				time.Sleep(500 * time.Millisecond) // into the operation
			}
			sent := time.Now()
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			took := time.Since(sent)
			if stdinW != nil {
				stdinW.Close()
			}
			<-fed
			t.Logf("stopped %v after %v: %q", tt.sig, took, stderr.String())
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitError {
				t.Errorf("exit: %v, want status %d", err, exitError)
			}
			if took > signalGrace {
				t.Errorf("stopped %v after %v, want within %v", tt.sig, took, signalGrace)
			}
			if out := stderr.String(); !strings.Contains(out, "interrupted") {
				t.Errorf("stderr %q does not say it was interrupted", out)
			}
		})
	}
}
