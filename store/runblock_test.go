package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// TestDB_Results_runBlocks ingests every input shape, the shapes whose
// chunks fill fastest large enough for runs of several run_block chunks
// (the others stay in one chunk even at 6,000 lines, so they take
// 2,000), and checks that Results gives what
// benchfmt reads from the input, that the views give every result and
// configuration line, and that holding fewer ended groups (a small
// maxPendingGroups, which ends every open group more often) changes
// the groups but not the results.
func TestDB_Results_runBlocks(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	for i, s := range storetest.Shapes {
		// Several chunks at 6,000 lines (3 each); grouped, few-benchmarks,
		// interleaved and json compress into one chunk at 6,000 as at
		// 2,000. config-churn: each result's configuration holds every
		// key so far, 2 chunks at 2,000 lines.
		lines, chunks := 2000, 1
		switch s.Name {
		case "many-benchmarks", "config-change":
			lines, chunks = 6000, 3
		case "config-churn":
			chunks = 2
		}
		for _, pending := range []int{0, 2000} {
			if s.Quadratic && pending > 0 {
				// Every result of this shape is a group of its own,
				// ended by the next result's configuration: a small
				// maxPendingGroups stores the same chunks, byte for
				// byte (2,000 groups, 2 chunks, either way), and
				// reading them back is the costliest case here (6 s
				// under -race).
				continue
			}
			t.Run(fmt.Sprintf("shape=%s/pending=%d", s.Name, pending), func(t *testing.T) {
				input, text := s.Input(t, lines, uint64(i+1))
				db := storetest.Open(t)
				if pending > 0 {
					store.SetPendingGroups(db, pending)
				}
				got, err := db.Ingest(context.Background(), bytes.NewReader(input), store.IngestOptions{Name: s.Name})
				if err != nil {
					t.Fatal(err)
				}
				// Each result, configuration included, as a hash.
				var want, stored []string
				br := benchfmt.NewReader(bytes.NewReader(text), s.Name)
				for br.Scan() {
					if r, ok := br.Result().(*benchfmt.Result); ok {
						want = append(want, resultHash(r))
					}
				}
				err = db.Results(context.Background(), []int64{got.ID}, func(_ int64, r *benchfmt.Result) error {
					stored = append(stored, resultHash(r))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(want) != lines || len(stored) != lines {
					t.Fatalf("%d results read back, %d in the input, want %d", len(stored), len(want), lines)
				}
				for k := range want {
					if want[k] != stored[k] {
						t.Fatalf("result %d differs", k)
					}
				}
				if n := mustQueryInt(t, db.Path(), `SELECT count(*) FROM result_line`); n != lines {
					t.Errorf("result_line: %d rows, want %d", n, lines)
				}
				// As sqlResults reads it (the form of version 7).
				if n := mustQueryInt(t, db.Path(), `SELECT sum(g.n) FROM result_group g JOIN name n ON n.id = g.name_id WHERE g.run_id = 1`); n != lines {
					t.Errorf("result_group: %d results, want %d", n, lines)
				}
				// Every result follows a pkg line, in every chunk.
				if n := mustQueryInt(t, db.Path(), `SELECT count(*) FROM result_group WHERE pkg IS NULL OR pkg NOT LIKE 'example.com/gen/p%'`); n != 0 {
					t.Errorf("result_group: %d groups without their package", n)
				}
				if n := mustQueryInt(t, db.Path(), `SELECT count(*) FROM config_line`); n != configLines(text) {
					t.Errorf("config_line: %d rows, want %d", n, configLines(text))
				}
				// The configuration lines are numbered 0, 1, 2, ...
				if n := mustQueryInt(t, db.Path(), `SELECT max(seq) + 1 = count(DISTINCT seq) AND count(*) = count(DISTINCT seq) FROM config_line`); n != 1 {
					t.Errorf("configuration lines not numbered from 0 without gaps")
				}
				if n := mustQueryInt(t, db.Path(), `SELECT count(*) FROM run_block`); n < chunks {
					t.Errorf("%d chunks, want at least %d", n, chunks)
				}
			})
		}
	}
}

// resultHash hashes everything a Result holds except its position, in
// time linear in its configuration. It formats into a buffer hashed a
// few kilobytes at a time: a result of the config-churn shape carries
// thousands of keys, and hashing each key apart (or formatting with
// fmt) made this test's own work most of its time under -race.
func resultHash(r *benchfmt.Result) string {
	h := sha256.New()
	b := make([]byte, 0, 8<<10)
	flush := func() {
		if len(b) >= 4<<10 {
			h.Write(b)
			b = b[:0]
		}
	}
	b = append(b, r.Name...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(r.Iters), 10)
	for _, v := range r.Values {
		b = append(b, 1)
		b = strconv.AppendFloat(b, v.Value, 'g', -1, 64)
		b = append(b, 0)
		b = append(b, v.Unit...)
		b = append(b, 0)
		b = strconv.AppendFloat(b, v.OrigValue, 'g', -1, 64)
		b = append(b, 0)
		b = append(b, v.OrigUnit...)
		b = append(b, 0)
		flush()
	}
	for _, c := range r.Config {
		b = append(b, 2)
		b = append(b, c.Key...)
		b = append(b, 0)
		b = append(b, c.Value...)
		if c.File {
			b = append(b, 1)
		} else {
			b = append(b, 2)
		}
		flush()
	}
	h.Write(b)
	return string(h.Sum(nil)[:8])
}

// configLines counts the configuration lines of benchmark text: lines
// "key: value" that are not results.
func configLines(text []byte) int {
	n := 0
	for _, l := range strings.Split(string(text), "\n") {
		if k, _, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, "Benchmark") && !strings.ContainsAny(k, " \t") && k != "" {
			n++
		}
	}
	return n
}

// TestDB_Open_migrateRunBlocks makes a store at schema version 7 (the
// tables result_group, config_line and run_digest, rebuilt from a new
// store's views) and opens it: version 8's migration writes each run's
// blocks from the rows, in line order (interleaved groups, configuration
// lines between results, more than one chunk), and Results, Samples and
// Runs give what they gave before.
func TestDB_Open_migrateRunBlocks(t *testing.T) {
	storetest.SQLiteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v7.sqlite")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	inputs := [][]byte{[]byte(digestInput())}
	for i, s := range storetest.Shapes {
		input, _ := s.Input(t, 2000, uint64(i+1))
		inputs = append(inputs, input)
	}
	for i, input := range inputs {
		res, err := db.Ingest(ctx, bytes.NewReader(input), store.IngestOptions{Name: fmt.Sprint("in", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ID)
	}
	// Each run's results, configuration included, as hashes.
	prints := func(db *store.DB) []string {
		var out []string
		for _, id := range ids {
			var sb strings.Builder
			err := db.Results(ctx, []int64{id}, func(_ int64, r *benchfmt.Result) error {
				sb.WriteString(resultHash(r))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, sb.String())
		}
		return out
	}
	before := prints(db)
	want := resultSamples(t, db, ids)
	runsBefore, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open(store.SQLiteDriver, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Version 7's tables, from version 8's views.
	for _, q := range []string{
		`CREATE TEMP TABLE g AS SELECT run_id, line, name_id, unit_set_id, n, data FROM result_group`,
		`CREATE TEMP TABLE c AS SELECT run_id, seq, line, key, value FROM config_line`,
		`CREATE TEMP TABLE rc AS SELECT run_id, key, value FROM run_config`,
		`DROP VIEW run_config`,
		`DROP TABLE run_config_block`,
		`CREATE TABLE run_config (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, key)
)`,
		`INSERT INTO run_config SELECT * FROM rc`,
		`DROP VIEW sample`,
		`DROP VIEW result_line`,
		`DROP VIEW result_group`,
		`DROP VIEW config_line`,
		`DROP TABLE run_block`,
		`CREATE TABLE result_group (
	run_id      INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	line        INTEGER NOT NULL,
	name_id     INTEGER NOT NULL,
	unit_set_id INTEGER NOT NULL,
	n           INTEGER NOT NULL,
	data        BLOB NOT NULL DEFAULT x'',
	PRIMARY KEY (run_id, line)
) WITHOUT ROWID`,
		`CREATE INDEX result_group_name ON result_group (name_id)`,
		`CREATE TABLE config_line (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,
	line   INTEGER NOT NULL,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID`,
		`CREATE TABLE run_digest (run_id INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (run_id, seq))`,
		`INSERT INTO result_group SELECT * FROM g`,
		`INSERT INTO config_line SELECT * FROM c`,
		`CREATE VIEW result_line AS SELECT 1`,
		`CREATE VIEW sample AS SELECT 1`,
		`UPDATE schema_version SET version = 7`,
	} {
		if _, err := raw.Exec(q); err != nil {
			raw.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	if n := mustQueryInt(t, path, `SELECT count(*) FROM config_line`); n < 4000 {
		t.Fatalf("version 7 store with %d configuration lines", n)
	}

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchemaVersion {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	for i, after := range prints(db) {
		if after != before[i] {
			t.Errorf("run %d: results after migration differ", ids[i])
		}
	}
	if d := diffSamples(digestSamples(t, db, ids), want); d != "" {
		t.Errorf("Samples after migration differs from Results before:\n%s", d)
	}
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(runs) != fmt.Sprint(runsBefore) || len(runs[5].Config) < 2000 {
		t.Errorf("runs after migration:\n%v\nbefore:\n%v", runs, runsBefore)
	}
	if n := mustQueryInt(t, path, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('result_group', 'config_line', 'run_digest', 'run_config')`); n != 0 {
		t.Errorf("%d of version 7's tables left", n)
	}
	checkIntegrity(t, path)
}
