package server

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
)

// TokenPrefix starts every token NewToken makes, so that a leaked token is
// easy to recognise (and to search for in logs and repositories).
const TokenPrefix = "bdb_"

// hashPrefix starts the hash field of a token file line.
const hashPrefix = "sha256:"

// NewToken returns a new random token: TokenPrefix and 32 bytes from
// crypto/rand in unpadded base64url (256 bits of entropy).
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the hash a token file stores for token:
// "sha256:" and the hex SHA-256 of the token.
//
// A plain SHA-256 is enough because tokens are 256-bit random strings made
// by NewToken: nobody can guess one or search the space from a stolen
// hash, however fast the hash. Slow, salted password hashes (bcrypt,
// argon2) exist for low-entropy passwords that a dictionary can find; they
// would add no safety here and would cost every upload a deliberate
// delay.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hashPrefix + hex.EncodeToString(sum[:])
}

// validTokenName reports whether name can name a token: non-empty,
// printable, without white space or '#'.
func validTokenName(name string) bool {
	if name == "" || len(name) > 100 {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '#' {
			return false
		}
	}
	return true
}

// AddToken makes a new token named name, appends its line ("NAME
// sha256:HEX") to the token file at path (created with mode 0600 if it
// does not exist), and returns the token. Only the hash is written: the
// token itself cannot be recovered from the file. A name already in the
// file is an error.
func AddToken(path, name string) (string, error) {
	if !validTokenName(name) {
		return "", fmt.Errorf("token name %q: want printable characters without white space or #", name)
	}
	entries, err := readTokenFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	for _, e := range entries {
		if e.name == name {
			return "", fmt.Errorf("%s: a token named %s exists already", path, name)
		}
	}
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("open token file: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s %s\n", name, HashToken(token)); err != nil {
		f.Close()
		return "", fmt.Errorf("write token file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write token file %s: %w", path, err)
	}
	return token, nil
}

// tokenEntry is one line of a token file.
type tokenEntry struct {
	name string
	hash []byte // the hash field, "sha256:HEX"
}

// readTokenFile reads a token file: one "NAME sha256:HEX" per line; blank
// lines and lines starting with # are ignored. Errors name the file and
// line.
func readTokenFile(path string) ([]tokenEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read token file: %w", err)
	}
	defer f.Close()
	var entries []tokenEntry
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || !validTokenName(fields[0]) {
			return nil, fmt.Errorf("%s:%d: want NAME sha256:HEX", path, n)
		}
		h, ok := strings.CutPrefix(fields[1], hashPrefix)
		if b, err := hex.DecodeString(h); !ok || err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%s:%d: want a hash sha256:HEX with 64 hex digits", path, n)
		}
		if seen[fields[0]] {
			return nil, fmt.Errorf("%s:%d: token %s given twice", path, n, fields[0])
		}
		seen[fields[0]] = true
		entries = append(entries, tokenEntry{name: fields[0], hash: []byte(strings.ToLower(fields[1]))})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read token file %s: %w", path, err)
	}
	return entries, nil
}

// Tokens is the set of tokens in a token file. It reads the file again
// when it changes (its size or modification time), so that `benchdb token
// add` takes effect without a restart (it looks at the file's size and
// modification time on every Check); if the changed file cannot be read,
// the tokens read before stay in effect. It is safe for concurrent use.
type Tokens struct {
	path string

	mu      sync.Mutex
	entries []tokenEntry
	modTime time.Time
	size    int64
}

// LoadTokens reads the token file at path. The file must exist; it may
// be empty.
func LoadTokens(path string) (*Tokens, error) {
	t := &Tokens{path: path}
	if err := t.reload(); err != nil {
		return nil, err
	}
	return t, nil
}

// Path returns the token file's name.
func (t *Tokens) Path() string { return t.path }

// reload reads the file if its size or modification time changed.
// The caller holds t.mu, or t is not shared yet.
func (t *Tokens) reload() error {
	fi, err := os.Stat(t.path)
	if err != nil {
		return fmt.Errorf("read token file: %w", err)
	}
	if fi.ModTime().Equal(t.modTime) && fi.Size() == t.size && t.entries != nil {
		return nil
	}
	entries, err := readTokenFile(t.path)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []tokenEntry{}
	}
	t.entries, t.modTime, t.size = entries, fi.ModTime(), fi.Size()
	return nil
}

// Check returns the name of the token, and whether it is in the file. It
// compares the token's hash with every hash of the file in constant
// time, so that the time it takes says nothing about how much of a
// token was right. The error reports a token file that changed and can no
// longer be read (the tokens read before are used).
func (t *Tokens) Check(token string) (name string, ok bool, err error) {
	t.mu.Lock()
	err = t.reload() // a stat, unless the file changed
	entries := t.entries
	t.mu.Unlock()
	h := []byte(HashToken(token))
	for _, e := range entries {
		if subtle.ConstantTimeCompare(h, e.hash) == 1 {
			name, ok = e.name, true
		}
	}
	return name, ok, err
}

// TokenNames returns the names of the tokens in the token file at path,
// in file order.
func TokenNames(path string) ([]string, error) {
	entries, err := readTokenFile(path)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	return names, nil
}
