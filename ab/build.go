package ab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A Workspace builds test binaries of several revisions of one module. It
// checks each commit out once, with `git worktree add` into a temporary
// directory, and builds each package's test binary once with `go test -c`,
// with the same toolchain, flags and environment for every revision. Close
// removes the worktrees and the binaries.
//
// A Workspace is safe for use by one goroutine at a time.
type Workspace struct {
	// Repo is the repository the revisions come from.
	Repo *Repo
	// Go is the go command; "go" when empty.
	Go string
	// BuildFlags are extra `go test -c` flags (-tags, -gcflags, ...).
	BuildFlags []string
	// Env is added to the environment of the build and of the test
	// binaries. GOTOOLCHAIN=local is always set, so that every revision
	// builds with the same toolchain.
	Env []string

	tmp    string
	mu     sync.Mutex
	trees  []string          // worktrees to remove
	builds map[string]*Build // by commit, "" + "+worktree" for the working tree
	failed map[string]error  // builds that failed, by the same key
}

// NewWorkspace opens the repository holding dir and makes a temporary
// directory for worktrees and binaries.
func NewWorkspace(ctx context.Context, dir string) (*Workspace, error) {
	repo, err := OpenRepo(ctx, dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "benchdb-ab-")
	if err != nil {
		return nil, fmt.Errorf("make temporary directory: %w", err)
	}
	return &Workspace{Repo: repo, tmp: tmp, builds: map[string]*Build{}, failed: map[string]error{}}, nil
}

// Dir returns the workspace's temporary directory.
func (w *Workspace) Dir() string { return w.tmp }

// Close removes every worktree the workspace added and its temporary
// directory with the binaries. It is meant to run on every exit path, and
// works with a cancelled context too.
func (w *Workspace) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	ctx := context.Background()
	var errs []error
	for _, t := range w.trees {
		if err := w.Repo.removeWorktree(ctx, t); err != nil {
			errs = append(errs, err)
		}
	}
	w.trees = nil
	if w.tmp != "" {
		if err := os.RemoveAll(w.tmp); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", w.tmp, err))
		}
	}
	return errors.Join(errs...)
}

// A Build is the test binaries of one revision.
type Build struct {
	Rev Revision
	// Binaries has one entry per package with test files, in the order
	// `go list` gave them.
	Binaries []Binary
}

// Binary is one package's test binary.
type Binary struct {
	// ImportPath is the package's import path.
	ImportPath string
	// Dir is the package's directory in the revision's checkout; the
	// binary runs there, as go test runs it.
	Dir string
	// Path is the test binary.
	Path string
}

// BuildError reports a revision that does not build.
type BuildError struct {
	Rev    Revision
	Detail string // the first lines of the compiler's or go's message
	Err    error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("revision %s (%s) does not build: %s", e.Rev.Name, e.Rev.Short(), e.Detail)
}

func (e *BuildError) Unwrap() error { return e.Err }

// Build checks rev out (unless it is the working tree) and builds the test
// binaries of pkgs there. A revision is built once; later calls return the
// same Build (or the same error).
func (w *Workspace) Build(ctx context.Context, rev Revision, pkgs []string) (*Build, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := rev.Commit
	if rev.WorkTree {
		key += "+worktree"
	}
	if b, ok := w.builds[key]; ok {
		return b, nil
	}
	if err, ok := w.failed[key]; ok {
		return nil, err
	}
	b, err := w.build(ctx, rev, pkgs)
	if err != nil {
		var be *BuildError
		if errors.As(err, &be) {
			w.failed[key] = err
		}
		return nil, err
	}
	w.builds[key] = b
	return b, nil
}

func (w *Workspace) build(ctx context.Context, rev Revision, pkgs []string) (*Build, error) {
	top := w.Repo.Top
	n := len(w.builds) + len(w.failed)
	if !rev.WorkTree {
		top = filepath.Join(w.tmp, "src-"+strconv.Itoa(n)+"-"+rev.Short())
		if err := w.Repo.addWorktree(ctx, top, rev.Commit); err != nil {
			return nil, err
		}
		w.trees = append(w.trees, top)
	}
	modDir := w.Repo.ModuleDir(top)
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	list, err := w.list(ctx, modDir, pkgs)
	if err != nil {
		return nil, &BuildError{Rev: rev, Detail: err.Error(), Err: err}
	}
	binDir := filepath.Join(w.tmp, "bin-"+strconv.Itoa(n))
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, fmt.Errorf("make %s: %w", binDir, err)
	}
	b := &Build{Rev: rev}
	for i, p := range list {
		if !p.hasTests() {
			continue
		}
		bin := filepath.Join(binDir, strconv.Itoa(i)+"-"+filepath.Base(p.ImportPath)+".test")
		args := append([]string{"test", "-c", "-o", bin}, w.BuildFlags...)
		args = append(args, p.ImportPath)
		if _, err := w.run(ctx, modDir, args...); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &BuildError{Rev: rev, Detail: p.ImportPath + ": " + err.Error(), Err: err}
		}
		b.Binaries = append(b.Binaries, Binary{ImportPath: p.ImportPath, Dir: p.Dir, Path: bin})
	}
	if len(b.Binaries) == 0 {
		return nil, &BuildError{Rev: rev, Detail: "no package with test files in " + strings.Join(pkgs, " ")}
	}
	return b, nil
}

type listedPackage struct {
	ImportPath   string
	Dir          string
	TestGoFiles  []string
	XTestGoFiles []string
	Error        *struct{ Err string }
}

func (p listedPackage) hasTests() bool { return len(p.TestGoFiles)+len(p.XTestGoFiles) > 0 }

// list runs go list on pkgs in dir.
func (w *Workspace) list(ctx context.Context, dir string, pkgs []string) ([]listedPackage, error) {
	out, err := w.run(ctx, dir, append([]string{"list", "-e", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles,Error", "--"}, pkgs...)...)
	if err != nil {
		return nil, err
	}
	var list []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: %w", err)
		}
		if p.Error != nil {
			msg, _, _ := strings.Cut(p.Error.Err, "\n")
			return nil, fmt.Errorf("%s: %s", p.ImportPath, msg)
		}
		list = append(list, p)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(pkgs, " "))
	}
	return list, nil
}

// run runs the go command in dir and returns its standard output; the
// error holds the first lines of its standard error.
func (w *Workspace) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	goCmd := w.Go
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = dir
	cmd.Env = w.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := firstLines(stderr.String(), 4)
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	return stdout.Bytes(), nil
}

func (w *Workspace) env() []string {
	env := slices.Concat(os.Environ(), w.Env)
	return append(env, "GOTOOLCHAIN=local")
}

// firstLines returns the first n non-empty lines of s, joined by "; ".
func firstLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "; ")
}
