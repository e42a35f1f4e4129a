package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"unicode"
	"unicode/utf8"
)

// MaxLineLength is the longest line, in bytes without its newline, that
// Ingest accepts. benchfmt's reader stops at longer lines with an I/O
// error; Ingest rejects them first, naming the line.
const MaxLineLength = 64<<10 - 1

// maxJSONLineLength bounds one event line of `go test -json` output.
const maxJSONLineLength = 4 << 20

// An InputError is a problem with the input that made Ingest refuse all
// of it: nothing was stored. Its message names the input and, where there
// is one, the line. A line that Ingest skipped while it stored the rest is
// a *Warning instead; with IngestOptions.Strict, such a line is an
// *InputError.
type InputError struct {
	Name string
	Line int // 0 when the problem is not on one line
	Msg  string
	Err  error // the underlying error, if any
}

func (e *InputError) Error() string { return inputMessage(e.Name, e.Line, e.Msg) }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// A Warning describes an input line that Ingest skipped while it stored
// the rest: a malformed result line, or a malformed go test -json event.
// Ingested.Warnings holds them (beside *LabelConflictError values for a
// duplicate). Its message is the one an *InputError about the same line
// would have.
type Warning struct {
	Name string
	Line int // the input line skipped
	Msg  string
}

func (w *Warning) Error() string { return inputMessage(w.Name, w.Line, w.Msg) }

// inputMessage formats a message about input name at line (0: none).
func inputMessage(name string, line int, msg string) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, line, msg)
	}
	return fmt.Sprintf("%s: %s", name, msg)
}

// lineSource turns raw input, either the benchmark text format or
// `go test -json` output, into benchmark-format lines. Every line it
// returns is at most MaxLineLength bytes of text (see isText), without
// its newline or a trailing carriage return. It reads at most a buffer
// past a line that is too long, however the input arrives (no newline
// at all, or a `go test -json` output that never ends its line), and
// stops with ctx's error when ctx is done.
type lineSource struct {
	ctx  context.Context
	name string
	br   *bufio.Reader
	long []byte // a line longer than br's buffer, being read

	json    bool // input is `go test -json` output
	started bool

	srcLine int // lines read from the input
	outLine int // lines returned

	// unterminated is set when the last input line had no newline.
	unterminated bool

	// For JSON input: output not yet split into lines, by package, and
	// complete lines waiting to be returned.
	partial map[string]*[]byte // each package's buffer, kept between events
	queue   [][]byte
	pkgs    []string // order in which packages were first seen
	qbuf    []byte
	ebuf    []byte // values of the event being read (fastEvent)

	// srcOf maps output lines to input lines for JSON input: srcOf[l %
	// len(srcOf)] for the last len(srcOf) output lines.
	srcOf []int32

	// warnings are input lines skipped as malformed (JSON input only).
	warnings []*Warning

	// rec records what a JSON input gives (replay.go); replay reads
	// such a record instead of the input.
	rec      *bufio.Writer
	recWarns int // warnings recorded
	recHdr   []byte
	recErr   error
	replay   bool
}

func newLineSource(ctx context.Context, r io.Reader, name string) *lineSource {
	return &lineSource{ctx: ctx, name: name, br: bufio.NewReaderSize(r, readBuffer)}
}

// readBuffer is the size of lineSource's read buffer.
const readBuffer = 256 << 10

// ctxEvery is how many input lines lineSource reads between two looks
// at its context.
const ctxEvery = 1024

