package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store"
)

// A server over a new store, and a client that uploads the same output
// twice: the second upload is answered with the run already stored.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "benchdb-example-")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "team.sqlite"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	token, _ := server.AddToken(filepath.Join(dir, "tokens"), "ci")
	tokens, _ := server.LoadTokens(filepath.Join(dir, "tokens"))
	srv, _ := server.New(server.Config{Store: db, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hs := httptest.NewServer(srv.Handler()) // or srv.Serve(ctx, listener)
	defer hs.Close()

	c := &server.Client{URL: hs.URL, Token: token}
	out := "pkg: example.com/x\nBenchmarkEncode-8 1000 1200 ns/op\nBenchmarkEncode-8 1000 1180 ns/op\n"
	for range 2 {
		up, err := c.Upload(ctx, strings.NewReader(out), server.UploadOptions{Name: "bench.txt", Labels: map[string]string{"branch": "main"}})
		if err != nil {
			panic(err)
		}
		fmt.Printf("run %d: %d results, duplicate: %v, page %s\n", up.ID, up.Results, up.DuplicateOf != nil, up.URL)
	}
	// Output:
	// run 1: 2 results, duplicate: false, page /runs/1
	// run 1: 2 results, duplicate: true, page /runs/1
}
