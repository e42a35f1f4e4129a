package runner_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/runner"
)

// MustGit runs git in dir and returns its trimmed output.
func MustGit(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestLabels(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	MustGit(t, dir, "init", "-q", "-b", "trunk")
	file := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(file, []byte("module example.com/m\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	MustGit(t, dir, "add", "go.mod")
	MustGit(t, dir, "commit", "-q", "-m", "one")
	commit := MustGit(t, dir, "rev-parse", "HEAD")

	l := runner.Labels(t.Context(), "", dir, []string{"GOMAXPROCS=3"})
	want := map[string]string{
		runner.LabelCommit:     commit,
		runner.LabelBranch:     "trunk",
		runner.LabelDirty:      "false",
		runner.LabelGoVersion:  runtime.Version(),
		runner.LabelGOOS:       runtime.GOOS,
		runner.LabelGOARCH:     runtime.GOARCH,
		runner.LabelCores:      strconv.Itoa(runtime.NumCPU()),
		runner.LabelGOMAXPROCS: "3",
	}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("label %s = %q, want %q", k, l[k], v)
		}
	}
	for _, k := range []string{runner.LabelHost, runner.LabelKernel, runner.LabelCPU} {
		if runtime.GOOS == "linux" && l[k] == "" {
			t.Errorf("label %s missing on linux: %v", k, l)
		}
	}

	// An untracked file does not make the tree dirty (a database file
	// beside the code would otherwise mark every run); a change does.
	if err := os.WriteFile(filepath.Join(dir, "benchdb.sqlite"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := runner.Labels(t.Context(), "", dir, nil)[runner.LabelDirty]; got != "false" {
		t.Errorf("dirty with an untracked file = %q, want false", got)
	}
	if err := os.WriteFile(file, []byte("module example.com/m\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := runner.Labels(t.Context(), "", dir, nil)[runner.LabelDirty]; got != "true" {
		t.Errorf("dirty after a change = %q, want true", got)
	}

	MustGit(t, dir, "checkout", "-q", "--detach")
	if got, ok := runner.Labels(t.Context(), "", dir, nil)[runner.LabelBranch]; ok {
		t.Errorf("branch on a detached HEAD = %q, want no label", got)
	}
}

func TestLabels_NoRepository(t *testing.T) {
	l := runner.Labels(t.Context(), "", t.TempDir(), nil)
	for _, k := range []string{runner.LabelCommit, runner.LabelBranch, runner.LabelDirty} {
		if v, ok := l[k]; ok {
			t.Errorf("label %s = %q outside a repository, want none", k, v)
		}
	}
	if l[runner.LabelCores] == "" {
		t.Errorf("no cores label: %v", l)
	}
}
