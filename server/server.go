package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
)

// Store is what the server needs of a benchmark store: the methods of
// *store.DB. Any backend with them can be served.
type Store interface {
	Ingest(ctx context.Context, r io.Reader, opts store.IngestOptions) (store.Ingested, error)
	Run(ctx context.Context, id int64) (store.Run, error)
	Runs(ctx context.Context) ([]store.Run, error)
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
	UnitMetadata(ctx context.Context, ids []int64) ([]*benchfmt.UnitMetadata, error)
	Export(ctx context.Context, w io.Writer, ids ...int64) error
	Profiles(ctx context.Context, id int64) ([]store.Profile, error)
}

var _ Store = (*store.DB)(nil)

// Defaults of Config.
const (
	DefaultMaxUploadBytes    = 256 << 20
	DefaultMaxUploads        = 4
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 5 * time.Minute
	DefaultWriteTimeout      = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultShutdownTimeout   = 30 * time.Second
	// DefaultMaxQueryBytes caps a request's query string (selectors,
	// labels) and every request body other than an upload.
	DefaultMaxQueryBytes = 64 << 10
)

// Config configures a Server. The zero value of each duration and limit
// means its Default constant.
type Config struct {
	// Store is where runs are stored and read.
	Store Store
	// Tokens are the tokens that may upload, and read unless PublicRead
	// is set. Nil: nobody may upload.
	Tokens *Tokens
	// PublicRead lets the read API and the pages go without a token.
	PublicRead bool

	// MaxUploadBytes caps an upload's body, both as sent and after gzip
	// decoding: a larger one gets 413.
	MaxUploadBytes int64
	// MaxUploads is how many uploads are stored at once; more wait.
	MaxUploads int

	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (a large
	// upload on a slow link needs it long).
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its response: reading an upload, storing it, and building a
	// report all count.
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// ShutdownTimeout is how long Serve waits, once its context is done,
	// for requests in flight to finish; then it closes their connections,
	// which cancels them (an upload cut off this way stores nothing).
	ShutdownTimeout time.Duration

	// Logger receives the access log (one record per request) and
	// errors. Nil: slog.Default().
	Logger *slog.Logger
	// Now is the clock of reports (default time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.MaxUploads <= 0 {
		c.MaxUploads = DefaultMaxUploads
	}
	def(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.ShutdownTimeout, DefaultShutdownTimeout)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// A Server serves the API and the pages over one Store. It is safe for
// concurrent use.
type Server struct {
	cfg     Config
	handler http.Handler
	uploads chan struct{} // semaphore of MaxUploads
}

// New returns a server for cfg. It fails without a Store, and when
// nothing could be read or written (no Tokens and no PublicRead).
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Tokens == nil && !cfg.PublicRead {
		return nil, errors.New("server: no token file and no public read: nobody could use it")
	}
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, uploads: make(chan struct{}, cfg.MaxUploads)}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler: the API, the pages, /healthz,
// with the access log and security headers.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve accepts connections on ln until ctx is done, then shuts down
// gracefully: it stops accepting, lets the requests in flight finish for
// up to Config.ShutdownTimeout, then closes what is left. It returns nil
// after a shutdown caused by ctx, or the error that stopped it. It closes
// ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
		// Requests must not be cancelled when ctx is: they finish
		// during the shutdown.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.cfg.Logger.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		// Cut off what is left: its contexts are cancelled and its
		// uploads roll back.
		srv.Close()
		err = fmt.Errorf("shutdown: requests still running after %s were cut off", s.cfg.ShutdownTimeout)
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("serve: %w", serr)
	}
	return err
}