// errorf returns an *InputError at input line line.
func (s *lineSource) errorf(line int, format string, args ...any) *InputError {
	return &InputError{Name: s.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// warnf returns a *Warning about input line line, skipped.
func (s *lineSource) warnf(line int, format string, args ...any) *Warning {
	return &Warning{Name: s.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// readRaw returns the next input line without its line ending, or an
// error for a line longer than limit, read no further than the buffer
// that shows it is too long. The slice is valid until the next call.
func (s *lineSource) readRaw(limit int) ([]byte, error) {
	if s.srcLine%ctxEvery == 0 {
		if err := s.ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", s.name, err)
		}
	}
	line, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Longer than the buffer: gather it, up to the limit.
		s.long = append(s.long[:0], line...)
		for err == bufio.ErrBufferFull && len(s.long) <= limit+2 {
			if err := s.ctx.Err(); err != nil {
				return nil, fmt.Errorf("read %s: %w", s.name, err)
			}
			line, err = s.br.ReadSlice('\n')
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	if err == io.EOF {
		if len(line) == 0 {
			return nil, io.EOF
		}
		s.unterminated = true
	} else if err != nil && err != bufio.ErrBufferFull {
		return nil, &InputError{Name: s.name, Line: s.srcLine + 1, Msg: "read: " + err.Error(), Err: err}
	}
	s.srcLine++
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > limit {
		if bytes.IndexByte(line, 0) >= 0 {
			return nil, s.errorf(s.srcLine, "binary data, not benchmark output (NUL bytes, and no newline in the first %d bytes)", limit)
		}
		return nil, s.errorf(s.srcLine, "line longer than %d bytes", limit)
	}
	if !isText(line) {
		return nil, s.errorf(s.srcLine, "binary data, not benchmark output")
	}
	return line, nil
}

// isText reports whether b looks like a line of text: it holds no NUL
// byte, and less than a quarter of it is bytes that are not UTF-8 or
// control characters other than tab, form feed, vertical tab and
// escape. So a stray Latin-1 byte in a configuration
// value is text, stored as it is, while compressed or binary data is
// not.
func isText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	bad := 0
	for i := 0; i < len(b); {
		// Eight bytes at a time while they are printable ASCII: no
		// high bit, none below 0x20, none 0x7f.
		if i+8 <= len(b) {
			const ones, highs = 0x0101010101010101, 0x8080808080808080
			x := binary.LittleEndian.Uint64(b[i:])
			y := x ^ 0x7f*ones
			if (x|(x-0x20*ones)|(y-ones)&^y)&highs == 0 {
				i += 8
				continue
			}
		}
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\f' && c != '\v' && c != 0x1b || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		i += n
	}
	return bad == 0 || bad*4 < len(b)
}

// detect looks at the first non-blank byte: `go test -json` output starts
// with '{'. It also spots binary input early.
func (s *lineSource) detect() error {
	s.started = true
	for {
		b, err := s.br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return &InputError{Name: s.name, Msg: "read: " + err.Error(), Err: err}
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			// Blank lines are returned as lines; look past them
			// without consuming.
			n := s.br.Buffered()
			peek, _ := s.br.Peek(n)
			i := bytes.IndexFunc(peek, func(r rune) bool { return r != ' ' && r != '\t' && r != '\r' && r != '\n' })
			if i < 0 {
				if n == s.br.Size() {
					return nil // a buffer full of blanks: text
				}
				// Fill more of the buffer.
				if _, err := s.br.Peek(n + 1); err != nil {
					return nil
				}
				continue
			}
			s.json = peek[i] == '{'
			return nil
		default:
			s.json = b[0] == '{'
			return nil
		}
	}
}

// start detects the input's format.
func (s *lineSource) start() error {
	if err := s.detect(); err != nil {
		return err
	}
	if s.json {
		s.partial = make(map[string]*[]byte)
		s.srcOf = make([]int32, 1<<17)
	}
	return nil
}

// next returns the next benchmark-format line, or io.EOF. The slice is
// valid until the next call.
func (s *lineSource) next() ([]byte, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	if s.replay {
		return s.nextReplay()
	}
	if !s.json {
		line, err := s.readRaw(MaxLineLength)
		if err != nil {
			return nil, err
		}
		s.outLine++
		return line, nil
	}
	for len(s.queue) == 0 {
		raw, err := s.readRaw(maxJSONLineLength)
		if err == io.EOF {
			// Flush partial lines, in the order packages appeared.
			for _, pkg := range s.pkgs {
				if p := *s.partial[pkg]; len(p) > 0 {
					if err := s.push(p); err != nil {
						return nil, err
					}
					*s.partial[pkg] = p[:0]
				}
			}
			if len(s.queue) == 0 {
				s.record(nil)
				return nil, io.EOF
			}
			break
		}
		if err != nil {
			return nil, err
		}
		if err := s.jsonLine(raw); err != nil {
			return nil, err
		}
	}
	line := s.queue[0]
	s.queue = s.queue[1:]
	s.outLine++
	s.srcOf[s.outLine%len(s.srcOf)] = int32(s.srcLine)
	s.record(line)
	return line, nil
}

// srcLineOf returns the input line that completed output line out, for
// messages. For text input the two are the same.
func (s *lineSource) srcLineOf(out int) int {
	if !s.json || out <= 0 || out > s.outLine || s.outLine-out >= len(s.srcOf) {
		return out
	}
	return int(s.srcOf[out%len(s.srcOf)])
}

// A lineFeed is an io.Reader of the lines of a lineSource, each ending
// in a newline, for benchfmt.Reader. It writes each line to h and tells
// sink of each configuration line.
type lineFeed struct {
	src   *lineSource
	sink  recordSink
	h     hash.Hash
	store []byte
	buf   []byte // unread part of store
	err   error
}

func (f *lineFeed) Read(p []byte) (int, error) {
	for len(f.buf) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		line, err := f.src.next()
		if err != nil {
			f.err = err
			continue
		}
		if key, val, ok := parseKeyValueLine(line); ok {
			f.sink.configLine(f.src.outLine, key, val)
		}
		f.store = append(append(f.store[:0], line...), '\n')
		f.h.Write(f.store)
		f.buf = f.store
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// errAs returns err as an *InputError if it is one.
func errAs(err error) (*InputError, bool) {
	var ie *InputError
	ok := errors.As(err, &ie)
	return ie, ok
}

// parseKeyValueLine reports whether benchfmt.Reader takes line as a
// configuration line, "key: value", and returns its key and value (empty
// to delete the key). It is benchfmt's rule (reader.go), which does not
// export it: the key starts with a lower-case letter and holds no space
// or upper-case letter; the colon is followed by a space or tab unless
// the value is empty.
func parseKeyValueLine(line []byte) (key, val []byte, ok bool) {
	if len(line) == 0 || line[0] < utf8.RuneSelf && (line[0] < 'a' || line[0] > 'z') {
		return nil, nil, false // the common case: not a lower-case letter
	}
	for i := 0; i < len(line); {
		r, n := utf8.DecodeRune(line[i:])
		if i == 0 && !unicode.IsLower(r) {
			return nil, nil, false
		}
		if unicode.IsSpace(r) || unicode.IsUpper(r) {
			return nil, nil, false
		}
		if i > 0 && r == ':' {
			key, val = line[:i], line[i+1:]
			break
		}
		i += n
	}
	if len(key) == 0 {
		return nil, nil, false
	}
	if len(val) == 0 {
		return key, val, true
	}
	for len(val) > 0 && (val[0] == ' ' || val[0] == '\t') {
		val = val[1:]
		ok = true
	}
	return key, val, ok
}
