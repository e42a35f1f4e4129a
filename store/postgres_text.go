package store

import (
	"context"
	"database/sql/driver"
	"strings"
	"unicode/utf8"
)

// PostgreSQL's text columns hold valid UTF-8 without NUL bytes, while a
// store holds what the input held: a stray Latin-1 byte in a benchmark
// name or configuration value, a NUL byte in a label given through the
// API, a file name that is not UTF-8. SQLite stores such text as it is;
// a PostgreSQL store stores it escaped, so that it gives back the same
// bytes:
//
//   - text that is valid UTF-8 without NUL and without U+E000 (a
//     private-use character) is stored as it is: all ordinary text;
//   - otherwise each NUL byte, each byte that is not part of valid
//     UTF-8, and each byte of a U+E000 is stored as U+E000 followed by
//     the byte in two upper-case hexadecimal digits.
//
// Every string sent to PostgreSQL (statement arguments, COPY rows) is
// escaped and every string read back is unescaped, by the connection
// wrapper (pgConn), so the rest of the package never sees the escape.
// Since each byte is escaped on its own, text that PostgreSQL builds by
// concatenation (run_summary's labels) unescapes right too. Text that
// needs the escape sorts by its escaped form on PostgreSQL; all other
// text sorts byte for byte as on SQLite.

// pgEscapeRune starts an escaped byte.
const pgEscapeRune = '\ue000'

const pgEscape = string(pgEscapeRune)

// pgEscapeText returns s as a PostgreSQL store keeps it.
func pgEscapeText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && !strings.Contains(s, pgEscape) {
		return s
	}
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(len(s) + 16)
	escape := func(b byte) {
		sb.WriteString(pgEscape)
		sb.WriteByte(hex[b>>4])
		sb.WriteByte(hex[b&0xf])
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0 || r == utf8.RuneError && n == 1:
			escape(s[i])
		case r == pgEscapeRune:
			for j := range n {
				escape(s[i+j])
			}
		default:
			sb.WriteString(s[i : i+n])
		}
		i += n
	}
	return sb.String()
}

// pgUnescapeText returns the text a PostgreSQL store keeps as s. An
// escape not followed by two hexadecimal digits is left as it is.
func pgUnescapeText(s string) string {
	if !strings.Contains(s, pgEscape) {
		return s
	}
	var b []byte
	for {
		i := strings.Index(s, pgEscape)
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		s = s[i+len(pgEscape):]
		hi, ok1 := unhex(s, 0)
		lo, ok2 := unhex(s, 1)
		if !ok1 || !ok2 {
			b = append(b, pgEscape...)
			continue
		}
		b = append(b, hi<<4|lo)
		s = s[2:]
	}
	return string(append(b, s...))
}

func unhex(s string, i int) (byte, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// pgEscapeArgs escapes the string arguments of a statement, in place.
func pgEscapeArgs(args []driver.NamedValue) []driver.NamedValue {
	for i, a := range args {
		if s, ok := a.Value.(string); ok {
			args[i].Value = pgEscapeText(s)
		}
	}
	return args
}

// pgRows unescapes the strings of each row it reads.
type pgRows struct {
	driver.Rows
}

func (r pgRows) Next(dest []driver.Value) error {
	if err := r.Rows.Next(dest); err != nil {
		return err
	}
	for i, v := range dest {
		if s, ok := v.(string); ok {
			dest[i] = pgUnescapeText(s)
		}
	}
	return nil
}

// pgStmt is a prepared statement that escapes its arguments and
// unescapes its rows.
type pgStmt struct {
	driver.Stmt
}

func (s pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, pgEscapeArgs(args))
}

func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, pgEscapeArgs(args))
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}
