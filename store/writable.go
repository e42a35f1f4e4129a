//go:build unix

package store

import "syscall"

// writable reports whether this process may write path (access(2) with
// W_OK: permissions and read-only mounts).
func writable(path string) bool {
	const wOK = 2
	return syscall.Access(path, wOK) == nil
}
