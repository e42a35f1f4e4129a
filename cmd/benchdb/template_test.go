package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Template stores: SQLite stores that several tests read, built once per
// test process (by the same commands a test would run) in templateDir,
// and copied for each test, which may then change its copy. TestMain
// removes templateDir.
var (
	templateMu  sync.Mutex
	templateDir string
	templates   = map[string]string{} // name: the built store's path, "" if building it failed
)

// mustTemplateDB returns the path of a new copy, named name+".sqlite"
// under tb.TempDir(), of the template store called name, which fill
// builds at the path it is given the first time a test asks for it. When
// fill fails, that test fails, and so does every later one asking for
// the same template.
func mustTemplateDB(tb testing.TB, name string, fill func(tb testing.TB, path string)) string {
	tb.Helper()
	src := templatePath(tb, name, fill)
	dst := filepath.Join(tb.TempDir(), name+".sqlite")
	// A store closed by its last connection has no -wal or -shm file
	// left; copy them anyway when they are there.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(src + suffix)
		if suffix != "" && os.IsNotExist(err) {
			continue
		}
		if err != nil {
			tb.Fatalf("template store %s: %v", name, err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o644); err != nil {
			tb.Fatalf("template store %s: %v", name, err)
		}
	}
	return dst
}

// templatePath returns the path of the template store called name,
// building it with fill if no test has yet.
func templatePath(tb testing.TB, name string, fill func(tb testing.TB, path string)) string {
	tb.Helper()
	templateMu.Lock()
	defer templateMu.Unlock()
	if p, ok := templates[name]; ok {
		if p == "" {
			tb.Fatalf("template store %s: building it failed in an earlier test", name)
		}
		return p
	}
	templates[name] = "" // until fill returns: it fails the test with Fatal
	if templateDir == "" {
		dir, err := os.MkdirTemp("", "benchdb-template-")
		if err != nil {
			tb.Fatalf("template store %s: %v", name, err)
		}
		templateDir = dir
	}
	p := filepath.Join(templateDir, name+".sqlite")
	fill(tb, p)
	templates[name] = p
	return p
}

// removeTemplates removes the template stores; TestMain calls it.
func removeTemplates() {
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
}
