package store

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// testEvent is the part of a `go test -json` event that Ingest reads.
type testEvent struct {
	Action  string
	Package string
	Output  *string
}

// fastEvent decodes the common `go test -json` event, a flat object of
// plain strings and numbers, without encoding/json, which took most of
// the time of ingesting such output. It returns the Action, Package and
// Output values (output nil if there is none), valid until the next
// call, and ok false for anything it does not handle exactly as
// json.Unmarshal into a testEvent would: nested values, a key that
// differs from a field's name only in case, a repeated field, bytes
// outside ASCII, surrogate escapes, malformed JSON. The caller then
// uses json.Unmarshal.
func (s *lineSource) fastEvent(raw []byte) (action, pkg, output []byte, ok bool) {
	s.ebuf = s.ebuf[:0]
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return nil, nil, nil, false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return nil, nil, nil, skipSpace(raw, i+1) == len(raw)
	}
	var seen [3]bool
	// Values are unescaped into s.ebuf; each is remembered as a range
	// of it, since appending may move it.
	var spans [3][2]int
	for {
		if i == len(raw) || raw[i] != '"' {
			return nil, nil, nil, false
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if c := raw[j]; c == '\\' || c < 0x20 || c >= 0x80 {
				return nil, nil, nil, false
			}
			j++
		}
		if j == len(raw) {
			return nil, nil, nil, false
		}
		key := raw[i+1 : j]
		field := -1
		switch string(key) {
		case "Action":
			field = 0
		case "Package":
			field = 1
		case "Output":
			field = 2
		default:
			if bytes.EqualFold(key, []byte("Action")) || bytes.EqualFold(key, []byte("Package")) || bytes.EqualFold(key, []byte("Output")) {
				return nil, nil, nil, false
			}
		}
		i = skipSpace(raw, j+1)
		if i == len(raw) || raw[i] != ':' {
			return nil, nil, nil, false
		}
		i = skipSpace(raw, i+1)
		if i == len(raw) {
			return nil, nil, nil, false
		}
		if raw[i] == '"' {
			start := len(s.ebuf)
			var ok bool
			if s.ebuf, i, ok = appendJSONString(s.ebuf, raw, i); !ok {
				return nil, nil, nil, false
			}
			if field >= 0 {
				if seen[field] {
					return nil, nil, nil, false
				}
				seen[field] = true
				spans[field] = [2]int{start, len(s.ebuf)}
			}
		} else {
			// A number (Elapsed); anything else, for any field, is left
			// to encoding/json.
			if field >= 0 {
				return nil, nil, nil, false
			}
			j := i
			for j < len(raw) && (raw[j] >= '0' && raw[j] <= '9' || raw[j] == '.' || raw[j] == '-' || raw[j] == '+' || raw[j] == 'e' || raw[j] == 'E') {
				j++
			}
			if j == i || !json.Valid(raw[i:j]) {
				return nil, nil, nil, false
			}
			i = j
		}
		i = skipSpace(raw, i)
		if i == len(raw) {
			return nil, nil, nil, false
		}
		if raw[i] == '}' {
			if skipSpace(raw, i+1) != len(raw) {
				return nil, nil, nil, false
			}
			break
		}
		if raw[i] != ',' {
			return nil, nil, nil, false
		}
		i = skipSpace(raw, i+1)
	}
	get := func(f int) []byte {
		if !seen[f] {
			return nil
		}
		return s.ebuf[spans[f][0]:spans[f][1]:spans[f][1]]
	}
	action, pkg, output = get(0), get(1), get(2)
	if output == nil && seen[2] {
		output = []byte{}
	}
	if pkg == nil {
		pkg = []byte{}
	}
	return action, pkg, output, true
}

// skipSpace returns the index of the first byte of b from i on that is
// not JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// appendJSONString appends the value of the JSON string starting at
// raw[i] (a quote) to dst, and returns the index after its closing
// quote. ok is false for what it leaves to encoding/json: bytes outside
// ASCII (encoding/json replaces invalid UTF-8), surrogate escapes, and
// malformed strings.
func appendJSONString(dst, raw []byte, i int) (out []byte, next int, ok bool) {
	i++
	for i < len(raw) {
		c := raw[i]
		switch {
		case c == '"':
			return dst, i + 1, true
		case c < 0x20 || c >= 0x80:
			return dst, 0, false
		case c != '\\':
			j := i + 1
			for j < len(raw) && raw[j] != '"' && raw[j] != '\\' && raw[j] >= 0x20 && raw[j] < 0x80 {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
			continue
		}
		if i+1 == len(raw) {
			return dst, 0, false
		}
		switch e := raw[i+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+6 > len(raw) {
				return dst, 0, false
			}
			v, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32)
			if err != nil || v >= 0xd800 && v < 0xe000 {
				return dst, 0, false
			}
			dst = utf8.AppendRune(dst, rune(v))
			i += 6
			continue
		default:
			return dst, 0, false
		}
		i += 2
	}
	return dst, 0, false
}

// jsonLine takes one line of `go test -json` output.
func (s *lineSource) jsonLine(raw []byte) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if raw[0] != '{' {
		// go test prints some text (build failures) outside events.
		return s.push(raw)
	}
	action, pkg, output, ok := s.fastEvent(raw)
	if !ok {
		var ev testEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			s.warnings = append(s.warnings, s.warnf(s.srcLine, "malformed go test -json event: %v", err))
			return nil
		}
		if ev.Output == nil {
			return nil
		}
		action, pkg, output = []byte(ev.Action), []byte(ev.Package), []byte(*ev.Output)
	}
	if string(action) != "output" || output == nil {
		return nil
	}
	buf, ok := s.partial[string(pkg)]
	if !ok {
		s.pkgs = append(s.pkgs, string(pkg))
		buf = new([]byte)
		s.partial[string(pkg)] = buf
	}
	p := append(*buf, output...)
	*buf = p // the buffer, grown
	if i := bytes.LastIndexByte(p, '\n'); len(p)-(i+1) > MaxLineLength {
		return s.errorf(s.srcLine, "output line longer than %d bytes", MaxLineLength)
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		if err := s.push(p[:i]); err != nil {
			return err
		}
		p = p[i+1:]
	}
	// Keep the remainder at the start of the buffer.
	*buf = append((*buf)[:0], p...)
	return nil
}

// push queues one output line extracted from JSON input.
func (s *lineSource) push(line []byte) error {
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > MaxLineLength {
		return s.errorf(s.srcLine, "output line longer than %d bytes", MaxLineLength)
	}
	if !isText(line) {
		return s.errorf(s.srcLine, "binary data, not benchmark output")
	}
	if len(s.queue) == 0 {
		s.qbuf = s.qbuf[:0]
	}
	// Queued lines share qbuf; copy them so appends do not move them.
	start := len(s.qbuf)
	s.qbuf = append(s.qbuf, line...)
	s.queue = append(s.queue, s.qbuf[start:len(s.qbuf):len(s.qbuf)])
	return nil
}
