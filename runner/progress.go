package runner

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Progress is a snapshot of a run, given to Config.Progress.
type Progress struct {
	// Event is what happened: "start" (a benchmark started), "result" (a
	// result line arrived) or "tick".
	Event string
	// Package and Benchmark name the benchmark running, or the last one
	// that did; empty before the first.
	Package, Benchmark string
	// Done is the number of result lines so far; Total is Config.Expected
	// (zero when unknown).
	Done, Total int
	// Elapsed is the time since the run started.
	Elapsed time.Duration
	// Left estimates the time to finish from the rate of results so far;
	// zero when there is no estimate.
	Left time.Duration
}

// A Printer shows a run's progress on a writer (normally standard error):
// as one line that rewrites itself on a terminal, or as one plain line per
// finished result otherwise. Its methods may be called from several
// goroutines.
type Printer struct {
	w    io.Writer
	live bool
	// Width is the width a live line is cut to.
	Width int

	mu    sync.Mutex
	shown bool // a live line is on screen
}

// DefaultWidth is a Printer's default Width.
const DefaultWidth = 100

// NewPrinter returns a Printer writing to w; live selects the rewriting
// line (see IsTerminal).
func NewPrinter(w io.Writer, live bool) *Printer {
	return &Printer{w: w, live: live, Width: DefaultWidth}
}

// IsTerminal reports whether w is a terminal (a character device).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Update shows p. It is meant as Config.Progress. Plain output shows only
// "result" events; a live line shows every event.
func (pr *Printer) Update(p Progress) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if !pr.live {
		if p.Event == "result" {
			fmt.Fprintln(pr.w, Format(p))
		}
		return
	}
	line := Format(p)
	if r := []rune(line); pr.Width > 0 && len(r) > pr.Width {
		line = string(r[:pr.Width-1]) + "…"
	}
	// Return to the line's start, write, and clear what is left of a
	// longer earlier line.
	fmt.Fprintf(pr.w, "\r%s\x1b[K", line)
	pr.shown = true
}

// Clear removes the live line, if one is shown, so that other output
// starts on a clean line. It does nothing for plain output.
func (pr *Printer) Clear() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.clear()
}

func (pr *Printer) clear() {
	if pr.shown {
		io.WriteString(pr.w, "\r\x1b[K")
		pr.shown = false
	}
}

// Passthrough returns a writer that clears the live line before each write
// to w, for benchmark output shown while the line is live (-v). The live
// line comes back with the next Update.
func (pr *Printer) Passthrough(w io.Writer) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		pr.mu.Lock()
		defer pr.mu.Unlock()
		pr.clear()
		return w.Write(b)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Format renders p as one line, such as
// "[12/40] BenchmarkSelect/profile=roundrobin-2  elapsed 3s, about 9s left".
func Format(p Progress) string {
	var b strings.Builder
	if p.Total > 0 {
		fmt.Fprintf(&b, "[%d/%d]", p.Done, p.Total)
	} else {
		fmt.Fprintf(&b, "[%d done]", p.Done)
	}
	if p.Benchmark != "" {
		b.WriteString(" " + p.Benchmark)
	}
	fmt.Fprintf(&b, "  elapsed %s", roundDuration(p.Elapsed))
	if p.Left > 0 {
		fmt.Fprintf(&b, ", about %s left", roundDuration(p.Left))
	}
	return b.String()
}

// roundDuration rounds d for display: to 0.1s under ten seconds, to the
// second above.
func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
