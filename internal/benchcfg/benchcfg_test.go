package benchcfg_test

import (
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/benchcfg"
)

func TestEqual(t *testing.T) {
	c := func(k, v string, file bool) benchfmt.Config {
		return benchfmt.Config{Key: k, Value: []byte(v), File: file}
	}
	base := []benchfmt.Config{c("goos", "linux", true), c("pkg", "a", true)}
	tests := []struct {
		name string
		b    []benchfmt.Config
		want bool
	}{
		{"same", []benchfmt.Config{c("goos", "linux", true), c("pkg", "a", true)}, true},
		{"other value", []benchfmt.Config{c("goos", "linux", true), c("pkg", "b", true)}, false},
		{"other order", []benchfmt.Config{c("pkg", "a", true), c("goos", "linux", true)}, false},
		{"not file-level", []benchfmt.Config{c("goos", "linux", true), c("pkg", "a", false)}, false},
		{"shorter", base[:1], false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := benchcfg.Equal(base, tt.b); got != tt.want {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !benchcfg.Equal(nil, []benchfmt.Config{}) {
		t.Error("Equal(nil, empty) = false")
	}
}
