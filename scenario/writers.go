package scenario

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/benchdb/benchdb/mailbox"
)

// writers is the pool of writer processes.
type writers struct {
	cancel    context.CancelFunc
	boxes     []*mailbox.Mailbox
	dir       string
	wg        sync.WaitGroup
	errs      chan error
	delivered atomic.Int64
	written   atomic.Int64
	dropped   int64 // set by stop
}

func newWriters(ctx context.Context, cfg Config) (*writers, error) {
	ctx, cancel := context.WithCancel(ctx)
	w := &writers{cancel: cancel, errs: make(chan error, cfg.Workers)}
	if !cfg.Discard {
		dir, err := os.MkdirTemp(cfg.Dir, "benchdb-scenario-")
		if err != nil {
			cancel()
			return nil, fmt.Errorf("writers: %w", err)
		}
		w.dir = dir
	}
	for i := range cfg.Workers {
		mb := mailbox.New()
		w.boxes = append(w.boxes, mb)
		var f *os.File
		if w.dir != "" {
			var err error
			f, err = os.OpenFile(filepath.Join(w.dir, fmt.Sprintf("writer-%d.log", i)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				w.stop()
				return nil, fmt.Errorf("writers: %w", err)
			}
		}
		w.wg.Go(func() { w.errs <- w.write(ctx, mb, f) })
	}
	return w, nil
}

// write is one writer process: it appends each payload to f (through a
// buffer) or, with no file, drops it.
func (w *writers) write(ctx context.Context, mb *mailbox.Mailbox, f *os.File) (err error) {
	var bw *bufio.Writer
	if f != nil {
		bw = bufio.NewWriterSize(f, 64<<10)
		defer func() {
			if ferr := bw.Flush(); err == nil {
				err = ferr
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
	}
	all := func(*mailbox.Message) bool { return true }
	for {
		msg, rerr := mb.Receive(ctx, all)
		if rerr != nil {
			return nil
		}
		ev := msg.Body.(*Event)
		w.delivered.Add(1)
		if bw != nil {
			if _, err := bw.Write(ev.Bin); err != nil {
				return fmt.Errorf("write %s: %w", f.Name(), err)
			}
			w.written.Add(int64(len(ev.Bin)))
		}
	}
}

// stop stops the writers, waits for them, drops what is still queued for
// them, and removes their directory.
func (w *writers) stop() error {
	w.cancel()
	w.wg.Wait()
	close(w.errs)
	var errs []error
	for err := range w.errs {
		errs = append(errs, err)
	}
	for _, mb := range w.boxes {
		w.dropped += drop(mb)
	}
	if w.dir != "" {
		errs = append(errs, os.RemoveAll(w.dir))
	}
	return errors.Join(errs...)
}
