package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
)

// mustIngestFile ingests the file at path.
func mustIngestFile(tb testing.TB, db *store.DB, path string, opts store.IngestOptions) store.Ingested {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if opts.Name == "" {
		opts.Name = path
	}
	got, err := db.Ingest(context.Background(), f, opts)
	if err != nil {
		tb.Fatalf("ingest %s: %v", path, err)
	}
	return got
}

// records is what benchfmt reads from an input.
type records struct {
	results []*benchfmt.Result
	units   benchfmt.UnitMetadataMap
	errs    []string
}

// mustReadRecords reads r with benchfmt.Reader, the reference the store
// must agree with.
func mustReadRecords(tb testing.TB, r io.Reader, name string) records {
	tb.Helper()
	br := benchfmt.NewReader(r, name)
	var out records
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.Result:
			out.results = append(out.results, rec.Clone())
		case *benchfmt.SyntaxError:
			out.errs = append(out.errs, rec.Error())
		}
	}
	if err := br.Err(); err != nil {
		tb.Fatal(err)
	}
	out.units = br.Units()
	return out
}

// mustStoredResults returns the results of run id, cloned.
func mustStoredResults(tb testing.TB, db *store.DB, ids ...int64) []*benchfmt.Result {
	tb.Helper()
	var out []*benchfmt.Result
	err := db.Results(context.Background(), ids, func(_ int64, r *benchfmt.Result) error {
		out = append(out, r.Clone())
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// diffResults describes the differences between two result lists, ignoring
// positions, or returns "".
func diffResults(got, want []*benchfmt.Result) string {
	var sb strings.Builder
	if len(got) != len(want) {
		fmt.Fprintf(&sb, "got %d results, want %d\n", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := resultString(got[i]), resultString(want[i])
		if g != w {
			fmt.Fprintf(&sb, "result %d:\n  got  %s\n  want %s\n", i, g, w)
		}
	}
	return sb.String()
}

// resultString prints everything a Result holds except its position.
func resultString(r *benchfmt.Result) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s iters=%d", r.Name, r.Iters)
	for _, v := range r.Values {
		fmt.Fprintf(&sb, " {%v %s %v %s}", v.Value, v.Unit, v.OrigValue, v.OrigUnit)
	}
	sb.WriteString(" config:")
	for _, c := range r.Config {
		fmt.Fprintf(&sb, " %s=%q/%v", c.Key, c.Value, c.File)
	}
	return sb.String()
}

// mustDump returns every row of every table of the SQLite file at path,
// as text, to check that a failed operation changed nothing.
func mustDump(tb testing.TB, path string) string {
	tb.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return "<no file>"
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var tables []string
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var sb strings.Builder
	for _, t := range tables {
		fmt.Fprintf(&sb, "table %s\n", t)
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+t)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&sb, "%v\n", vals)
		}
		rows.Close()
	}
	return sb.String()
}
