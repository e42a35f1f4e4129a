package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// outcome is what an ingest returned, as text to compare.
func outcome(got store.Ingested, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "results=%d skipped=%d noResults=%v\n", got.Results, got.SkippedLines, errors.Is(err, store.ErrNoResults))
	for _, w := range got.Warnings {
		fmt.Fprintf(&b, "warning: %v\n", w)
	}
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	return b.String()
}

// TestCheck compares Check with Ingest into a new store, input by input,
// from a reader that can seek and one that cannot.
func TestCheck(t *testing.T) {
	readFile := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	long := "BenchmarkLong-2 1 " + strings.Repeat("1 x/op ", 10000) + "\n"
	tests := []struct {
		name   string
		input  string
		strict bool
	}{
		{name: "basic", input: readFile("testdata/roundtrip/basic.txt")},
		{name: "config change", input: readFile("testdata/roundtrip/config-change.txt")},
		{name: "go test -json", input: readFile("testdata/json/fib.json")},
		{name: "empty", input: ""},
		{name: "blank lines only", input: "\n  \n\t\n"},
		{name: "no results", input: "goos: linux\nPASS\nok x 0.1s\n"},
		{name: "only malformed results", input: "BenchmarkA-2 100 12\n"},
		{name: "binary NUL", input: goodLines + "ab\x00cd\n"},
		{name: "line over 64 KiB", input: goodLines + long + goodLines},
		{name: "truncated last line", input: goodLines + "BenchmarkA-2 100 1"},
		{name: "malformed lines", input: goodLines + "BenchmarkB-2 100 x ns/op\nBenchmarkD-2 100\n" +
			"Unit ns/op better=higher\nUnit ns/op better=lower\nBenchmarkE-2 100 5 ns/op"},
		{name: "strict, malformed line", input: goodLines + "BenchmarkB-2 100 x ns/op\n" + goodLines, strict: true},
		{name: "JSON, malformed event", input: `{"Action":"output","Package":"p","Output":"BenchmarkA 1 2 ns/op\n"}` + "\n{\"Action\":\n"},
	}
	for _, tt := range tests {
		for _, seekable := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/seekable=%v", tt.name, seekable), func(t *testing.T) {
				opts := store.IngestOptions{Name: "in.txt", Strict: tt.strict}
				reader := func() io.Reader {
					if seekable {
						return strings.NewReader(tt.input)
					}
					return io.MultiReader(strings.NewReader(tt.input))
				}
				want := outcome(storetest.Open(t).Ingest(context.Background(), reader(), opts))
				got := outcome(store.Check(context.Background(), reader(), opts))
				if got != want {
					t.Errorf("Check:\n%s\nIngest into a new store:\n%s", got, want)
				}
			})
		}
	}
}

// BenchmarkCheck measures Check on the inputs of BenchmarkDB_Ingest.
func BenchmarkCheck(b *testing.B) {
	benchEachInput(b, func(b *testing.B, input []byte) {
		for b.Loop() {
			if _, err := store.Check(context.Background(), bytes.NewReader(input), store.IngestOptions{Name: "gen"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
