package store_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// oddText holds what a PostgreSQL text column refuses: invalid UTF-8
// and NUL bytes, and the escape PostgreSQL stores use for them.
var oddText = struct {
	input  string
	labels map[string]string
	source string
}{
	input: "goos: linux\nnote: caf\xe9 \xff\xfe\nowner: \ue000x\npkg: example.com/caf\xe9\n" +
		"BenchmarkCaf\xe9/size=\xff-8 100 12 ns/op 3 caf\xe9s/op\n" +
		"BenchmarkCaf\xe9/size=\xff-8 100 13 ns/op 3 caf\xe9s/op\n" +
		"Benchmark\ue00041-8 1 1 ns/op\n",
	labels: map[string]string{"nul": "a\x00b", "latin\xe9": "caf\xe9", "esc": "\ue000\ue00000", "plain": "x"},
	source: "f\xe9\x00.txt",
}

// TestBackends_OddText stores names, units, configuration values,
// labels and a source name that are not valid UTF-8 or hold NUL bytes:
// every backend gives them back byte for byte, in the same order.
func TestBackends_OddText(t *testing.T) {
	ctx := context.Background()
	var first []string
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			db, err := store.Open(ctx, be.Addr(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			res, err := db.Ingest(ctx, strings.NewReader(oddText.input), store.IngestOptions{
				Name: oddText.source, Labels: oddText.labels,
				Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Results != 3 || res.SkippedLines != 0 {
				t.Fatalf("ingest: %+v, want 3 results", res)
			}
			// The same content again is found by its hash.
			again, err := db.Ingest(ctx, strings.NewReader(oddText.input), store.IngestOptions{Labels: map[string]string{"more\x00": "\xff"}})
			if err != nil || again.DuplicateOf != res.ID || again.LabelsAdded["more\x00"] != "\xff" {
				t.Fatalf("ingest again: %+v, %v; want a duplicate of run %d with a label added", again, err, res.ID)
			}
			run, err := db.Run(ctx, res.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantLabels := map[string]string{"more\x00": "\xff"}
			for k, v := range oddText.labels {
				wantLabels[k] = v
			}
			if !reflect.DeepEqual(run.Labels, wantLabels) {
				t.Errorf("labels %q, want %q", run.Labels, wantLabels)
			}
			if run.Source != oddText.source {
				t.Errorf("source %q, want %q", run.Source, oddText.source)
			}
			for k, v := range map[string]string{"note": "caf\xe9 \xff\xfe", "owner": "\ue000x", "pkg": "example.com/caf\xe9"} {
				if run.Config[k] != v {
					t.Errorf("config %s = %q, want %q", k, run.Config[k], v)
				}
			}
			var buf bytes.Buffer
			if err := db.Export(ctx, &buf, res.ID); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSpace(oddText.input), "\n") {
				if !strings.Contains(buf.String(), line+"\n") {
					t.Errorf("export lacks %q:\n%q", line, buf.String())
				}
			}
			runs, err := db.Runs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{buf.String(), runs[0].Source}
			if first == nil {
				first = got
			} else if !reflect.DeepEqual(got, first) {
				t.Errorf("%s differs from %s:\n%q\n%q", be.Name, storetest.Backends[0].Name, got, first)
			}
		})
	}
}
