package runner

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Label keys that Labels records.
const (
	LabelCommit     = "commit"     // git commit of the target module (full hash)
	LabelBranch     = "branch"     // git branch, absent on a detached HEAD
	LabelDirty      = "dirty"      // "true" when the work tree has uncommitted changes
	LabelGoVersion  = "goversion"  // the go command's version, such as go1.26.8
	LabelGOOS       = "goos"       // target operating system
	LabelGOARCH     = "goarch"     // target architecture
	LabelCPU        = "cpu"        // CPU model name
	LabelCores      = "cores"      // logical CPUs
	LabelGOMAXPROCS = "gomaxprocs" // GOMAXPROCS the benchmarks start with
	LabelHost       = "host"       // host name
	LabelKernel     = "kernel"     // kernel release (uname -r)
)

// Labels returns the context a run in dir has: the target module's git
// commit, branch and dirtiness; the version, GOOS and GOARCH of goCmd (the go
// command, DefaultGo when empty) run in dir with env added to the
// environment; the CPU model, cores, GOMAXPROCS, host name and kernel
// release. A fact that cannot be found (no git repository, an unreadable
// /proc) is left out rather than guessed.
func Labels(ctx context.Context, goCmd, dir string, env []string) map[string]string {
	if goCmd == "" {
		goCmd = DefaultGo
	}
	l := map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			l[k] = v
		}
	}
	gitLabels(ctx, dir, set)
	if goenv, err := output(ctx, dir, env, goCmd, "env", "GOVERSION", "GOOS", "GOARCH"); err == nil {
		f := strings.Split(strings.TrimSpace(goenv), "\n")
		if len(f) == 3 {
			set(LabelGoVersion, f[0])
			set(LabelGOOS, f[1])
			set(LabelGOARCH, f[2])
		}
	}
	set(LabelCPU, cpuModel(ctx))
	set(LabelCores, strconv.Itoa(runtime.NumCPU()))
	procs := strconv.Itoa(runtime.GOMAXPROCS(0))
	for _, kv := range append(os.Environ(), env...) {
		if v, ok := strings.CutPrefix(kv, "GOMAXPROCS="); ok && v != "" {
			procs = v
		}
	}
	set(LabelGOMAXPROCS, procs)
	if h, err := os.Hostname(); err == nil {
		set(LabelHost, h)
	}
	set(LabelKernel, kernelRelease(ctx))
	return l
}

// gitLabels sets the commit, branch and dirtiness of the git work tree
// at dir, read from one `git status`. Outside a repository, or before
// the first commit, it sets nothing.
func gitLabels(ctx context.Context, dir string, set func(k, v string)) {
	status, err := output(ctx, dir, nil, "git", "status", "--porcelain=v2", "--branch", "--untracked-files=no")
	if err != nil {
		return
	}
	var commit, branch string
	dirty := false
	for _, line := range strings.Split(status, "\n") {
		if h, ok := strings.CutPrefix(line, "# "); ok {
			if v, ok := strings.CutPrefix(h, "branch.oid "); ok {
				commit = v
			} else if v, ok := strings.CutPrefix(h, "branch.head "); ok {
				branch = v
			}
		} else if line != "" {
			dirty = true
		}
	}
	if commit == "" || commit == "(initial)" {
		return
	}
	set(LabelCommit, commit)
	if branch != "(detached)" {
		set(LabelBranch, branch)
	}
	set(LabelDirty, strconv.FormatBool(dirty))
}

// output runs a command in dir and returns its standard output.
func output(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.Output()
	return string(out), err
}

// cpuModel returns the CPU's model name from /proc/cpuinfo (Linux) or
// sysctl (macOS, BSD), or "".
func cpuModel(ctx context.Context) string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				return strings.Join(strings.Fields(v), " ")
			}
		}
	}
	if out, err := output(ctx, "", nil, "sysctl", "-n", "machdep.cpu.brand_string"); err == nil {
		return strings.TrimSpace(out)
	}
	return ""
}

// kernelRelease returns the kernel release, as `uname -r` prints it.
func kernelRelease(ctx context.Context) string {
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		return strings.TrimSpace(string(b))
	}
	out, err := output(ctx, "", nil, "uname", "-r")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}
