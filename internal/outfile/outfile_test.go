package outfile_test

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/benchdb/benchdb/internal/outfile"
)

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFile_New(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.html")
	if err := outfile.WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, path); got != "new" {
		t.Errorf("content %q, want %q", got, "new")
	}
	assertNoTemp(t, filepath.Dir(path))
}

func TestWriteFile_KeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := outfile.WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
	if got := mustRead(t, path); got != "new" {
		t.Errorf("content %q, want %q", got, "new")
	}
}

func TestWriteFile_Atomic(t *testing.T) {
	// A reader that opened the old file keeps reading the old content:
	// the file was replaced, not rewritten in place.
	path := filepath.Join(t.TempDir(), "r.md")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := outfile.WriteFile(path, []byte("new content")); err != nil {
		t.Fatal(err)
	}
	old, _ := io.ReadAll(f)
	if string(old) != "old" {
		t.Errorf("open reader saw %q, want the old file", old)
	}
	if got := mustRead(t, path); got != "new content" {
		t.Errorf("content %q", got)
	}
}

func TestWriteFile_SymlinkFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sub", "real.svg")
	if err := os.Mkdir(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.svg")
	if err := os.Symlink("sub/real.svg", link); err != nil {
		t.Fatal(err)
	}
	if err := outfile.WriteFile(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link: %v", link, fi.Mode())
	}
	if got := mustRead(t, target); got != "new" {
		t.Errorf("target content %q, want %q", got, "new")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640", fi.Mode().Perm())
	}
	assertNoTemp(t, dir)
	assertNoTemp(t, filepath.Dir(target))
}

func TestWriteFile_DanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink("made.txt", link); err != nil {
		t.Fatal(err)
	}
	if err := outfile.WriteFile(link, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, filepath.Join(dir, "made.txt")); got != "x" {
		t.Errorf("target content %q", got)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link replaced")
	}
}

func TestWriteFile_FIFOWrittenThrough(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := outfile.Check(path); err != nil {
		t.Fatalf("Check on a FIFO without a reader: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(path) // blocks until the writer opens
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := outfile.WriteFile(path, []byte("through")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through" {
		t.Errorf("reader got %q, want %q", s, "through")
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced by %v", fi.Mode())
	}
}

func TestWriteFile_SymlinkToFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "out")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := outfile.WriteFile(link, []byte("via link")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "via link" {
		t.Errorf("reader got %q", s)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced")
	}
}

func TestWriteFile_StdoutWrittenThrough(t *testing.T) {
	// /dev/stdout names this process's standard output; a child's
	// standard output is a pipe we read, so run the check in a child.
	if os.Getenv("OUTFILE_CHILD") == "1" {
		if err := outfile.WriteFile("/dev/stdout", []byte("to stdout")); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		os.Exit(0)
	}
	if _, err := os.Stat("/dev/stdout"); err != nil {
		t.Skipf("no /dev/stdout: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestWriteFile_StdoutWrittenThrough$")
	cmd.Env = append(os.Environ(), "OUTFILE_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if !strings.HasPrefix(string(out), "to stdout") {
		t.Errorf("stdout %q, want the data written through", out)
	}
}

func TestWriteFile_Errors(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"directory", dir, "is a directory"},
		{"missing parent", filepath.Join(dir, "nope", "r.html"), "no such file or directory"},
		{"link loop", loop, "too many levels of symbolic links"},
		{"empty", "", "empty path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []func(string) error{outfile.Check, func(p string) error { return outfile.WriteFile(p, []byte("x")) }} {
				err := f(tt.path)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %v, want one containing %q", err, tt.want)
				}
			}
		})
	}
	assertNoTemp(t, dir)
}

func TestCheck_WritesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.svg")
	if err := outfile.Check(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("Check created %s: %v", path, err)
	}
	assertNoTemp(t, dir)
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := outfile.Check(path); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, path); got != "keep" {
		t.Errorf("Check changed the file: %q", got)
	}
}

func TestCheck_ReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	if err := outfile.Check(filepath.Join(ro, "p.svg")); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("Check in a read-only directory: %v, want permission denied", err)
	}
}

// assertNoTemp fails if dir holds a temporary file of the package.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
