//go:build integration

package store_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
	"github.com/benchdb/benchdb/store/storetest"
)

// writeGen writes a generated input of lines results to dir/name.
func writeGen(t *testing.T, dir, name string, lines int, seed uint64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := benchgen.Write(f, benchgen.Options{Lines: lines, Count: 10, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return path
}

// ingestProc starts the ingest helper (TestMain) on addr and files.
func ingestProc(addr string, files ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelperDB+"="+addr, envHelperFiles+"="+strings.Join(files, string(os.PathListSeparator)))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// pgRunCounts returns, in one snapshot, each run's results column and the
// results its result_group rows hold.
func pgRunCounts(ctx context.Context, sdb *sql.DB) (map[int64][2]int, error) {
	rows, err := sdb.QueryContext(ctx, `SELECT r.id, r.results, (SELECT coalesce(sum(g.n), 0) FROM result_group g WHERE g.run_id = r.id) FROM run r`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64][2]int{}
	for rows.Next() {
		var id int64
		var a, b int
		if err := rows.Scan(&id, &a, &b); err != nil {
			return nil, err
		}
		m[id] = [2]int{a, b}
	}
	return m, rows.Err()
}

// TestPostgres_WriterProcesses runs 16 writer processes on one
// PostgreSQL store, each ingesting the 4 shared files (in its own order)
// and 2 of its own, while 4 readers read runs, exports and raw counts in
// a loop: no process fails, no reader sees a run partly stored, every
// file is stored once, and the counts are exact.
func TestPostgres_WriterProcesses(t *testing.T) {
	addr := storetest.PostgresAddr(t)
	const (
		writers, readers = 16, 4
		shared, own      = 4, 2
		lines            = 2000
	)
	dir := t.TempDir()
	var sharedFiles []string
	for i := range shared {
		sharedFiles = append(sharedFiles, writeGen(t, dir, fmt.Sprintf("shared%d.txt", i), lines, uint64(100+i)))
	}
	// The store exists before the readers start (the writers race to
	// create it in TestPostgresConcurrentWriters).
	db, err := store.Open(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var reads atomic.Int64
	var rwg sync.WaitGroup
	readErrs := make(chan error, readers*4)
	for r := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			rdb, err := store.OpenReadOnly(ctx, addr)
			if err != nil {
				readErrs <- err
				return
			}
			defer rdb.Close()
			sdb, err := sql.Open("pgx", addr)
			if err != nil {
				readErrs <- err
				return
			}
			defer sdb.Close()
			for ctx.Err() == nil {
				counts, err := pgRunCounts(ctx, sdb)
				if err != nil && ctx.Err() == nil {
					readErrs <- fmt.Errorf("reader %d: %v", r, err)
					return
				}
				for id, c := range counts {
					if c[0] != lines || c[1] != lines {
						readErrs <- fmt.Errorf("reader %d: run %d seen with %d results, %d stored; want %d", r, id, c[0], c[1], lines)
						return
					}
				}
				runs, err := rdb.Runs(ctx)
				if err != nil && ctx.Err() == nil {
					readErrs <- fmt.Errorf("reader %d: runs: %v", r, err)
					return
				}
				if len(runs) > 0 {
					var buf bytes.Buffer
					last := runs[len(runs)-1]
					if err := rdb.Export(ctx, &buf, last.ID); err != nil && ctx.Err() == nil {
						readErrs <- fmt.Errorf("reader %d: export %d: %v", r, last.ID, err)
						return
					}
					if n := strings.Count("\n"+buf.String(), "\nBenchmark"); ctx.Err() == nil && n != lines {
						readErrs <- fmt.Errorf("reader %d: export of run %d: %d results, want %d", r, last.ID, n, lines)
						return
					}
				}
				reads.Add(1)
			}
		}()
	}

	type report struct {
		file               string
		id, dupOf, results int64
	}
	var (
		mu  sync.Mutex
		got []report
		wg  sync.WaitGroup
	)
	errs := make(chan error, writers)
	start := time.Now()
	for w := range writers {
		var files []string
		for i := range shared {
			files = append(files, sharedFiles[(i+w)%shared])
			if i < own {
				files = append(files, writeGen(t, dir, fmt.Sprintf("own%d-%d.txt", w, i), lines, uint64(1000+10*w+i)))
			}
		}
		cmd, stdout, stderr := ingestProc(addr, files...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Wait(); err != nil || stderr.Len() > 0 {
				errs <- fmt.Errorf("writer %d: %v\n%s", w, err, stderr)
				return
			}
			sc := bufio.NewScanner(stdout)
			mu.Lock()
			defer mu.Unlock()
			for sc.Scan() {
				var r report
				fmt.Sscan(sc.Text(), &r.file, &r.id, &r.dupOf, &r.results)
				got = append(got, r)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	rwg.Wait()
	close(errs)
	close(readErrs)
	for err := range errs {
		t.Error(err)
	}
	for err := range readErrs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if want := writers * (shared + own); len(got) != want {
		t.Fatalf("%d files reported, want %d", len(got), want)
	}
	stored := map[string]int64{}
	for _, r := range got {
		if r.results != lines {
			t.Errorf("%s: %d results, want %d", r.file, r.results, lines)
		}
		if r.dupOf == 0 {
			if prev, ok := stored[r.file]; ok {
				t.Errorf("%s stored twice, as runs %d and %d", r.file, prev, r.id)
			}
			stored[r.file] = r.id
		}
	}
	for _, r := range got {
		if r.dupOf != 0 && r.dupOf != stored[r.file] {
			t.Errorf("%s: duplicate of run %d, but run %d holds it", r.file, r.dupOf, stored[r.file])
		}
	}
	wantRuns := shared + writers*own
	sdb, err := sql.Open("pgx", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	counts, err := pgRunCounts(context.Background(), sdb)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != wantRuns || len(stored) != wantRuns {
		t.Errorf("%d runs in the store, %d reported stored; want %d", len(counts), len(stored), wantRuns)
	}
	for id, c := range counts {
		if c[0] != lines || c[1] != lines {
			t.Errorf("run %d: %d results, %d stored; want %d", id, c[0], c[1], lines)
		}
	}
	var hashes int
	if err := sdb.QueryRow(`SELECT count(DISTINCT content_hash) FROM run`).Scan(&hashes); err != nil || hashes != wantRuns {
		t.Errorf("%d distinct content hashes (%v), want %d", hashes, err, wantRuns)
	}
	t.Logf("%d writer processes, %d files each, %d readers: %v, %d reads", writers, shared+own, readers, elapsed.Round(time.Millisecond), reads.Load())
	if reads.Load() == 0 {
		t.Errorf("the readers read nothing")
	}
}

// TestPostgres_KillMidIngest kills an ingest process with SIGKILL at a
// random moment of its ingest, 20 times: after each kill every stored
// run is whole (its results all there) and the killed file is stored
// whole or not at all; a later ingest stores what is missing, once.
func TestPostgres_KillMidIngest(t *testing.T) {
	addr := storetest.PostgresAddr(t)
	const (
		kills = 20
		lines = 20000
	)
	dir := t.TempDir()
	sdb, err := sql.Open("pgx", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	// One uncut ingest sets the time scale.
	first := writeGen(t, dir, "first.txt", lines, 1)
	cmd, _, stderr := ingestProc(addr, first)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	full := time.Since(start)
	rng := rand.New(rand.NewPCG(1, 2))
	var files []string
	whole, absent := 0, 0
	for i := range kills {
		file := writeGen(t, dir, fmt.Sprintf("k%d.txt", i), lines, uint64(10+i))
		files = append(files, file)
		cmd, _, _ := ingestProc(addr, file)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Kill()
		cmd.Wait()
		counts, err := pgRunCounts(context.Background(), sdb)
		if err != nil {
			t.Fatal(err)
		}
		for id, c := range counts {
			if c[0] != lines || c[1] != lines {
				t.Fatalf("kill %d: run %d has %d results, %d stored; want %d", i, id, c[0], c[1], lines)
			}
		}
		switch len(counts) {
		case whole + 2:
			whole++
		case whole + 1:
			absent++
		default:
			t.Fatalf("kill %d: %d runs, want %d or %d", i, len(counts), whole+1, whole+2)
		}
	}
	t.Logf("%d kills within %v (one uncut ingest): %d runs stored whole, %d absent", kills, full.Round(time.Millisecond), whole, absent)
	// Everything again: what is missing is stored, nothing twice.
	cmd, _, stderr = ingestProc(addr, append([]string{first}, files...)...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("ingest after the kills: %v\n%s", err, stderr)
	}
	counts, err := pgRunCounts(context.Background(), sdb)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != kills+1 {
		t.Errorf("%d runs after ingesting all again, want %d", len(counts), kills+1)
	}
	var locks int
	if err := sdb.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`).Scan(&locks); err != nil || locks != 0 {
		t.Errorf("%d advisory locks held after the kills (%v)", locks, err)
	}
}
