// Package server is benchdb's team server: an HTTP API to upload benchmark
// runs from CI and read them back, and server-rendered web pages to browse
// them, over any store that has the methods of *store.DB (the Store
// interface), and the client that uploads to it.
//
// The upload API (POST /api/v1/runs) takes `go test -bench` text or `go
// test -json` output, optionally gzip-encoded, with a bearer token checked
// against a file of token hashes (Tokens); the same content uploaded twice
// is stored once, so a client may retry an upload that it cannot tell
// finished. The read API under /api/v1/ returns the JSON of `benchdb runs`,
// `show`, `compare` and `report`, computed by the reports and
// reports/nightly packages; the pages (/runs, /runs/{id}, /compare,
// /report, /benchmarks/...) draw the report's SVG charts, use no scripts,
// and escape every name from the data.
//
// The package opens no database and parses no flags: cmd/benchdb's serve
// command does, and its ingest and run commands use Client.
package server
