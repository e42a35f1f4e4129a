package beam

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrNoErl is returned (wrapped) by Find when erl or erlc is not on PATH.
var ErrNoErl = errors.New("erl not found in PATH (install Debian's erlang-base)")

//go:embed harness/benchdb_beam.erl
var harnessSource []byte

// moduleName is the harness's Erlang module.
const moduleName = "benchdb_beam"

// Harness runs the Erlang harness. Build one with Find and release it with
// Close. A Harness is safe for concurrent use; each call starts its own
// erl.
type Harness struct {
	// Erl and Erlc are the paths of the programs.
	Erl, Erlc string

	once   sync.Once
	dir    string
	cmpErr error
}

// Find looks for erl and erlc on PATH.
func Find() (*Harness, error) {
	erl, err := exec.LookPath("erl")
	if err != nil {
		return nil, fmt.Errorf("find beam: %w", ErrNoErl)
	}
	erlc, err := exec.LookPath("erlc")
	if err != nil {
		return nil, fmt.Errorf("find beam: erlc: %w", ErrNoErl)
	}
	return &Harness{Erl: erl, Erlc: erlc}, nil
}

// Close removes the compiled harness.
func (h *Harness) Close() error {
	if h.dir == "" {
		return nil
	}
	return os.RemoveAll(h.dir)
}

// compile writes the harness source to a temporary directory and
// compiles it there, once.
func (h *Harness) compile(ctx context.Context) error {
	h.once.Do(func() {
		dir, err := os.MkdirTemp("", "benchdb-beam-")
		if err != nil {
			h.cmpErr = fmt.Errorf("compile harness: %w", err)
			return
		}
		h.dir = dir
		src := filepath.Join(dir, moduleName+".erl")
		if err := os.WriteFile(src, harnessSource, 0o644); err != nil {
			h.cmpErr = fmt.Errorf("compile harness: %w", err)
			return
		}
		cmd := exec.CommandContext(ctx, h.Erlc, "-o", dir, src)
		if out, err := cmd.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			h.cmpErr = fmt.Errorf("compile harness: erlc: %w: %s", err, bytes.TrimSpace(out))
		}
	})
	return h.cmpErr
}

// run runs one harness command and returns its standard output. ctx
// kills erl.
func (h *Harness) run(ctx context.Context, command string, args ...string) ([]byte, error) {
	if err := h.compile(ctx); err != nil {
		return nil, err
	}
	argv := append([]string{"-noshell", "-pa", h.dir, "-run", moduleName, "main", command}, args...)
	cmd := exec.CommandContext(ctx, h.Erl, argv...)
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("beam %s: %w", command, context.Cause(ctx))
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return nil, fmt.Errorf("beam %s: %w: %s", command, err, msg)
	}
	return stdout.Bytes(), nil
}

// Version is what the harness reports about the runtime.
type Version struct {
	OTP        string // the OTP release, such as "25"
	ERTS       string // the emulator's version
	Schedulers int    // schedulers online
}

// Version asks erl for its versions.
func (h *Harness) Version(ctx context.Context) (Version, error) {
	out, err := h.run(ctx, "version")
	if err != nil {
		return Version{}, err
	}
	for _, rec := range parseRecords(out) {
		if rec.kind == "Version" {
			n, err := rec.int("schedulers")
			return Version{OTP: rec.fields["otp"], ERTS: rec.fields["erts"], Schedulers: n}, err
		}
	}
	return Version{}, fmt.Errorf("beam version: no Version line in %q", out)
}
