//go:build unix

package outfile

import (
	"errors"
	"syscall"
)

const syscallNonblock = syscall.O_NONBLOCK

// isNoReader reports whether err is the ENXIO a non-blocking open of a
// FIFO without a reader gives.
func isNoReader(err error) bool { return errors.Is(err, syscall.ENXIO) }
