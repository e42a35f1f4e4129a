package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// backendInputs are stored by the tests that compare the backends: a
// configuration that changes, unit metadata, labels, a malformed line.
var backendInputs = []string{
	"goos: linux\ngoarch: amd64\npkg: example.com/a\nBenchmarkA-8 \t 100\t 1200 ns/op\t 64 B/op\nBenchmarkA-8 \t 100\t 1100 ns/op\t 64 B/op\npkg: example.com/b\nBenchmarkB/x=1-8 10 5 ns/op\n",
	"pkg: example.com/a\nUnit ns/op assume=exact\nBenchmarkA-8 100 1000 ns/op\nBenchmarkBad-8 x y\nBenchmarkC 3 0.5 ns/op 7 widgets\n",
	"BenchmarkA-8 100 1300 ns/op\n",
}

// fillStore ingests backendInputs into the store at addr and returns the
// store's runs (as JSON) and its export.
func fillStore(t *testing.T, addr string) (runs, export string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i, in := range backendInputs {
		res, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{
			Name:   fmt.Sprintf("in%d.txt", i),
			Time:   base.Add(time.Duration(i) * time.Hour),
			Labels: map[string]string{"machine": "m1", "i": fmt.Sprint(i)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.ID != int64(i+1) || res.DuplicateOf != 0 {
			t.Fatalf("ingest %d: %+v, want new run %d", i, res, i+1)
		}
	}
	// The same content again is the same run, whatever its labels.
	res, err := db.Ingest(ctx, strings.NewReader(backendInputs[0]), store.IngestOptions{Labels: map[string]string{"extra": "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.DuplicateOf != 1 || len(res.LabelsAdded) != 1 {
		t.Fatalf("duplicate ingest: %+v, want duplicate of run 1 with one label added", res)
	}
	rs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(rs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := db.Export(ctx, &buf, 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	return string(b), buf.String()
}

// TestBackendsAgree stores the same inputs on SQLite and PostgreSQL: runs
// and export are identical.
func TestBackendsAgree(t *testing.T) {
	pg := storetest.PostgresAddr(t)
	sqlite := storetest.Backends[0].Addr(t)
	sRuns, sExport := fillStore(t, sqlite)
	pRuns, pExport := fillStore(t, pg)
	if sRuns != pRuns {
		t.Errorf("runs differ:\nsqlite:\n%s\npostgres:\n%s", sRuns, pRuns)
	}
	if sExport != pExport {
		t.Errorf("export differs:\nsqlite:\n%s\npostgres:\n%s", sExport, pExport)
	}
	if !strings.Contains(sExport, "BenchmarkC 3 0.5 ns/op 7 widgets") {
		t.Errorf("export lacks a result:\n%s", sExport)
	}
	// A reopened PostgreSQL store is not created again.
	db, err := store.OpenReadOnly(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(context.Background()); err != nil || v != store.LatestSchemaVersion {
		t.Errorf("schema version %d, %v; want %d", v, err, store.LatestSchemaVersion)
	}
	if _, err := db.Ingest(context.Background(), strings.NewReader("BenchmarkZ 1 1 ns/op\n"), store.IngestOptions{}); err == nil {
		t.Errorf("ingest through a read-only PostgreSQL store succeeded")
	}
}

// TestPostgresConcurrentWriters runs writers with their own connections
// that store the same inputs at once, and one new input each: every
// content is stored once, counts are exact.
func TestPostgresConcurrentWriters(t *testing.T) {
	addr := storetest.PostgresAddr(t)
	ctx := context.Background()
	const writers, shared = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*(shared+1))
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, addr) // creates the schema: one of them does
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			for i := range shared {
				in := fmt.Sprintf("BenchmarkShared%d 10 %d ns/op\nBenchmarkNew%d 1 1 ns/op\n", i, 100+i, i)
				if _, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{}); err != nil {
					errs <- err
				}
			}
			in := fmt.Sprintf("BenchmarkOwn%d 10 %d ns/op\nBenchmarkNew%d 1 1 ns/op\n", w, w, w%2)
			if _, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	db, err := store.OpenReadOnly(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != shared+writers {
		t.Errorf("%d runs, want %d", len(runs), shared+writers)
	}
	for i, r := range runs {
		if r.Results != 2 {
			t.Errorf("run %d: %d results, want 2", r.ID, r.Results)
		}
		_ = i
	}
	sdb, err := sql.Open("pgx", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var ids, maxID, names int
	if err := sdb.QueryRow(`SELECT count(DISTINCT id), max(id) FROM run`).Scan(&ids, &maxID); err != nil {
		t.Fatal(err)
	}
	if ids != shared+writers || maxID != ids {
		t.Errorf("run ids: %d distinct, max %d; want 1 to %d", ids, maxID, shared+writers)
	}
	if err := sdb.QueryRow(`SELECT count(*) FROM name`).Scan(&names); err != nil {
		t.Fatal(err)
	}
	if want := shared*2 + writers; names != want {
		t.Errorf("%d names, want %d", names, want)
	}
}

// TestPostgresRefuses checks the databases Open must not touch: the error
// names the address without its password, and nothing is changed.
func TestPostgresRefuses(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, stmts ...string) string {
		addr := storetest.PostgresAddr(t)
		sdb, err := sql.Open("pgx", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		for _, s := range stmts {
			if _, err := sdb.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		return addr
	}
	withPassword := func(addr string) string {
		u, _ := url.Parse(addr)
		u.User = url.UserPassword(u.User.Username(), "s3cret")
		return u.String()
	}
	tables := func(t *testing.T, addr string) string {
		sdb, err := sql.Open("pgx", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		var s sql.NullString
		if err := sdb.QueryRow(`SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s.String
	}
	for _, tc := range []struct {
		name  string
		stmts []string
		want  string
	}{
		{"other application", []string{`CREATE TABLE invoices (id int)`}, "not a benchdb store"},
		{"newer schema", nil, "newer than this benchdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := setup(t, tc.stmts...)
			if tc.name == "newer schema" {
				db, err := store.Open(ctx, addr)
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
				setup2, _ := sql.Open("pgx", addr)
				if _, err := setup2.Exec(`UPDATE schema_version SET version = 99`); err != nil {
					t.Fatal(err)
				}
				setup2.Close()
			}
			before := tables(t, addr)
			_, err := store.Open(ctx, withPassword(addr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want an error containing %q", err, tc.want)
			}
			msg := err.Error()
			if strings.Contains(msg, "s3cret") || !strings.Contains(msg, "xxxxx@") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming the address with its password redacted", msg)
			}
			if after := tables(t, addr); after != before {
				t.Errorf("tables changed: %q, then %q", before, after)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		user := os.Getenv("BENCHDB_TEST_POSTGRES_PWUSER")
		if user == "" {
			t.Skip("BENCHDB_TEST_POSTGRES_PWUSER is not set (.ci/postgres.sh sets it): no role that needs a password")
		}
		u, _ := url.Parse(storetest.PostgresAddr(t))
		u.User = url.UserPassword(user, "s3cret")
		_, err := store.Open(ctx, u.String())
		if err == nil || !strings.Contains(err.Error(), "password authentication failed") {
			t.Fatalf("Open with a wrong password: %v", err)
		}
		msg := err.Error()
		if strings.Contains(msg, "s3cret") || !strings.Contains(msg, user+":xxxxx@") || strings.Contains(msg, "\n") {
			t.Errorf("error %q: want one line naming the address with its password redacted", msg)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		_, err := store.Open(ctx, "postgres://u:s3cret@127.0.0.1:1/x?connect_timeout=2")
		if err == nil {
			t.Fatal("Open of a closed port succeeded")
		}
		msg := err.Error()
		if strings.Contains(msg, "s3cret") || !strings.Contains(msg, "postgres://u:xxxxx@127.0.0.1:1/x") || strings.Contains(msg, "\n") {
			t.Errorf("error %q: want one line naming the address with its password redacted", msg)
		}
	})
}
