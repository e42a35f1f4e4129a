// Package longline has benchmarks that print log lines no reader of the
// benchmark format takes: 100 KiB long, 200 KiB in pieces without a
// newline, and with NUL bytes and bytes that are not UTF-8.
package longline

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func BenchmarkLong(b *testing.B) {
	fmt.Println("log: " + strings.Repeat("x", 100<<10))
	for b.Loop() {
	}
}

func BenchmarkPieces(b *testing.B) {
	for range 50 {
		os.Stdout.WriteString(strings.Repeat("y", 4<<10))
	}
	fmt.Println()
	for b.Loop() {
	}
}

func BenchmarkBinary(b *testing.B) {
	fmt.Println("bytes: \x00\xff\xfe end")
	for b.Loop() {
	}
}
