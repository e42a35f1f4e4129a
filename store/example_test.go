package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
)

func Example() {
	dir, err := os.MkdirTemp("", "benchdb-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "benchdb.sqlite"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	input := `goos: linux
pkg: example.com/fib
BenchmarkFib/n=10-8   3804562   314.2 ns/op   0 B/op   0 allocs/op
BenchmarkFib/n=10-8   3815233   312.9 ns/op   0 B/op   0 allocs/op
`
	got, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{
		Name:   "fib.txt",
		Labels: map[string]string{"commit": "abc123"},
		Time:   time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("run %d: %d results\n", got.ID, got.Results)

	again, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "copy.txt"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("copy: duplicate of run %d\n", again.DuplicateOf)

	err = db.Results(ctx, []int64{got.ID}, func(_ int64, r *benchfmt.Result) error {
		v, _ := r.Value("sec/op")
		fmt.Printf("%s %s %d %.4g sec/op\n", r.GetConfig("pkg"), r.Name, r.Iters, v)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Export(ctx, os.Stdout, got.ID); err != nil {
		log.Fatal(err)
	}
	// Output:
	// run 1: 2 results
	// copy: duplicate of run 1
	// example.com/fib Fib/n=10-8 3804562 3.142e-07 sec/op
	// example.com/fib Fib/n=10-8 3815233 3.129e-07 sec/op
	// goos: linux
	// pkg: example.com/fib
	//
	// BenchmarkFib/n=10-8 3804562 314.2 ns/op 0 B/op 0 allocs/op
	// BenchmarkFib/n=10-8 3815233 312.9 ns/op 0 B/op 0 allocs/op
}
