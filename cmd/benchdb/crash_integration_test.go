//go:build integration

package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Settings of the crash test.
const (
	crashIterations = 24
	crashResults    = 25000 // results per input: a few tenths of a second to store
	// crashSeedEnv names the environment variable that sets the seed of
	// the kill points (default 1), to replay a failure.
	crashSeedEnv = "BENCHDB_CRASH_SEED"
)

// testIngestKilled starts `benchdb ingest` on a large input again and
// again and kills it with SIGKILL at a random moment, from its start to
// past the time a whole ingest takes. After each kill the input is either
// stored whole (every result, its run row and labels) or not at all, and
// at the end SQLite finds the file intact and the store takes new input.
// Every other input comes through standard input, which benchdb first
// copies to a temporary file.
func testIngestKilled(t *testing.T, bin string) {
	seed := uint64(1)
	if s := os.Getenv(crashSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
		seed = v
	}
	t.Logf("kill points from seed %d (set %s to replay)", seed, crashSeedEnv)
	rng := rand.New(rand.NewPCG(seed, 0))

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "benchdb.sqlite")
	raw := openRaw(t, dbPath)

	var full time.Duration // how long the two ingests that are not killed took
	var killed, absent, whole int
	for i := range crashIterations {
		name := "in" + strconv.Itoa(i)
		input := benchFile(name, crashResults)
		path := filepath.Join(dir, name+".txt")
		if err := os.WriteFile(path, []byte(input), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"--db", dbPath, "ingest", "--label", "iter=" + strconv.Itoa(i), path}
		if i%2 == 1 {
			args[len(args)-1] = "-"
		}
		cmd := benchdbProc(context.Background(), bin, dir, args...)
		if i%2 == 1 {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdin = f
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr

		// The first two ingests (a file, then standard input) run to
		// the end, to time them; the others are killed at a point up to
		// twice that time.
		kill := i > 1
		var delay time.Duration
		if kill {
			delay = time.Duration(rng.Int64N(int64(full) * 3 / 4)) // full is the sum of two
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if kill {
			time.Sleep(delay)
			// Signalling a process that has exited but not been
			// waited for is harmless: the pid is still ours.
			cmd.Process.Kill()
		}
		err := cmd.Wait()
		if f, ok := cmd.Stdin.(*os.File); ok {
			f.Close()
		}
		if !kill {
			full += time.Since(start)
		}
		var ee *exec.ExitError
		wasKilled := errors.As(err, &ee) && !ee.Exited()
		switch {
		case wasKilled:
			killed++
		case err != nil:
			t.Fatalf("iteration %d: %v\n%s", i, err, stderr.String())
		}

		runs := mustQueryInt(t, raw, `SELECT count(*) FROM label WHERE key = 'iter' AND value = ?`, strconv.Itoa(i))
		byHash := mustQueryInt(t, raw, `SELECT count(*) FROM run_config WHERE key = 'file' AND value = ?`, name)
		switch {
		case runs == 0 && byHash == 0:
			if !wasKilled {
				t.Fatalf("iteration %d: benchdb exited 0 but stored nothing", i)
			}
			absent++
		case runs == 1 && byHash == 1:
			id := mustQueryInt(t, raw, `SELECT run_id FROM label WHERE key = 'iter' AND value = ?`, strconv.Itoa(i))
			n := mustQueryInt(t, raw, `SELECT count(*) FROM result_line WHERE run_id = ?`, id)
			recorded := mustQueryInt(t, raw, `SELECT results FROM run WHERE id = ?`, id)
			if n != crashResults || recorded != crashResults {
				t.Fatalf("iteration %d (killed %v after %v): run %d holds %d result rows and says %d, want %d",
					i, wasKilled, delay, id, n, recorded, crashResults)
			}
			whole++
		default:
			t.Fatalf("iteration %d (killed %v after %v): %d runs labelled, %d with its configuration", i, wasKilled, delay, runs, byHash)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d ingests of %d results (%v for the first two, uninterrupted): %d killed, %d stored whole, %d absent",
		crashIterations, crashResults, full.Round(time.Millisecond), killed, whole, absent)
	if absent == 0 {
		t.Errorf("no kill landed before the commit: the test did not test anything")
	}
	checkIntegrity(t, raw)
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM result_line`); n != whole*crashResults {
		t.Errorf("%d result rows in all, want %d (%d whole runs)", n, whole*crashResults, whole)
	}
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM run`); n != whole {
		t.Errorf("%d runs, want %d", n, whole)
	}

	// The store opens and takes new input after the crashes.
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte(benchFile("small", 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRunProc(t, bin, dir, "--db", dbPath, "ingest", small)
	if !strings.Contains(out, "stored as run") {
		t.Errorf("ingest after the crashes: %q", out)
	}
	// Killed ingests of standard input leave their temporary copies
	// behind; nothing else is left in the directory.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); !strings.HasPrefix(n, "benchdb.sqlite") && !strings.HasPrefix(n, "benchdb-ingest-") && n != "small.txt" {
			t.Errorf("unexpected file %s left in the directory", n)
		}
	}
}
