package beam

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ReceivePackage is the pkg configuration line of Receive's output: the
// Go receive suite's, so that a BEAM row lands in the same table as the
// Go model's row of the same name.
const ReceivePackage = "github.com/benchdb/benchdb/suites/receive"

// Receive modes and message queue kinds.
const (
	ModeScan   = "scan"   // untagged receive: OTP 20's code_server:call
	ModeMarker = "marker" // reference-tagged receive: gen_server:call
	OnHeap     = "on-heap"
	OffHeap    = "off-heap"
)

// ReceiveOptions say which receive benchmarks to run. Zero fields take
// the defaults: every mode and queue, depths 0 to 10^6, 100ms, once.
type ReceiveOptions struct {
	Modes     []string
	Queues    []string
	Depths    []int
	Benchtime time.Duration // the least time one measurement takes
	Count     int           // measurements of each benchmark
}

// DefaultReceiveDepths are the depths of BenchmarkReceive, as in the Go
// receive suite.
func DefaultReceiveDepths() []int { return []int{0, 1_000, 10_000, 100_000, 1_000_000} }

// Receive runs BenchmarkReceive/runtime=beam/mode=M/depth=D[/queue=off-heap]
// and returns it in the Go benchmark format, with the goos, goarch, pkg
// and cpu configuration lines of the Go receive suite. Each op is one
// call round trip to a server process, its reply found behind D queued
// {log, Name, Bin} events; scan results also report ns/msg.
func (h *Harness) Receive(ctx context.Context, o ReceiveOptions) ([]byte, error) {
	o = o.withListDefaults()
	if o.Benchtime <= 0 {
		o.Benchtime = 100 * time.Millisecond
	}
	o.Count = max(o.Count, 1)
	for _, m := range o.Modes {
		if m != ModeScan && m != ModeMarker {
			return nil, fmt.Errorf("beam receive: mode %q: want %s or %s", m, ModeScan, ModeMarker)
		}
	}
	for _, q := range o.Queues {
		if q != OnHeap && q != OffHeap {
			return nil, fmt.Errorf("beam receive: queue %q: want %s or %s", q, OnHeap, OffHeap)
		}
	}
	depths := make([]string, len(o.Depths))
	for i, d := range o.Depths {
		if d < 0 || d > 10_000_000 {
			return nil, fmt.Errorf("beam receive: depth %d: want 0 to 10^7", d)
		}
		depths[i] = strconv.Itoa(d)
	}
	out, err := h.run(ctx, "receive",
		"modes="+strings.Join(o.Modes, ","), "queues="+strings.Join(o.Queues, ","),
		"depths="+strings.Join(depths, ","),
		"benchtime_ms="+strconv.FormatInt(max(o.Benchtime.Milliseconds(), 1), 10),
		"count="+strconv.Itoa(o.Count))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	writeConfig(&buf, ReceivePackage)
	n := 0
	for _, rec := range parseRecords(out) {
		if rec.kind == "Benchmark" {
			buf.WriteString(rec.raw + "\n")
			n++
		}
	}
	if want := len(o.Modes) * len(o.Queues) * len(o.Depths) * o.Count; n != want {
		return nil, fmt.Errorf("beam receive: %d results, want %d", n, want)
	}
	return buf.Bytes(), nil
}

// writeConfig writes the configuration lines go test writes.
func writeConfig(buf *bytes.Buffer, pkg string) {
	fmt.Fprintf(buf, "goos: %s\ngoarch: %s\npkg: %s\n", runtime.GOOS, runtime.GOARCH, pkg)
	if cpu := cpuModel(); cpu != "" {
		fmt.Fprintf(buf, "cpu: %s\n", cpu)
	}
}

// cpuModel returns the CPU's name as the testing package writes it on its
// cpu line: the CPUID brand string on amd64 (which may differ from
// /proc/cpuinfo's model name: "Oxide Virtual Turin-like Processor" with
// trailing spaces against "AMD EPYC" on the development machine, and a
// BEAM row whose cpu differs from the Go row's lands in another table),
// otherwise /proc/cpuinfo's model name, or "".
func cpuModel() string {
	if s := brandString(); s != "" {
		return s
	}
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// withListDefaults returns o with Receive's default modes, queue kinds
// and depths where o has none.
func (o ReceiveOptions) withListDefaults() ReceiveOptions {
	if len(o.Modes) == 0 {
		o.Modes = []string{ModeScan, ModeMarker}
	}
	if len(o.Queues) == 0 {
		o.Queues = []string{OnHeap, OffHeap}
	}
	if len(o.Depths) == 0 {
		o.Depths = DefaultReceiveDepths()
	}
	return o
}

// Benchmarks returns the names of the leaf benchmarks Receive runs with
// o (zero fields take Receive's defaults), in the order it runs them:
// queue kinds, then depths, then modes, as in
// BenchmarkReceive/runtime=beam/mode=scan/depth=1000/queue=off-heap.
func Benchmarks(o ReceiveOptions) []string {
	o = o.withListDefaults()
	var names []string
	for _, q := range o.Queues {
		level := ""
		if q != OnHeap {
			level = "/queue=" + q
		}
		for _, d := range o.Depths {
			for _, m := range o.Modes {
				names = append(names, fmt.Sprintf("BenchmarkReceive/runtime=beam/mode=%s/depth=%d%s", m, d, level))
			}
		}
	}
	return names
}
