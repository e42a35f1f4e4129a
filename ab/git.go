package ab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// WorkTree is the revision name that means the working tree as it is,
// uncommitted changes included. "." means the same.
const WorkTree = "worktree"

// IsWorkTree reports whether rev names the working tree ("." or
// "worktree") rather than a git revision.
func IsWorkTree(rev string) bool { return rev == "." || rev == WorkTree }

// A Revision is a resolved git revision.
type Revision struct {
	// Name is the revision as the user wrote it ("HEAD~1", "v1.2", ".").
	Name string
	// Commit is the full commit hash. For the working tree it is the
	// commit HEAD points to.
	Commit string
	// WorkTree is set for "." and "worktree": the working tree with its
	// uncommitted changes, built in place.
	WorkTree bool
	// Subject is the first line of the commit message.
	Subject string
	// Author and Date are the commit's author and author date.
	Author string
	Date   time.Time
}

// Short returns the commit's abbreviated hash, with "+worktree" appended
// for the working tree.
func (r Revision) Short() string {
	s := r.Commit
	if len(s) > 12 {
		s = s[:12]
	}
	if r.WorkTree {
		s += "+worktree"
	}
	return s
}

// Repo is a git repository holding a Go module.
type Repo struct {
	// Top is the repository's top-level directory.
	Top string
	// Prefix is the module directory relative to Top, with a trailing
	// slash, or "" when the module is at the top.
	Prefix string
}

// OpenRepo finds the git repository that holds dir. The error says so when
// dir is not in one.
func OpenRepo(ctx context.Context, dir string) (*Repo, error) {
	if dir == "" {
		dir = "."
	}
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: not a git repository (--dir names the module's directory)", dir)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	r := &Repo{Top: lines[0]}
	if len(lines) > 1 {
		r.Prefix = lines[1]
	}
	return r, nil
}

// ModuleDir returns the module's directory inside a checkout whose top is
// top.
func (r *Repo) ModuleDir(top string) string {
	if r.Prefix == "" {
		return top
	}
	return top + "/" + strings.TrimSuffix(r.Prefix, "/")
}

// Resolve resolves rev to a commit. "." and "worktree" resolve to HEAD's
// commit with WorkTree set.
func (r *Repo) Resolve(ctx context.Context, rev string) (Revision, error) {
	name := rev
	if IsWorkTree(rev) {
		rev = "HEAD"
	}
	if strings.HasPrefix(rev, "-") {
		return Revision{}, fmt.Errorf("unknown revision %q", name)
	}
	out, err := git(ctx, r.Top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return Revision{}, fmt.Errorf("unknown revision %q in %s", name, r.Top)
	}
	commit := strings.TrimSpace(out)
	rv, err := r.describe(ctx, commit)
	if err != nil {
		return Revision{}, err
	}
	rv.Name = name
	rv.WorkTree = IsWorkTree(name)
	return rv, nil
}

// describe reads a commit's subject, author and date.
func (r *Repo) describe(ctx context.Context, commit string) (Revision, error) {
	out, err := git(ctx, r.Top, "show", "-s", "--format=%H%x00%an%x00%aI%x00%s", commit)
	if err != nil {
		return Revision{}, fmt.Errorf("describe commit %s: %w", commit, err)
	}
	f := strings.SplitN(strings.TrimRight(out, "\n"), "\x00", 4)
	if len(f) != 4 {
		return Revision{}, fmt.Errorf("describe commit %s: unexpected git output %q", commit, out)
	}
	t, _ := time.Parse(time.RFC3339, f[2])
	return Revision{Name: commit, Commit: f[0], Author: f[1], Date: t, Subject: f[3]}, nil
}

// Dirty reports whether tracked files in the repository have uncommitted
// changes. Untracked files (a benchdb.sqlite, build output) do not count.
func (r *Repo) Dirty(ctx context.Context) (bool, error) {
	out, err := git(ctx, r.Top, "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return false, fmt.Errorf("git status in %s: %w", r.Top, err)
	}
	return strings.TrimSpace(out) != "", nil
}

// FirstParents returns the commits of `git rev-list --first-parent
// good..bad`, oldest first, each described.
func (r *Repo) FirstParents(ctx context.Context, good, bad string) ([]Revision, error) {
	out, err := git(ctx, r.Top, "rev-list", "--first-parent", "--reverse", good+".."+bad)
	if err != nil {
		return nil, fmt.Errorf("git rev-list %s..%s: %w", good, bad, err)
	}
	var revs []Revision
	for _, c := range strings.Fields(out) {
		rv, err := r.describe(ctx, c)
		if err != nil {
			return nil, err
		}
		revs = append(revs, rv)
	}
	return revs, nil
}

// addWorktree checks commit out, detached, into dir.
func (r *Repo) addWorktree(ctx context.Context, dir, commit string) error {
	if _, err := git(ctx, r.Top, "worktree", "add", "--detach", "--force", dir, commit); err != nil {
		return fmt.Errorf("check out %s: %w", commit, err)
	}
	return nil
}

// removeWorktree removes a worktree added by addWorktree, and prunes the
// repository's record of it even when the directory is already gone.
func (r *Repo) removeWorktree(ctx context.Context, dir string) error {
	_, err := git(ctx, r.Top, "worktree", "remove", "--force", "--force", dir)
	if _, perr := git(ctx, r.Top, "worktree", "prune"); err != nil && perr != nil {
		return fmt.Errorf("remove worktree %s: %w", dir, errors.Join(err, perr))
	}
	return nil
}

// git runs git in dir and returns its standard output. The error holds the
// first line of its standard error.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" {
			return "", fmt.Errorf("git %s: %w", args[0], err)
		}
		return "", fmt.Errorf("git %s: %s", args[0], msg)
	}
	return stdout.String(), nil
}
