package beam

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCPUModel_matchesGoTest runs a one-benchmark package with go test and
// checks that Receive's cpu line is the one go test writes, so that the
// BEAM's rows and the Go suites' share a table. It skips without go.
func TestCPUModel_matchesGoTest(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("skipping: go not in PATH: %v", err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":    "module cpuline\n\ngo 1.21\n",
		"x_test.go": "package cpuline\n\nimport \"testing\"\n\nfunc BenchmarkNothing(b *testing.B) {\n\tfor b.Loop() {\n\t}\n}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "test", "-run", "^$", "-bench", ".", "-benchtime", "1x")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	want, ok := "", false
	for line := range strings.Lines(string(out)) {
		if v, found := strings.CutPrefix(line, "cpu: "); found {
			want, ok = strings.TrimSuffix(v, "\n"), true
		}
	}
	if !ok {
		t.Skipf("skipping: go test wrote no cpu line:\n%s", out)
	}
	if got := cpuModel(); got != want {
		t.Errorf("cpuModel() = %q, go test's cpu line %q", got, want)
	}
}
