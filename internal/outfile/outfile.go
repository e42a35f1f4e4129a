// Package outfile writes a command's output file (benchdb report -o,
// benchdb scenario --plot) without harming what the path names.
//
// The rule, applied by [WriteFile]: a regular file (or a path that does
// not exist yet) is replaced atomically, through a temporary file in the
// same directory that is renamed over it, so that a reader never sees half
// a file; a file that existed keeps its permission bits. Anything else
// (a character or block device such as /dev/null, a FIFO, a socket, or
// /dev/stdout and the other /dev/fd and /proc/self/fd entries) is opened
// and written through, never replaced. A symbolic link is followed: its
// final target is replaced (if regular) or written through, and the link
// stays a link. A directory is an error.
//
// The package does not copy ownership, extended attributes or hard links:
// a replaced file is a new file owned by the writer.
package outfile

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

// maxLinks bounds how many symbolic links Resolve follows, as the kernel
// does (ELOOP).
const maxLinks = 40

// Target is what an output path names, as [Resolve] found it.
type Target struct {
	// Path is the path to write: the path given, or the final target of
	// the symbolic links it names.
	Path string
	// Through reports whether the file is written in place (a device, a
	// FIFO, a socket, or an entry of /dev or /proc) rather than replaced.
	Through bool
	// Exists reports whether Path exists; Mode is its mode when it does.
	Exists bool
	Mode   fs.FileMode
}

// Resolve works out how path would be written, without writing anything.
// It follows symbolic links to their final target. An error names path:
// a directory, a missing parent directory, a loop of links.
func Resolve(path string) (Target, error) {
	if path == "" {
		return Target{}, errors.New("empty path")
	}
	p := path
	for range maxLinks {
		if special(p) {
			// /dev/stdout -> /proc/self/fd/1 -> "pipe:[123]": the kernel
			// follows these, a readlink does not. Write through them.
			fi, err := os.Stat(p)
			if err != nil {
				return Target{}, err
			}
			if fi.IsDir() {
				return Target{}, fmt.Errorf("%s is a directory", path)
			}
			return Target{Path: p, Through: true, Exists: true, Mode: fi.Mode()}, nil
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			dir := filepath.Dir(p)
			di, err := os.Stat(dir)
			if err != nil {
				return Target{}, fmt.Errorf("directory %s: %w", dir, unwrapPath(err))
			}
			if !di.IsDir() {
				return Target{}, fmt.Errorf("%s is not a directory", dir)
			}
			return Target{Path: p}, nil
		}
		if err != nil {
			return Target{}, err
		}
		switch m := fi.Mode(); {
		case m&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return Target{}, err
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(p), link)
			}
			p = link
			continue
		case m.IsDir():
			return Target{}, fmt.Errorf("%s is a directory", path)
		case m.IsRegular():
			return Target{Path: p, Exists: true, Mode: m}, nil
		default:
			return Target{Path: p, Through: true, Exists: true, Mode: m}, nil
		}
	}
	return Target{}, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// special reports whether p lies under /dev or /proc, whose entries are
// never replaced, whatever they are.
func special(p string) bool {
	p = filepath.Clean(p)
	return p == "/dev" || p == "/proc" || strings.HasPrefix(p, "/dev/") || strings.HasPrefix(p, "/proc/")
}

// unwrapPath drops the *fs.PathError around err, whose path the caller
// names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Check reports whether path can be written, before the work that
// produces its content: it resolves path and, for a file that is to be
// replaced, creates and removes a temporary file beside it. It writes
// nothing to path itself.
func Check(path string) error {
	t, err := Resolve(path)
	if err != nil {
		return err
	}
	if t.Through {
		f, err := os.OpenFile(t.Path, os.O_WRONLY|syscallNonblock, 0)
		if isNoReader(err) {
			return nil // a FIFO with no reader yet: one may come
		}
		if err != nil {
			return err
		}
		return f.Close()
	}
	f, err := createTemp(t.Path)
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// WriteFile writes data to path as the package documentation says: a
// regular file is replaced atomically and keeps its permission bits (a
// new one is created with 0666 less the umask); anything else is written
// through. On an error, a file that was to be replaced is left as it was.
func WriteFile(path string, data []byte) error {
	t, err := Resolve(path)
	if err != nil {
		return err
	}
	if t.Through {
		f, err := os.OpenFile(t.Path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return replace(t, data)
}

// createTemp creates a new empty file beside path, with mode 0666 less
// the umask, named so that it is clearly benchdb's and hidden.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var err error
	for i := range 100 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatInt(time.Now().UnixNano()+int64(i), 36))
		var f *os.File
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, err
}

// replace writes data to a temporary file beside t.Path, syncs it, gives
// it t's permission bits and renames it over t.Path.
func replace(t Target, data []byte) (err error) {
	f, err := createTemp(t.Path)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if t.Exists {
		if err := f.Chmod(t.Mode.Perm()); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, t.Path)
}
