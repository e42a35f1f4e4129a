package store_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
	"github.com/benchdb/benchdb/store/storetest"
)

// Environment of the ingest helper process (see TestMain).
const (
	envHelperDB    = "BENCHDB_STORE_TEST_INGEST_DB"
	envHelperFiles = "BENCHDB_STORE_TEST_INGEST_FILES"
)

func TestMain(m *testing.M) {
	if db := os.Getenv(envHelperDB); db != "" {
		os.Exit(ingestHelper(db, strings.Split(os.Getenv(envHelperFiles), string(os.PathListSeparator))))
	}
	code := m.Run()
	benchstattest.Remove()
	os.Exit(code)
}

// ingestHelper is the body of a helper process: it opens the store at
// path, ingests files in order, and prints "FILE ID DUPLICATE_OF RESULTS"
// for each.
func ingestHelper(path string, files []string) int {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		got, err := db.Ingest(ctx, f, store.IngestOptions{Name: name})
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%s %d %d %d\n", filepath.Base(name), got.ID, got.DuplicateOf, got.Results)
	}
	return 0
}

// TestDB_Ingest_processes runs several processes that create one store
// and ingest into it at once: shared files (each stored once, the others
// told which run holds it) and files of their own. Nothing may be lost
// and no process may fail with "database is locked".
func TestDB_Ingest_processes(t *testing.T) {
	const (
		procs  = 4
		shared = 6
		own    = 2
		lines  = 3000
	)
	dir := t.TempDir()
	write := func(name string, seed uint64) string {
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
	var sharedFiles []string
	for i := range shared {
		sharedFiles = append(sharedFiles, write(fmt.Sprintf("shared%d.txt", i), uint64(100+i)))
	}
	dbPath := filepath.Join(dir, "benchdb.sqlite") // created by the processes

	type line struct {
		file              string
		id, dupOf, result int64
	}
	var (
		mu  sync.Mutex
		got []line
		wg  sync.WaitGroup
	)
	errs := make(chan error, procs)
	for p := range procs {
		// Each process takes the shared files in its own order, with
		// its own files in between.
		var files []string
		for i := range shared {
			files = append(files, sharedFiles[(i+p)%shared])
			if i < own {
				files = append(files, write(fmt.Sprintf("own%d-%d.txt", p, i), uint64(1000+10*p+i)))
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envHelperDB+"="+dbPath, envHelperFiles+"="+strings.Join(files, string(os.PathListSeparator)))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Wait(); err != nil {
				errs <- fmt.Errorf("process %d: %v\n%s", p, err, stderr.String())
				return
			}
			sc := bufio.NewScanner(&stdout)
			mu.Lock()
			defer mu.Unlock()
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				l := line{file: f[0]}
				l.id, _ = strconv.ParseInt(f[1], 10, 64)
				l.dupOf, _ = strconv.ParseInt(f[2], 10, 64)
				l.result, _ = strconv.ParseInt(f[3], 10, 64)
				got = append(got, l)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	if want := procs * (shared + own); len(got) != want {
		t.Fatalf("%d files reported, want %d", len(got), want)
	}
	// Each shared file: stored by exactly one process, a duplicate of
	// that run for the others.
	stored := map[string]int64{}
	for _, l := range got {
		if l.result != lines {
			t.Errorf("%s: %d results, want %d", l.file, l.result, lines)
		}
		if l.dupOf == 0 {
			if prev, ok := stored[l.file]; ok {
				t.Errorf("%s stored twice, as runs %d and %d", l.file, prev, l.id)
			}
			stored[l.file] = l.id
		}
	}
	for _, l := range got {
		if l.dupOf != 0 && l.dupOf != stored[l.file] {
			t.Errorf("%s: duplicate of run %d, but run %d holds it", l.file, l.dupOf, stored[l.file])
		}
	}
	wantRuns := shared + procs*own
	if len(stored) != wantRuns {
		t.Errorf("%d distinct runs stored, want %d", len(stored), wantRuns)
	}

	// The store holds exactly that.
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range runs {
		total += r.Results
	}
	if len(runs) != wantRuns || total != wantRuns*lines {
		t.Errorf("store holds %d runs, %d results; want %d, %d", len(runs), total, wantRuns, wantRuns*lines)
	}
	if got := querySamples(t, dbPath, `SELECT count(*) FROM result_line`); got != fmt.Sprintf("%d\n", wantRuns*lines) {
		t.Errorf("result_line rows: %s, want %d", got, wantRuns*lines)
	}
}

// TestDB_Ingest_goroutines ingests from several goroutines through one
// DB (run with -race).
func TestDB_Ingest_goroutines(t *testing.T) {
	db := storetest.Open(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			if err := benchgen.Write(&buf, benchgen.Options{Lines: 500, Count: 5, Seed: uint64(i % 3)}); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = db.Ingest(context.Background(), &buf, store.IngestOptions{Name: fmt.Sprint("g", i)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	runs, err := db.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Errorf("%d runs, want 3 (three distinct contents)", len(runs))
	}
}
