package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store"
)

// benchRun returns benchmark output of n results, unique by id.
func benchRun(id string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "upload: %s\ngoos: linux\npkg: example.com/load\n", id)
	for i := range n {
		fmt.Fprintf(&b, "BenchmarkLoad/case=%d-2 \t 1000\t %d ns/op\t %d B/op\t %d allocs/op\n", i%200, 1000+(i*7919)%613, 64+i%7, i%3)
	}
	return b.String()
}

// BenchmarkUpload compares one upload of 2,000 results through the server
// (client, gzip, HTTP on loopback, ingest) with the store's Ingest alone.
func BenchmarkUpload(b *testing.B) {
	inputs := make([]string, 0, 64)
	for i := range cap(inputs) {
		inputs = append(inputs, benchRun(fmt.Sprint(i), 2000))
	}
	b.Run("via=server", func(b *testing.B) {
		ts := mustServer(b, nil)
		c := &server.Client{URL: ts.URL, Token: ts.Token}
		i := 0
		for b.Loop() {
			if _, err := c.Upload(context.Background(), strings.NewReader(inputs[i%len(inputs)]+fmt.Sprintf("n: %d\n", i)), server.UploadOptions{}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("via=store", func(b *testing.B) {
		ts := mustServer(b, nil)
		i := 0
		for b.Loop() {
			if _, err := ts.DB.Ingest(context.Background(), strings.NewReader(inputs[i%len(inputs)]+fmt.Sprintf("n: %d\n", i)), store.IngestOptions{}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
