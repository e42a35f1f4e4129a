package runner_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/runner"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		p    runner.Progress
		want string
	}{
		{runner.Progress{Elapsed: 1500 * time.Millisecond}, "[0 done]  elapsed 1.5s"},
		{runner.Progress{Benchmark: "BenchmarkA-2", Done: 3, Elapsed: 12340 * time.Millisecond}, "[3 done] BenchmarkA-2  elapsed 12s"},
		{runner.Progress{Benchmark: "BenchmarkA/x=1", Done: 3, Total: 12, Elapsed: 3 * time.Second, Left: 9 * time.Second},
			"[3/12] BenchmarkA/x=1  elapsed 3s, about 9s left"},
	}
	for _, tt := range tests {
		if got := runner.Format(tt.p); got != tt.want {
			t.Errorf("Format(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestPrinter_Update(t *testing.T) {
	start := runner.Progress{Event: "start", Benchmark: "BenchmarkA", Total: 2}
	result := runner.Progress{Event: "result", Benchmark: "BenchmarkA-2", Done: 1, Total: 2, Elapsed: time.Second, Left: time.Second}
	tick := runner.Progress{Event: "tick", Benchmark: "BenchmarkA-2", Done: 1, Total: 2, Elapsed: 2 * time.Second}

	t.Run("plain", func(t *testing.T) {
		var buf bytes.Buffer
		p := runner.NewPrinter(&buf, false)
		p.Update(start)
		p.Update(result)
		p.Update(tick)
		p.Clear()
		if want := runner.Format(result) + "\n"; buf.String() != want {
			t.Errorf("plain output %q, want one line per result %q", buf.String(), want)
		}
	})
	t.Run("live", func(t *testing.T) {
		var buf, out bytes.Buffer
		p := runner.NewPrinter(&buf, true)
		p.Update(start)
		fmt.Fprint(p.Passthrough(&out), "BenchmarkA-2 1 2 ns/op\n")
		p.Update(result)
		p.Clear()
		p.Clear() // nothing more to clear
		want := "\r" + runner.Format(start) + "\x1b[K" + "\r\x1b[K" +
			"\r" + runner.Format(result) + "\x1b[K" + "\r\x1b[K"
		if buf.String() != want {
			t.Errorf("live output\n got %q\nwant %q", buf.String(), want)
		}
		if out.String() != "BenchmarkA-2 1 2 ns/op\n" {
			t.Errorf("passthrough wrote %q", out.String())
		}
	})
	t.Run("width", func(t *testing.T) {
		var buf bytes.Buffer
		p := runner.NewPrinter(&buf, true)
		p.Width = 20
		p.Update(runner.Progress{Benchmark: strings.Repeat("x", 50)})
		line := strings.TrimSuffix(strings.TrimPrefix(buf.String(), "\r"), "\x1b[K")
		if n := len([]rune(line)); n != 20 || !strings.HasSuffix(line, "…") {
			t.Errorf("line %q has %d runes, want 20 ending in …", line, n)
		}
	})
}

func TestIsTerminal(t *testing.T) {
	if runner.IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}
