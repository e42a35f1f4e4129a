//go:build integration

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mustWhymodRepo copies the why fixture module into a new git repository
// and commits it twice: OLD as it is, NEW with BenchmarkOp running the
// new version (extraScan and extraAlloc).
func mustWhymodRepo(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("no git")
	}
	src := mustWhymodDir(tb)
	dir := tb.TempDir()
	for _, f := range []string{"go.mod", "work/work.go", "work/work_test.go"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	git := func(args ...string) {
		tb.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "old")
	test := filepath.Join(dir, "work", "work_test.go")
	b, err := os.ReadFile(test)
	if err != nil {
		tb.Fatal(err)
	}
	newer := strings.Replace(string(b), `isNew := os.Getenv("WHYMOD_NEW") == "1"`, `isNew := os.Getenv("WHYMOD_NEW") != "0"`, 1)
	if newer == string(b) {
		tb.Fatal("fixture: BenchmarkOp's switch not found")
	}
	if err := os.WriteFile(test, []byte(newer), 0o644); err != nil {
		tb.Fatal(err)
	}
	git("commit", "-q", "-am", "new")
	return dir
}

// TestAb_profile runs benchdb ab --profile cpu,alloc on two commits, the
// second of which adds work in extraScan and allocations in extraAlloc,
// and checks that benchdb why names them first.
func TestAb_profile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two revisions and runs them with profiles")
	}
	repo := mustWhymodRepo(t)
	db := filepath.Join(t.TempDir(), "db.sqlite")
	code, _, stderr := runCLI(t, nil, "--db", db, "ab", "--dir", repo, "--rounds", "2", "--benchtime", "20ms", "--bench", "Op",
		"--profile", "cpu,alloc", "--pprof-time", "300ms", "HEAD~1", "HEAD", "./...")
	if code != 0 {
		t.Fatalf("ab --profile: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "stored 2 profiles (and their setup profiles) with run 1 (old)") || !strings.Contains(stderr, "stored 2 profiles (and their setup profiles) with run 2 (new)") {
		t.Errorf("ab --profile did not store a profile set per side:\n%s", stderr)
	}
	checkTop(t, mustRunCLI(t, "--db", db, "why", "--format", "json", "1", "2"))

	// Over the size limit: exit 2, nothing stored.
	db2 := filepath.Join(t.TempDir(), "db.sqlite")
	code, _, stderr = runCLI(t, nil, "--db", db2, "ab", "--dir", repo, "--rounds", "1", "--benchtime", "10ms", "--bench", "Op",
		"--profile", "cpu", "--pprof-max-size", "100", "HEAD~1", "HEAD", "./...")
	if code != 2 || !strings.Contains(stderr, "is over the limit of 100 B") {
		t.Errorf("ab --pprof-max-size 100: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(db2); err == nil {
		if runs, profiles := counts(t, db2); runs != 0 || profiles != 0 {
			t.Errorf("after the error: %d runs and %d profiles stored, want none", runs, profiles)
		}
	}
}
