package runner_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/runner"
)

func TestModulePath(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("m/go.mod", "// a comment\nmodule \"example.com/m\" // the module\n\ngo 1.26\n")
	write("m/sub/deep/x.go", "package deep\n")
	write("nomod/go.mod", "go 1.26\n")
	write("file", "")
	tests := []struct {
		dir, want, err string
	}{
		{"m", "example.com/m", ""},
		{"m/sub/deep", "example.com/m", ""},
		{"nomod", "", filepath.Join(root, "nomod", "go.mod") + " has no module line"},
		{"file", "", "not a directory"},
		{"missing", "", "no such directory"},
	}
	for _, tt := range tests {
		got, err := runner.ModulePath(filepath.Join(root, tt.dir))
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("ModulePath(%s) = %q, %v; want %q, %q", tt.dir, got, err, tt.want, tt.err)
		}
	}
	// A directory in no module at all: the temporary directory's root
	// has no go.mod above it (unless the machine's / has one).
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Skip("/go.mod exists")
	}
	empty := t.TempDir()
	if _, err := runner.ModulePath(empty); err == nil || !strings.Contains(err.Error(), "not in a Go module") {
		t.Errorf("ModulePath(empty dir) err = %v, want not in a Go module", err)
	}
}

func TestValidBenchtime(t *testing.T) {
	for s, want := range map[string]bool{
		"100ms": true, "2s": true, "1000x": true, "1x": true,
		"0x": false, "-1x": false, "x": false, "0s": false, "-1s": false, "soon": false, "": false, "1.5x": false,
	} {
		if got := runner.ValidBenchtime(s); got != want {
			t.Errorf("ValidBenchtime(%q) = %v, want %v", s, got, want)
		}
	}
}
