//go:build integration

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngest_fullDisk stores runs on a real file system that fills up: a
// 2 MiB tmpfs (so it needs root; elsewhere it is skipped, and the store's
// TestDB_Ingest_full covers the same with SQLite's max_page_count). The
// ingest that does not fit fails with exit status 2 and a one-line error
// saying the database or disk is full, and every earlier run is intact.
func TestIngest_fullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	// Cleanups run last first: this unmounts before TempDir removes mnt.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	db := filepath.Join(mnt, "benchdb.sqlite")
	mustRunCLI(t, "--db", db, "ingest", "--label", "n=1", "testdata/runs/basic.txt")
	before := fileState(t, db)

	var sb strings.Builder
	sb.WriteString("pkg: example.com/big\n")
	for i := range 60000 {
		fmt.Fprintf(&sb, "BenchmarkBig/case=%d-2 \t 1000\t %d ns/op\t %d B/op\n", i, 100+i%37, i%5)
	}
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, nil, "--db", db, "ingest", big)
	if code != 2 || stdout != "" {
		t.Errorf("ingest on a full disk: exit %d, stdout %q; want 2 and nothing", code, stdout)
	}
	if !strings.HasPrefix(stderr, "benchdb: ingest "+big+": ") || !strings.HasSuffix(stderr, ": database or disk is full\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q: want one line naming the file and saying the database or disk is full", stderr)
	}
	if after := fileState(t, db); after != before {
		t.Errorf("the failed ingest changed the database:\nbefore\n%s\nafter\n%s", before, after)
	}
	runs := mustRunsJSON(t, db)
	if len(runs) != 1 || runs[0].Labels["n"] != "1" {
		t.Errorf("runs after the failure: %+v, want the first run only", runs)
	}
	checkIntegrity(t, openRaw(t, db))
}
