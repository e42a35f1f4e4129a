package runner

import (
	"strings"
)

// Kind classifies an Error.
type Kind int

// Kinds of Error.
const (
	// BuildFailed: a package or its tests did not compile.
	BuildFailed Kind = iota + 1
	// BenchmarkFailed: a benchmark failed (b.Fatal, b.Error) or panicked,
	// or the test binary exited with an error.
	BenchmarkFailed
	// TimedOut: Config.Timeout expired.
	TimedOut
	// Interrupted: the context was cancelled (Ctrl+C).
	Interrupted
	// GoFailed: go test itself failed before testing (a bad package
	// pattern, a bad flag, a missing module).
	GoFailed
)

// An Error describes why a run is incomplete.
type Error struct {
	Kind Kind
	// Package and Benchmark say where, when known.
	Package, Benchmark string
	// Detail is the first lines of the message that explains it (the
	// compiler's errors, the panic, b.Fatal's message, go's stderr).
	Detail string
	// Err is the underlying error, if any: context.Canceled or
	// context.DeadlineExceeded for interrupts and timeouts.
	Err error
}

// Error returns a one-paragraph description.
func (e *Error) Error() string {
	var b strings.Builder
	switch e.Kind {
	case BuildFailed:
		b.WriteString("build failed")
	case BenchmarkFailed:
		b.WriteString("benchmark failed")
	case TimedOut:
		b.WriteString("timed out")
	case Interrupted:
		b.WriteString("interrupted")
	default:
		b.WriteString("go test failed")
	}
	if e.Package != "" {
		b.WriteString(": " + e.Package)
		if e.Benchmark != "" {
			b.WriteString(" " + e.Benchmark)
		}
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// maxDetailLines bounds Error.Detail.
const maxDetailLines = 8

// failureDetail picks the lines that explain why bench failed: a panic and
// its stack if the test binary crashed (whichever benchmark test2json
// attributes them to: a crashing benchmark races with the next one), else
// what bench printed (b.Fatal's message) and the binary's own failure lines.
func failureDetail(lines []outLine, bench string) string {
	for i, l := range lines {
		if s := strings.TrimSpace(l.text); strings.HasPrefix(s, "panic:") || strings.HasPrefix(s, "fatal error:") {
			var notes []string
			for _, l := range lines[i:] {
				if !l.result {
					notes = append(notes, strings.TrimSpace(l.text))
				}
			}
			return firstLines(strings.Join(notes, "\n"), maxDetailLines)
		}
	}
	var notes []string
	for _, l := range lines {
		if l.result {
			continue
		}
		body := strings.TrimSpace(l.text)
		if l.test == bench && bench != "" || l.test == "" && isFailureLine(body) {
			notes = append(notes, body)
		}
	}
	return firstLines(strings.Join(notes, "\n"), maxDetailLines)
}

// isFailureLine reports whether a line of a test binary's own output
// (outside any benchmark) explains a failure.
func isFailureLine(s string) bool {
	for _, p := range []string{"panic:", "fatal error:", "--- FAIL", "*** ", "FAIL", "exit status", "signal:"} {
		if strings.HasPrefix(s, p) {
			return !strings.HasPrefix(s, "FAIL\t") // go test's summary line
		}
	}
	return false
}

// firstLines returns the first n non-empty lines of s, trimmed.
func firstLines(s string, n int) string {
	var lines []string
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, " \t\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(lines) == n {
			lines = append(lines, "...")
			break
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
