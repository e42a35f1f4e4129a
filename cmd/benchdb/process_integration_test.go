//go:build integration

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProcesses runs the benchdb binary as separate processes, built once
// for all its subtests: ingests killed with SIGKILL at random points
// (crash_integration_test.go), and many writers and readers at once
// (concurrent_integration_test.go).
func TestProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchdb and runs it as processes")
	}
	bin := mustBuildBenchdb(t)
	t.Run("IngestKilled", func(t *testing.T) { testIngestKilled(t, bin) })
	t.Run("ConcurrentWritersAndReaders", func(t *testing.T) { testConcurrent(t, bin) })
}

// mustBuildBenchdb builds this command into a temporary directory and
// returns the binary's path.
func mustBuildBenchdb(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "benchdb")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// mustRunProc runs the benchdb binary and returns its standard output,
// failing the test unless it exits 0 with nothing on standard error.
func mustRunProc(tb testing.TB, bin, tmp string, args ...string) string {
	tb.Helper()
	var out, errOut bytes.Buffer
	cmd := benchdbProc(context.Background(), bin, tmp, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		tb.Fatalf("benchdb %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// benchdbProc returns a command that runs the benchdb binary bin with args,
// its temporary files under tmp. The test owns the process it starts.
func benchdbProc(ctx context.Context, bin, tmp string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}
