package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"
)

// An Input is benchmark output that NewInput has read once, checked and
// hashed, ready to be stored (DB.IngestInput) or checked (CheckInput),
// any number of times. Close releases it. An Input is not safe for
// concurrent use.
type Input struct {
	name    string
	opts    IngestOptions
	sum     string // SHA-256 of the normalised content, hex
	key     string // the run's content hash, if not sum (Copy keeps the source's)
	reread  func() (io.Reader, error)
	cleanup func()
	// replay is set for `go test -json` input: reread gives the
	// benchmark lines NewInput extracted (a replay file, replay.go).
	replay bool
}

// NewInput reads r once: it checks what makes a whole input fail (binary
// data, a line longer than MaxLineLength, an empty input) and computes
// the content hash, the run's identity. Input that cannot seek (a pipe,
// standard input) is copied as it is read to a private temporary file,
// which is removed from its directory as soon as it is created, so that
// no way out of the process leaves it behind; a bad line stops the
// copy. NewInput stops with ctx's error when ctx is done. The caller
// must Close the Input.
//
// Every later read of the input (by IngestInput or CheckInput) hashes
// it again, and fails with an *InputError wrapping ErrInputChanged if it
// differs: what is stored is exactly what was hashed. For `go test
// -json` input, NewInput keeps the benchmark lines it extracted (and the
// input lines they came from, and the malformed events it skipped) in a
// private temporary file instead, and later reads read that: the JSON is
// decoded once.
func NewInput(ctx context.Context, r io.Reader, opts IngestOptions) (*Input, error) {
	in := &Input{name: opts.Name, opts: opts}
	if in.name == "" {
		in.name = "<input>"
		in.opts.Name = in.name
	}
	// Run times are stored as text in a fixed layout that only years
	// 0000 to 9999 fit; any other would make the run unreadable.
	if y := opts.Time.UTC().Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("ingest %s: time %s is year %d in UTC, outside 0000 to 9999", in.name, opts.Time.Format(time.RFC3339Nano), y)
	}
	first, again, cleanup, err := rereadable(r)
	if err != nil {
		return nil, &InputError{Name: in.name, Msg: err.Error(), Err: err}
	}
	h := sha256.New()
	rf, err := checkInput(ctx, first, in.name, h)
	if err != nil {
		cleanup()
		return nil, err
	}
	in.sum = hex.EncodeToString(h.Sum(nil))
	in.reread, in.cleanup = again, cleanup
	if rf != nil {
		cleanup() // the input itself is not read again
		in.reread, in.cleanup, in.replay = rf.again, rf.cleanup, true
	}
	return in, nil
}

// Name returns the input's name, as errors and warnings give it.
func (in *Input) Name() string { return in.name }

// Close releases the input's temporary copy, if any. It is safe to call
// more than once.
func (in *Input) Close() error {
	if in.cleanup != nil {
		in.cleanup()
		in.cleanup = nil
	}
	return nil
}

// again returns the input again from the start.
func (in *Input) again() (io.Reader, error) {
	if in.cleanup == nil {
		return nil, &InputError{Name: in.name, Msg: "input closed"}
	}
	r, err := in.reread()
	if err != nil {
		return nil, &InputError{Name: in.name, Msg: err.Error(), Err: err}
	}
	return r, nil
}

// parse reads the input again into sink, checking that it is still the
// content NewInput hashed.
func (in *Input) parse(ctx context.Context, sink recordSink) (Ingested, error) {
	r, err := in.again()
	if err != nil {
		return Ingested{}, err
	}
	h := sha256.New()
	src := newLineSource(ctx, r, in.name)
	if in.replay {
		src.startReplay()
	}
	res, err := parseInput(ctx, src, in.name, in.opts, sink, h)
	if err != nil {
		return res, err
	}
	if hex.EncodeToString(h.Sum(nil)) != in.sum {
		return res, &InputError{Name: in.name, Err: ErrInputChanged,
			Msg: "changed while it was being read (its content differs from the first read); nothing stored"}
	}
	return res, nil
}

// rereadable returns a reader for a first pass over r and a function
// that gives r's content again from the start. If r cannot seek, the
// first pass copies it to a temporary file, unlinked at once, which
// cleanup closes.
func rereadable(r io.Reader) (first io.Reader, again func() (io.Reader, error), cleanup func(), err error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if off, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return r, func() (io.Reader, error) {
				if _, err := rs.Seek(off, io.SeekStart); err != nil {
					return nil, fmt.Errorf("seek: %w", err)
				}
				return rs, nil
			}, func() {}, nil
		}
	}
	t, err := newTempFile()
	if err != nil {
		return nil, nil, nil, err
	}
	return &spool{r: r, f: t.f}, t.again, t.cleanup, nil
}

// A tempFile is a private temporary file, read again from the start.
type tempFile struct {
	f       *os.File
	removed bool
}

// newTempFile creates a temporary file and unlinks it at once: it lives
// only as long as it is open, so no exit path (error, signal, crash)
// leaves it behind. Where an open file cannot be removed (Windows),
// cleanup removes it.
func newTempFile() (*tempFile, error) {
	f, err := os.CreateTemp("", "benchdb-ingest-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	return &tempFile{f: f, removed: os.Remove(f.Name()) == nil}, nil
}

func (t *tempFile) cleanup() {
	t.f.Close()
	if !t.removed {
		os.Remove(t.f.Name())
	}
}

func (t *tempFile) again() (io.Reader, error) {
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read temporary file: %w", err)
	}
	return t.f, nil
}

// checkInput reads the input once: it finds input-wide errors before
// anything is stored and writes the content to h. For `go test -json`
// input it returns the replay file of what it read (replay.go).
func checkInput(ctx context.Context, r io.Reader, name string, h hash.Hash) (replay *tempFile, err error) {
	src := newLineSource(ctx, r, name)
	if err := src.start(); err != nil {
		return nil, err
	}
	if src.json {
		rf, err := newTempFile()
		if err != nil {
			return nil, &InputError{Name: name, Msg: err.Error(), Err: err}
		}
		defer func() {
			if replay == nil {
				rf.cleanup()
			}
		}()
		src.rec = bufio.NewWriterSize(rf.f, readBuffer)
		replay = rf
	}
	nonblank := false
	var buf []byte
	for {
		line, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !nonblank && len(bytes.TrimSpace(line)) > 0 {
			nonblank = true
		}
		buf = append(append(buf[:0], line...), '\n')
		h.Write(buf)
	}
	if !nonblank {
		return nil, &InputError{Name: name, Msg: "empty input", Err: ErrNoResults}
	}
	if src.rec == nil {
		return nil, nil
	}
	if err := src.endRecord(); err != nil {
		return nil, &InputError{Name: name, Msg: "write temporary file: " + err.Error(), Err: err}
	}
	return replay, nil
}

// spool copies a reader that cannot seek to a temporary file as it is
// read, so that Ingest can read it twice.
type spool struct {
	r io.Reader
	f *os.File
}

func (s *spool) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		if _, werr := s.f.Write(p[:n]); werr != nil {
			return n, fmt.Errorf("copy to temporary file: %w", werr)
		}
	}
	return n, err
}
