package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ModulePath returns the path of the Go module that directory dir is in,
// from the nearest go.mod at or above it. The error says what is wrong
// with dir, without naming it: it does not exist, is not a directory, or
// is in no module (or its go.mod, which it names, has no module line).
func ModulePath(dir string) (string, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", errors.New("no such directory")
	case err != nil:
		if u := errors.Unwrap(err); u != nil {
			return "", u
		}
		return "", err
	case !fi.IsDir():
		return "", errors.New("not a directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			if p := modfileModule(b); p != "" {
				return p, nil
			}
			return "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
		}
		if filepath.Dir(d) == d {
			return "", errors.New("not in a Go module (no go.mod in it or above it)")
		}
	}
}

// modfileModule returns the module path of a go.mod file's content, or "".
func modfileModule(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			rest, _, _ = strings.Cut(rest, "//")
			return strings.Trim(strings.TrimSpace(rest), `"`+"`")
		}
	}
	return ""
}

// ValidBenchtime reports whether s is a valid go test -benchtime: a
// positive duration, or a positive count followed by x.
func ValidBenchtime(s string) bool {
	if n, ok := strings.CutSuffix(s, "x"); ok {
		v, err := strconv.Atoi(n)
		return err == nil && v > 0
	}
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}
