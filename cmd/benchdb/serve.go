package main

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/server"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run the team server: upload API, read API and web pages over the store",
		Description: `Serve runs benchdb's team server over the store (--db): CI jobs upload
runs to it with a token instead of database credentials, and people browse
the history in a browser.

   POST /api/v1/runs                  upload go test -bench or go test -json
                                      output (gzip allowed); label=KEY=VALUE,
                                      name=FILE, time=RFC3339, strict=1;
                                      201 new run, 200 content already stored,
                                      400 malformed (FILE:LINE), 401/403, 413
   GET  /api/v1/runs[?sel=SEL&limit=N] the JSON of benchdb runs
   GET  /api/v1/runs/{RUN}            the JSON of benchdb show (/export: the text)
   GET  /api/v1/compare?sel=A&sel=B&col=..   the JSON of benchdb compare
   GET  /api/v1/report?since=7d       the JSON of benchdb report
   GET  /api/v1/benchmarks/NAME?pkg=P&unit=U  one benchmark's history
   /runs, /runs/{RUN}, /compare, /report, /benchmarks/NAME   the pages
   /healthz                           liveness

Uploads need "Authorization: Bearer TOKEN" with a token from --token-file
(see benchdb token add); reads need one too unless --public-read (a
browser logs in at /login with a token, kept in a cookie for reads). Without
--token-file the server takes no uploads. The file is read again when it
changes.

Each request is logged on standard error (log/slog; --log-format). SIGTERM
or Ctrl+C stops accepting connections and lets requests in flight finish
for up to --shutdown-timeout; uploads cut off after it store nothing.

Examples:

   benchdb token add ci --token-file tokens.txt
   benchdb serve --db bench.sqlite --listen 127.0.0.1:8080 --token-file tokens.txt --public-read
   benchdb serve --listen :8080 --token-file /etc/benchdb/tokens --max-upload 64MiB`,
		Flags: withStore([]cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "listen on `ADDR` (host:port; :0 picks a free port)", Value: "127.0.0.1:8080", Category: catRun},
			&cli.StringFlag{Name: "token-file", Usage: "`FILE` of hashed tokens that may upload (benchdb token add writes it)", EnvVars: []string{"BENCHDB_TOKEN_FILE"}, Category: catRun},
			&cli.BoolFlag{Name: "public-read", Usage: "serve the read API and pages without a token", Category: catRun},
			&cli.StringFlag{Name: "max-upload", Usage: "largest upload `SIZE`, as sent and decoded (such as 64MiB)", Value: "256MiB", Category: catRun},
			&cli.IntFlag{Name: "max-uploads", Usage: "store at most `N` uploads at once; more wait", Value: server.DefaultMaxUploads, Category: catRun},
			&cli.DurationFlag{Name: "shutdown-timeout", Usage: "on SIGTERM, let requests finish for up to `D`", Value: server.DefaultShutdownTimeout, Category: catRun},
			&cli.StringFlag{Name: "log-format", Usage: "access log `FORMAT` on standard error: text or json", Value: "text", Category: catOutput},
		}),
		Action: serveAction,
	}
}

func serveAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("serve: unexpected argument %q", c.Args().First())
	}
	maxUpload, err := parseSize(c.String("max-upload"))
	if err != nil || maxUpload <= 0 {
		return usagef("--max-upload %q: want a size such as 64MiB or 1000000", c.String("max-upload"))
	}
	if c.Int("max-uploads") < 1 {
		return usagef("--max-uploads %d: want at least 1", c.Int("max-uploads"))
	}
	var handler slog.Handler
	switch c.String("log-format") {
	case "text":
		handler = slog.NewTextHandler(c.App.ErrWriter, nil)
	case "json":
		handler = slog.NewJSONHandler(c.App.ErrWriter, nil)
	default:
		return usagef("--log-format %q: want text or json", c.String("log-format"))
	}
	cfg := server.Config{
		PublicRead:      c.Bool("public-read"),
		MaxUploadBytes:  maxUpload,
		MaxUploads:      c.Int("max-uploads"),
		ShutdownTimeout: c.Duration("shutdown-timeout"),
		Logger:          slog.New(handler),
	}
	if f := c.String("token-file"); f != "" {
		if cfg.Tokens, err = server.LoadTokens(f); err != nil {
			return fmt.Errorf("--token-file: %w", err)
		}
	} else if !cfg.PublicRead {
		return usagef("serve: give --token-file (to take uploads), --public-read (to serve reads), or both")
	}

	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.Store = db
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return fmt.Errorf("--listen %s: %w", c.String("listen"), err)
	}
	mode := "uploads need a token; reads need a token"
	switch {
	case cfg.Tokens == nil:
		mode = "no uploads (no --token-file); reads are public"
	case cfg.PublicRead:
		mode = "uploads need a token; reads are public"
	}
	cfg.Logger.Info("serving", "url", "http://"+ln.Addr().String(), "db", dbPath(c), "mode", mode)
	return srv.Serve(c.Context, ln)
}

// parseSize parses a byte count with an optional unit: B, KiB, MiB, GiB,
// KB, MB, GB (case-insensitive).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}}
	lower := strings.ToLower(s)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			lower, mult = strings.TrimSpace(strings.TrimSuffix(lower, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(lower, 10, 64)
	if err != nil {
		return 0, err
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("%s: too large", s)
	}
	return n * mult, nil
}
