//go:build unix

package runner

import (
	"os/exec"
	"syscall"
	"time"
)

// setProcessGroup starts cmd in a process group of its own, so that
// cancelling kills go test, the test binary and any compiler it started,
// and nothing else. The group is killed while go test (its leader) has not
// been reaped, so its id cannot have been reused.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	// If a killed process's child still held the output pipes open, Wait
	// would block; close them after a short grace period.
	cmd.WaitDelay = 5 * time.Second
}
