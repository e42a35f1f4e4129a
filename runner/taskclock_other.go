//go:build !linux

package runner

import "errors"

// Sample reads the scheduler statistics of every thread of the process;
// there are none outside Linux.
func (c *TaskClock) Sample() error { return errors.ErrUnsupported }

// testBinaries finds no test binaries outside Linux.
func testBinaries(pgid int) []int { return nil }
