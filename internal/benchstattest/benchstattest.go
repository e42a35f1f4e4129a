// Package benchstattest builds the real benchstat for tests that check
// benchdb's numbers against it. It is for tests only.
package benchstattest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string
	bin  string
	err  error
)

// Path returns the path of a benchstat binary built from
// golang.org/x/perf/cmd/benchstat at the version go.mod requires. The
// first call in a test binary builds it; later calls reuse it. A test
// binary that calls Path should call Remove from its TestMain. Path is
// safe for concurrent use.
func Path(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if dir, err = os.MkdirTemp("", "benchstat"); err != nil {
			return
		}
		bin = filepath.Join(dir, "benchstat")
		if out, buildErr := exec.Command("go", "build", "-o", bin, "golang.org/x/perf/cmd/benchstat").CombinedOutput(); buildErr != nil {
			err = fmt.Errorf("go build benchstat: %v\n%s", buildErr, out)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// Remove deletes the binary Path built, if it built one.
func Remove() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
