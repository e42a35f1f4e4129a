package runner

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Sample reads the scheduler statistics of every thread of the process.
// A thread seen before keeps its largest counts (they only grow).
func (c *TaskClock) Sample() error {
	dir := "/proc/" + strconv.Itoa(c.pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	c.busiest = [2]uint64{}
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		f := bytes.Fields(b)
		if len(f) < 2 {
			return fmt.Errorf("%s/%s/schedstat: %q: want run and wait times", dir, e.Name(), b)
		}
		run, err1 := strconv.ParseUint(string(f[0]), 10, 64)
		wait, err2 := strconv.ParseUint(string(f[1]), 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s/%s/schedstat: %q: want run and wait times", dir, e.Name(), b)
		}
		old, seen := c.tasks[e.Name()]
		now := [2]uint64{max(old[0], run), max(old[1], wait)}
		c.tasks[e.Name()] = now
		if d := now[0] - old[0]; seen && d > c.busiest[0] {
			c.busiest = [2]uint64{d, now[1] - old[1]}
		}
	}
	return nil
}

// testBinaries returns the processes of process group pgid that run a Go
// test binary: those with a -test.* argument, as go test starts them.
func testBinaries(pgid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 3 {
			continue
		}
		if g, err := strconv.Atoi(string(f[2])); err != nil || g != pgid {
			continue
		}
		args, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		for _, a := range bytes.Split(args, []byte{0})[1:] {
			if bytes.HasPrefix(a, []byte("-test.")) {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}
