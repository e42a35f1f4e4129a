// Package abtest builds git repositories of a small Go module for the
// tests of ab and bisect. The module (testdata/slowmod) has two
// benchmarks: BenchmarkWork, whose cost is set by the constant Iters in
// knobs.go, and BenchmarkFixed, which no commit changes. A commit that
// sets Iters to 1.1 times its base makes BenchmarkWork 10% slower.
package abtest

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed testdata/slowmod
var slowmod embed.FS

// BaseIters is BenchmarkWork's work at the first commit.
const BaseIters = 2000

// Knobs returns the text of knobs.go with the given settings.
func Knobs(iters int, fail, panics bool) string {
	return fmt.Sprintf("package slow\n\n// Iters is the work of BenchmarkWork; commits change it.\nconst Iters = %d\n\n// Fail makes BenchmarkWork fail, Panic makes it panic.\nconst (\n\tFail  = %v\n\tPanic = %v\n)\n", iters, fail, panics)
}

// Broken is a Go file that does not compile.
const Broken = "package slow\n\nvar broken int = \"not an int\"\n"

// Repo is a git repository in a temporary directory.
type Repo struct {
	Dir string
	tb  testing.TB
}

// MustRepo makes a git repository holding the module (with
// Iters = BaseIters) as its first commit. It skips the test when git or
// go is missing.
func MustRepo(tb testing.TB) *Repo {
	tb.Helper()
	for _, tool := range []string{"git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("%s not found: %v", tool, err)
		}
	}
	dir := tb.TempDir()
	err := fs.WalkDir(slowmod, "testdata/slowmod", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := slowmod.ReadFile(path)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
	r := &Repo{Dir: dir, tb: tb}
	r.Git("init", "-q", "-b", "main")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "initial")
	return r
}

// Git runs git in the repository and returns its trimmed output.
func (r *Repo) Git(args ...string) string {
	r.tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (name to content; "" removes the file) and commits
// them with message msg. It returns the commit's hash.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.tb.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, name)
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.tb.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.tb.Fatal(err)
		}
	}
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

// Worktrees returns the repository's worktrees other than the main one,
// as `git worktree list` shows them.
func (r *Repo) Worktrees() []string {
	r.tb.Helper()
	var out []string
	for _, l := range strings.Split(r.Git("worktree", "list", "--porcelain"), "\n") {
		if p, ok := strings.CutPrefix(l, "worktree "); ok && p != r.Dir {
			if ev, err := filepath.EvalSymlinks(r.Dir); err == nil && ev == p {
				continue
			}
			out = append(out, p)
		}
	}
	return out
}
