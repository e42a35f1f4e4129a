package runner

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestFollowStretch_lateOutput: a test binary sampled only before go
// test's output named its first benchmark (its JSON read late, as on a
// busy machine, or the binary short) still has its stretch recorded, for
// the package whose benchmark started last. It was dropped: its samples
// voted for no package, so TestRunProbed_processes saw one stretch for
// two processes now and then under load.
func TestFollowStretch_lateOutput(t *testing.T) {
	// A stand-in for a test binary: busy, in a process group of its own,
	// with a -test. flag on its command line.
	cmd := exec.Command("sh", "-c", "while :; do :; done", "-test.bench=X")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sh: %v", err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sampled := make(chan struct{}, 100)
	r := &run{onSample: func(p int) {
		if p == pid {
			select {
			case sampled <- struct{}{}:
			default:
			}
		}
	}}
	stop := r.followStretch(pid)
	// Two samples of the live binary, both before any benchmark started.
	for range 2 {
		select {
		case <-sampled:
		case <-time.After(time.Minute):
			stop()
			t.Fatal("the sampler never sampled the running binary")
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	const pkg = "example.com/late"
	r.mu.Lock()
	r.runPkg, r.runBench = pkg, "BenchmarkX"
	r.mu.Unlock()
	stretch, _ := stop()
	if st := stretch[pkg]; len(st) != 1 || !(st[0] >= 1) {
		t.Errorf("stretch = %v, want one value of at least 1 for %s", stretch, pkg)
	}
	if len(stretch) != 1 {
		t.Errorf("stretch has %d packages, want only %s: %v", len(stretch), pkg, stretch)
	}
}
