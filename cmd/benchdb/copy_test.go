package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store/storetest"
)

// TestCopyCommand copies a SQLite store to each backend twice, then back:
// progress on standard error, the second copy stores nothing, the copies
// export what the source does.
func TestCopyCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.sqlite")
	in := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(in, []byte("pkg: x\nBenchmarkA-8 100 1000 ns/op\nBenchmarkA-8 100 1010 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bdb := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"benchdb"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, e := bdb("--db", src, "ingest", "--time", "2026-01-02T03:04:05Z", "--label", "m=1", in); code != 0 {
		t.Fatalf("ingest: %d %s", code, e)
	}
	_, want, _ := bdb("--db", src, "export", "1")
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			dst := be.Addr(t)
			code, _, e := bdb("copy", src, dst)
			if code != 0 || !strings.Contains(e, "copy 1/1: run 1 stored as run 1") {
				t.Fatalf("copy: exit %d, stderr %q", code, e)
			}
			code, _, e = bdb("copy", src, dst, "latest")
			if code != 0 || !strings.Contains(e, "already there as run 1") || !strings.Contains(e, "copy: 0 runs new") {
				t.Fatalf("second copy: exit %d, stderr %q", code, e)
			}
			if _, got, _ := bdb("--db", dst, "export", "1"); got != want {
				t.Errorf("export of the copy:\n%s\nwant:\n%s", got, want)
			}
			if _, got, _ := bdb("--db", dst, "runs"); !strings.Contains(got, "2026-01-02T03:04:05Z") || !strings.Contains(got, "m=1") {
				t.Errorf("runs of the copy lack time or label:\n%s", got)
			}
		})
	}
	if code, _, e := bdb("copy", filepath.Join(dir, "none.sqlite"), filepath.Join(dir, "d.sqlite")); code != 2 || !strings.Contains(e, "none.sqlite: no such file") {
		t.Errorf("copy from a missing file: exit %d, %q", code, e)
	}
	if _, err := os.Stat(filepath.Join(dir, "d.sqlite")); err == nil {
		t.Errorf("copy from a missing file created the destination")
	}
	if code, _, _ := bdb("copy", src); code != 2 {
		t.Errorf("copy with one argument: exit %d, want 2", code)
	}
}
