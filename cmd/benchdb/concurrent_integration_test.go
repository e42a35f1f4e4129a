//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Settings of the concurrency test.
const (
	concWriters   = 8   // writer goroutines, each running benchdb processes one after another
	concProcs     = 3   // ingest processes per writer
	concFiles     = 2   // files per ingest process
	concReaders   = 4   // reader goroutines
	concResults   = 300 // results per file
	concBaseRunID = 1
)

// testConcurrent runs eight writers, each starting ingest processes one
// after another, while readers run compare, report and runs in a loop. Every
// process must succeed with nothing on standard error; a reader never sees
// a run partly stored; at the end every file is stored exactly once, with
// every result, and a file that all writers ingest at once is stored once.
func testConcurrent(t *testing.T, bin string) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "benchdb.sqlite")
	write := func(id string) string {
		p := filepath.Join(dir, id+".txt")
		if err := os.WriteFile(p, []byte(benchFile(id, concResults)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mustRunProc(t, bin, dir, "--db", dbPath, "ingest", "--label", "role=base", write("base"))
	shared := write("shared")
	var files [concWriters][concProcs][]string
	for w := range concWriters {
		for p := range concProcs {
			for f := range concFiles {
				files[w][p] = append(files[w][p], write(fmt.Sprintf("w%d-p%d-f%d", w, p, f)))
			}
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu       sync.Mutex
		failures []string
		dupes    atomic.Int32
		reads    atomic.Int32
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	proc := func(args ...string) (string, bool) {
		var out, errOut bytes.Buffer
		cmd := benchdbProc(ctx, bin, dir, append([]string{"--db", dbPath}, args...)...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if ctx.Err() != nil {
			return "", false // stopped by the test
		}
		// compare --format csv shows benchstat's statistical warnings
		// on standard error, one per line, each naming its spreadsheet
		// cell (B6: ...); they are not errors.
		warnings := slices.Contains(args, "csv") && csvWarnings.MatchString(errOut.String())
		// The shared file's writers give it their own writer label: the
		// run keeps the first one, and the others are told so.
		warnings = warnings || regexp.MustCompile(`^benchdb: warning: \S+shared.txt: label writer=\d not applied: run \d+ already has writer=\d\n$`).MatchString(errOut.String())
		if err != nil || errOut.Len() > 0 && !warnings {
			fail("benchdb %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
			return "", false
		}
		return out.String(), true
	}

	var writers, readers sync.WaitGroup
	for w := range concWriters {
		writers.Go(func() {
			// All writers start with the same file.
			if out, ok := proc("ingest", "--label", fmt.Sprintf("writer=%d", w), shared); ok && strings.Contains(out, "already stored") {
				dupes.Add(1)
			}
			for p := range concProcs {
				args := []string{"ingest", "--label", fmt.Sprintf("writer=%d", w), "--label", fmt.Sprintf("proc=%d", p)}
				proc(append(args, files[w][p]...)...)
			}
		})
	}
	readerCtx, stopReaders := context.WithCancel(ctx)
	for r := range concReaders {
		readers.Go(func() {
			for readerCtx.Err() == nil {
				switch r {
				case 0:
					out, ok := proc("compare", "--format", "json", fmt.Sprint(concBaseRunID), "latest")
					if ok && !json.Valid([]byte(out)) {
						fail("compare --format json: invalid JSON:\n%s", out)
					}
				case 1:
					proc("compare", "--format", "csv", "base=role:base", "new=latest")
				case 2:
					out, ok := proc("report", "--format", "json")
					if ok && !json.Valid([]byte(out)) {
						fail("report --format json: invalid JSON:\n%s", out)
					}
				default:
					out, ok := proc("runs", "--format", "json")
					if !ok {
						continue
					}
					var runs []runJSON
					if err := json.Unmarshal([]byte(out), &runs); err != nil {
						fail("runs --format json: %v", err)
						continue
					}
					for _, run := range runs {
						if run.Results != concResults {
							fail("a reader saw run %d with %d results, want %d", run.ID, run.Results, concResults)
						}
					}
				}
				reads.Add(1)
			}
		})
	}
	writers.Wait()
	stopReaders()
	readers.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if reads.Load() == 0 {
		t.Error("no reader finished while the writers ran")
	}
	if got := dupes.Load(); got != concWriters-1 {
		t.Errorf("%d writers were told the shared file was already stored, want %d", got, concWriters-1)
	}

	raw := openRaw(t, dbPath)
	wantRuns := 2 + concWriters*concProcs*concFiles
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM run`); n != wantRuns {
		t.Errorf("%d runs, want %d", n, wantRuns)
	}
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM result_line`); n != wantRuns*concResults {
		t.Errorf("%d results, want %d", n, wantRuns*concResults)
	}
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM run WHERE results != ?`, concResults); n != 0 {
		t.Errorf("%d runs with a result count other than %d", n, concResults)
	}
	for w := range concWriters {
		for p := range concProcs {
			for f := range concFiles {
				id := fmt.Sprintf("w%d-p%d-f%d", w, p, f)
				q := `SELECT count(*) FROM run_config c JOIN label lw ON lw.run_id = c.run_id AND lw.key = 'writer' AND lw.value = ?
				       JOIN label lp ON lp.run_id = c.run_id AND lp.key = 'proc' AND lp.value = ?
				      WHERE c.key = 'file' AND c.value = ?`
				if n := mustQueryInt(t, raw, q, fmt.Sprint(w), fmt.Sprint(p), id); n != 1 {
					t.Errorf("file %s stored %d times with its writer's labels, want once", id, n)
				}
			}
		}
	}
	checkIntegrity(t, raw)
	t.Logf("%d writers stored %d runs of %d results while %d readers ran %d commands", concWriters, wantRuns-1, concResults, concReaders, reads.Load())
}

// csvWarnings matches what compare --format csv writes to standard
// error: benchstat's warnings, each line prefixed with a cell (B6: ...).
var csvWarnings = regexp.MustCompile(`^([A-Z]+[0-9]+: [^\n]*\n)+$`)
