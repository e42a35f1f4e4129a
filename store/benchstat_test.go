package store_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
	"github.com/benchdb/benchdb/store/storetest"
)

// mustBenchstat runs benchstat in dir on files and returns its output.
func mustBenchstat(tb testing.TB, bin, dir string, files ...string) string {
	tb.Helper()
	cmd := exec.Command(bin, files...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("benchstat %v: %v\n%s", files, err, stderr.String())
	}
	return stdout.String() + stderr.String()
}

// TestDB_Export_benchstat checks that benchstat prints exactly the same
// on exported runs as on the original files.
func TestDB_Export_benchstat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchstat")
	}
	bin := benchstattest.Path(t)
	orig := t.TempDir()
	for _, f := range roundTripFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(orig, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range []string{"old.txt", "new.txt"} {
		f, err := os.Create(filepath.Join(orig, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := benchgen.Write(f, benchgen.Options{Lines: 400, Count: 10, Seed: uint64(i)}); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}

	tests := [][]string{
		{"basic.txt"},
		{"config-change.txt"},
		{"old.txt", "new.txt"},
		{"basic.txt", "config-change.txt"},
	}
	for _, files := range tests {
		t.Run(filepath.Join(files...), func(t *testing.T) {
			db := storetest.Open(t)
			exported := t.TempDir()
			for _, f := range files {
				got := mustIngestFile(t, db, filepath.Join(orig, f), store.IngestOptions{})
				var buf bytes.Buffer
				if err := db.Export(context.Background(), &buf, got.ID); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(exported, f), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := mustBenchstat(t, bin, orig, files...)
			got := mustBenchstat(t, bin, exported, files...)
			if got != want {
				t.Errorf("benchstat on the export:\n%s\nbenchstat on the originals:\n%s", got, want)
			}
			if len(want) < 100 {
				t.Errorf("benchstat printed almost nothing: %q", want)
			}
		})
	}
}
