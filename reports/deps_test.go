package reports_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_noDriver: reports and reports/nightly read the store's types
// from store/storedata, so that they build without cgo; no package under
// reports may link a database driver.
func TestDeps_noDriver(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH: the import graph is not checked")
	}
	out, err := exec.Command(gobin, "list", "-deps", "github.com/benchdb/benchdb/reports/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/benchdb/benchdb/store" || strings.Contains(pkg, "go-sqlite3") || strings.Contains(pkg, "jackc/pgx") {
			t.Errorf("reports/... depends on %s", pkg)
		}
	}
}
