//go:build !unix

package runner

import (
	"os/exec"
	"time"
)

// setProcessGroup arranges for cancellation to kill go test. Without Unix
// process groups, the test binary it started may outlive it briefly.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.WaitDelay = 5 * time.Second
}
