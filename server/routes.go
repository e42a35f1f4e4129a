package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// contentSecurityPolicy allows the pages nothing but their own stylesheet:
// no scripts at all (inline or from anywhere), no frames, no plugins,
// forms posting only back to the server.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)

	mux.Handle("POST /api/v1/runs", s.auth(true, s.upload))
	mux.Handle("GET /api/v1/runs", s.auth(false, s.apiRuns))
	mux.Handle("GET /api/v1/runs/{id}", s.auth(false, s.apiRun))
	mux.Handle("GET /api/v1/runs/{id}/export", s.auth(false, s.apiExport))
	mux.Handle("GET /api/v1/compare", s.auth(false, s.apiCompare))
	mux.Handle("GET /api/v1/report", s.auth(false, s.apiReport))
	mux.Handle("GET /api/v1/benchmarks/{name...}", s.auth(false, s.apiBenchmark))

	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/runs", http.StatusFound)
	})
	mux.Handle("GET /runs", s.auth(false, s.pageRuns))
	mux.Handle("GET /runs/{id}", s.auth(false, s.pageRun))
	mux.Handle("GET /compare", s.auth(false, s.pageCompare))
	mux.Handle("GET /report", s.auth(false, s.pageReport))
	mux.Handle("GET /benchmarks/{name...}", s.auth(false, s.pageBenchmark))
	mux.HandleFunc("GET /static/style.css", serveStyle)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	return s.logged(secured(mux))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// secured sets the security headers of every response and caps the query
// string.
func secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if len(r.URL.RawQuery) > DefaultMaxQueryBytes {
			httpError(w, r, http.StatusRequestURITooLong, "query string longer than %d bytes", DefaultMaxQueryBytes)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ctxKey keys the request's log record in its context.
type ctxKey struct{}

// requestLog collects what a handler wants in the access log.
type requestLog struct {
	token string
	attrs []slog.Attr
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one structured access log record per request.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rl := &requestLog{}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, rl))
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Float64("seconds", time.Since(start).Seconds()),
			slog.String("remote", r.RemoteAddr),
		}
		if rl.token != "" {
			attrs = append(attrs, slog.String("token", rl.token))
		}
		attrs = append(attrs, rl.attrs...)
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.cfg.Logger.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// logAttrs adds attributes to the request's access log record.
func logAttrs(r *http.Request, attrs ...slog.Attr) {
	if rl, ok := r.Context().Value(ctxKey{}).(*requestLog); ok {
		rl.attrs = append(rl.attrs, attrs...)
	}
}

// auth checks the request's bearer token: always for writes, and for
// reads unless the server's reads are public. Without an Authorization
// header the answer is 401, with a token that is not in the token file
// 403.
func (s *Server) auth(write bool, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !write && s.cfg.PublicRead {
			h(w, r)
			return
		}
		hdr := r.Header.Get("Authorization")
		scheme, token, _ := strings.Cut(hdr, " ")
		token = strings.TrimSpace(token)
		if hdr == "" && !write {
			// A browser sends the token in the cookie /login set.
			if c, err := r.Cookie(tokenCookie); err == nil {
				scheme, token = "Bearer", c.Value
			}
		}
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="benchdb"`)
			if !strings.HasPrefix(r.URL.Path, "/api/") {
				s.render(w, r, http.StatusUnauthorized, "login", "Log in", loginData{Next: r.URL.RequestURI()})
				return
			}
			httpError(w, r, http.StatusUnauthorized, "want an Authorization: Bearer TOKEN header (see benchdb token add)")
			return
		}
		if s.cfg.Tokens == nil {
			httpError(w, r, http.StatusForbidden, "this server takes no uploads: it has no token file")
			return
		}
		name, ok, err := s.cfg.Tokens.Check(token)
		if err != nil {
			s.cfg.Logger.Error("token file changed and cannot be read; using the tokens read before", "err", err)
		}
		if !ok {
			httpError(w, r, http.StatusForbidden, "the token is not in the server's token file")
			return
		}
		if rl, ok := r.Context().Value(ctxKey{}).(*requestLog); ok {
			rl.token = name
		}
		h(w, r)
	})
}

// errorJSON is the body of every API error.
type errorJSON struct {
	Error string `json:"error"`
}

// httpError answers with status and a one-line message: JSON under /api/,
// plain text elsewhere.
func httpError(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	logAttrs(r, slog.String("error", msg))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, errorJSON{Error: msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}

// writeJSON writes v as indented JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorJSON{Error: "encode JSON: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// tokenCookie holds a browser's token for reads, set by POST /login.
const tokenCookie = "benchdb_token"

type loginData struct {
	Next, Error string
}

// safeNext returns next if it is a path on this server, else /runs.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/runs"
	}
	return next
}

// loginPage is GET /login: a form for a token, for servers whose reads
// are not public.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "Log in", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// login is POST /login: a valid token is kept in an HttpOnly, SameSite
// strict cookie that lets the browser read (never upload), and the browser
// goes on to the page it asked for.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, DefaultMaxQueryBytes)
	token := strings.TrimSpace(r.PostFormValue("token"))
	next := safeNext(r.PostFormValue("next"))
	ok := false
	if s.cfg.Tokens != nil && token != "" {
		name, found, err := s.cfg.Tokens.Check(token)
		if err != nil {
			s.cfg.Logger.Error("token file changed and cannot be read; using the tokens read before", "err", err)
		}
		if ok = found; ok {
			if rl, isLog := r.Context().Value(ctxKey{}).(*requestLog); isLog {
				rl.token = name
			}
		}
	}
	if !ok {
		s.render(w, r, http.StatusForbidden, "login", "Log in", loginData{Next: next, Error: "That token is not in the server's token file."})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: tokenCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 30 * 24 * 3600,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout is POST /logout: the cookie is dropped.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
