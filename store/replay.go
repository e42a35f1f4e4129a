package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// A replay file holds what a lineSource gave for one `go test -json`
// input, so that the input is decoded once (NewInput) however often it
// is read again (Input.parse): each benchmark line, with the input line
// that completed it, and each malformed event skipped, in the order the
// lineSource gave them:
//
//	'L' srcLine:uvarint len:uvarint line     a benchmark line
//	'W' srcLine:uvarint len:uvarint message  a skipped event
//
// Replayed, a lineSource returns the same lines, with the same input
// line numbers for messages, and the same warnings at the same points.

// record writes the warnings not yet recorded, then line (none if nil:
// the end of input).
func (s *lineSource) record(line []byte) {
	if s.rec == nil || s.recErr != nil {
		return
	}
	for _, w := range s.warnings[s.recWarns:] {
		s.recordEntry('W', w.Line, []byte(w.Msg))
	}
	s.recWarns = len(s.warnings)
	if line != nil {
		s.recordEntry('L', s.srcLine, line)
	}
}

func (s *lineSource) recordEntry(tag byte, srcLine int, b []byte) {
	hdr := append(s.recHdr[:0], tag)
	hdr = binary.AppendUvarint(hdr, uint64(srcLine))
	hdr = binary.AppendUvarint(hdr, uint64(len(b)))
	s.recHdr = hdr
	s.rec.Write(hdr)
	if _, err := s.rec.Write(b); err != nil && s.recErr == nil {
		s.recErr = err
	}
}

// endRecord flushes the record.
func (s *lineSource) endRecord() error {
	if s.recErr != nil {
		return s.recErr
	}
	return s.rec.Flush()
}

// startReplay makes s read a replay file rather than an input.
func (s *lineSource) startReplay() {
	s.started, s.json, s.replay = true, true, true
	s.srcOf = make([]int32, 1<<17)
}

var errReplay = errors.New("damaged replay file")

// nextReplay returns the next line of a replay file, adding the
// warnings recorded before it to s.warnings.
func (s *lineSource) nextReplay() ([]byte, error) {
	for {
		if s.outLine%ctxEvery == 0 {
			if err := s.ctx.Err(); err != nil {
				return nil, fmt.Errorf("read %s: %w", s.name, err)
			}
		}
		tag, err := s.br.ReadByte()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, s.replayError(err)
		}
		srcLine, err := binary.ReadUvarint(s.br)
		if err != nil {
			return nil, s.replayError(err)
		}
		n, err := binary.ReadUvarint(s.br)
		if err != nil || n > maxJSONLineLength {
			return nil, s.replayError(err)
		}
		s.qbuf = slices.Grow(s.qbuf[:0], int(n))[:n]
		if _, err := io.ReadFull(s.br, s.qbuf); err != nil {
			return nil, s.replayError(err)
		}
		switch tag {
		case 'W':
			s.warnings = append(s.warnings, s.warnf(int(srcLine), "%s", s.qbuf))
		case 'L':
			s.srcLine = int(srcLine)
			s.outLine++
			s.srcOf[s.outLine%len(s.srcOf)] = int32(srcLine)
			return s.qbuf, nil
		default:
			return nil, s.replayError(nil)
		}
	}
}

func (s *lineSource) replayError(err error) error {
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		err = errReplay
	}
	return &InputError{Name: s.name, Msg: "read temporary file: " + err.Error(), Err: err}
}
