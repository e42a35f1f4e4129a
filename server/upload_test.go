package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/benchdb/benchdb/server"
)

func TestUpload_StoreAndIdempotent(t *testing.T) {
	ts := mustServer(t, nil)
	text := night(0, -1)
	code, up := ts.upload(t, "name=new.txt&label=branch=main&label=commit=abc", text)
	if code != http.StatusCreated {
		t.Fatalf("first upload: status %d, want 201", code)
	}
	if up.ID == 0 || up.Results != 10 || up.DuplicateOf != nil || up.Source != "new.txt" {
		t.Errorf("first upload: %+v, want a new run of 10 results from new.txt", up)
	}
	if up.Labels["branch"] != "main" || up.Labels["commit"] != "abc" || up.Config["pkg"] != "example.com/enc" {
		t.Errorf("labels %v config %v", up.Labels, up.Config)
	}
	if up.URL != fmt.Sprintf("/runs/%d", up.ID) {
		t.Errorf("url %q", up.URL)
	}

	// The same content again, gzip-encoded, with other labels: the run
	// that holds it.
	c2, b := ts.do(t, "POST", "/api/v1/runs?label=branch=other", ts.Token, bytes.NewReader(gzipped(text)), map[string]string{"Content-Encoding": "gzip"})
	if c2 != http.StatusOK {
		t.Fatalf("second upload: status %d (%s), want 200", c2, b)
	}
	var up2 server.UploadJSON
	if err := json.Unmarshal(b, &up2); err != nil {
		t.Fatal(err)
	}
	if up2.ID != up.ID || up2.DuplicateOf == nil || *up2.DuplicateOf != up.ID {
		t.Errorf("second upload: %+v, want duplicate of %d", up2, up.ID)
	}
	if n := runCount(t, ts.DB); n != 1 {
		t.Errorf("%d runs stored, want 1", n)
	}

	// go test -json output of other content is a new run.
	var js strings.Builder
	for _, line := range strings.SplitAfter(night(1, -1), "\n") {
		if line == "" {
			continue
		}
		o, _ := json.Marshal(map[string]string{"Action": "output", "Package": "example.com/enc", "Output": line})
		js.Write(append(o, '\n'))
	}
	if code, up3 := ts.upload(t, "", js.String()); code != http.StatusCreated || up3.Results != 10 || up3.Source != "upload" {
		t.Errorf("go test -json upload: status %d, %+v", code, up3)
	}
	if !strings.Contains(ts.Logs.String(), `"token":"ci"`) || !strings.Contains(ts.Logs.String(), `"status":201`) {
		t.Errorf("access log lacks the token's name or the status:\n%s", ts.Logs.String())
	}
}

func TestUpload_Auth(t *testing.T) {
	ts := mustServer(t, nil)
	text := night(0, -1)
	tests := []struct {
		name   string
		method string
		path   string
		header string
		want   int
	}{
		{"upload without a token", "POST", "/api/v1/runs", "", 401},
		{"upload with basic auth", "POST", "/api/v1/runs", "Basic dXNlcjpwYXNz", 401},
		{"upload with a wrong token", "POST", "/api/v1/runs", "Bearer bdb_wrong", 403},
		{"upload with a token's hash", "POST", "/api/v1/runs", "Bearer " + server.HashToken(ts.Token), 403},
		{"read without a token", "GET", "/api/v1/runs", "", 401},
		{"page without a token", "GET", "/runs", "", 401},
		{"read with a wrong token", "GET", "/api/v1/runs", "Bearer x", 403},
		{"read with the token", "GET", "/api/v1/runs", "Bearer " + ts.Token, 200},
		{"health needs nothing", "GET", "/healthz", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(text))
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	if n := runCount(t, ts.DB); n != 0 {
		t.Errorf("%d runs stored by refused uploads", n)
	}

	pub := mustServer(t, func(c *server.Config) { c.PublicRead = true })
	if code, _ := pub.do(t, "GET", "/api/v1/runs", "", nil, nil); code != 200 {
		t.Errorf("public read: status %d, want 200", code)
	}
	if code, _ := pub.do(t, "POST", "/api/v1/runs", "", strings.NewReader(text), nil); code != 401 {
		t.Errorf("upload to a public-read server without a token: status %d, want 401", code)
	}
}

func TestUpload_TooLarge(t *testing.T) {
	const limit = 4096
	ts := mustServer(t, func(c *server.Config) { c.MaxUploadBytes = limit })
	var big strings.Builder
	big.WriteString("pkg: example.com/enc\n")
	for i := 0; big.Len() <= 2*limit; i++ {
		fmt.Fprintf(&big, "BenchmarkX%d 100 %d ns/op\n", i, i+1)
	}
	if code, _ := ts.upload(t, "", big.String()); code != http.StatusRequestEntityTooLarge {
		t.Errorf("plain body over the limit: status %d, want 413", code)
	}
	// Compressed it is small; decoded it is over the limit.
	z := gzipped(big.String())
	if len(z) >= limit {
		t.Fatalf("test input compresses to %d bytes, want under %d", len(z), limit)
	}
	code, b := ts.do(t, "POST", "/api/v1/runs", ts.Token, bytes.NewReader(z), map[string]string{"Content-Encoding": "gzip"})
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip body over the limit once decoded: status %d (%s), want 413", code, b)
	}
	// Without a Content-Length (chunked), the limit holds too.
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/runs", struct{ *strings.Reader }{strings.NewReader(big.String())})
	req.Header.Set("Authorization", "Bearer "+ts.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: status %d, want 413", resp.StatusCode)
	}
	if n := runCount(t, ts.DB); n != 0 {
		t.Errorf("%d runs stored from bodies over the limit", n)
	}
	// Just under the limit is fine.
	if code, _ := ts.upload(t, "", night(0, -1)); code != http.StatusCreated {
		t.Errorf("small upload: status %d", code)
	}
}

func TestUpload_Malformed(t *testing.T) {
	ts := mustServer(t, nil)
	bad := "pkg: example.com/enc\nBenchmarkA 100 5 ns/op\nBenchmarkB 100 five ns/op\nBenchmarkC 100 7 ns/op\n"
	code, b := ts.do(t, "POST", "/api/v1/runs?strict=1&name=ci.txt", ts.Token, strings.NewReader(bad), nil)
	var e struct{ Error string }
	json.Unmarshal(b, &e)
	if code != http.StatusBadRequest || !strings.Contains(e.Error, "ci.txt:3") {
		t.Errorf("strict upload of a bad line: status %d, error %q; want 400 naming ci.txt:3", code, e.Error)
	}
	if n := runCount(t, ts.DB); n != 0 {
		t.Fatalf("%d runs stored by a refused strict upload", n)
	}
	code, up := ts.upload(t, "name=ci.txt", bad)
	if code != http.StatusCreated || up.Results != 2 || up.SkippedLines != 1 || len(up.Warnings) != 1 || !strings.HasPrefix(up.Warnings[0], "ci.txt:3:") {
		t.Errorf("lenient upload: status %d, %+v; want 2 results, line 3 skipped", code, up)
	}
	for _, tt := range []struct {
		name, query, body string
		hdr               map[string]string
		want              int
	}{
		{"binary", "", "\x00\x01\x02garbage", nil, 400},
		{"no results", "", "just some text\n", nil, 400},
		{"empty", "", "", nil, 400},
		{"broken gzip", "", "not gzip at all", map[string]string{"Content-Encoding": "gzip"}, 400},
		{"unknown encoding", "", night(5, -1), map[string]string{"Content-Encoding": "br"}, 415},
		{"bad label", "label=novalue", night(5, -1), nil, 400},
		{"bad time", "time=yesterday", night(5, -1), nil, 400},
		{"bad strict", "strict=maybe", night(5, -1), nil, 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, b := ts.do(t, "POST", "/api/v1/runs?"+tt.query, ts.Token, strings.NewReader(tt.body), tt.hdr)
			if code != tt.want {
				t.Errorf("status %d (%s), want %d", code, b, tt.want)
			}
			var e struct{ Error string }
			if json.Unmarshal(b, &e) != nil || e.Error == "" || strings.Contains(e.Error, "\n") {
				t.Errorf("error body %q: want {\"error\": one line}", b)
			}
		})
	}
	if n := runCount(t, ts.DB); n != 1 {
		t.Errorf("%d runs stored, want 1", n)
	}
}

func TestUpload_Concurrent(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) { c.MaxUploads = 2 })
	const contents, copies = 6, 4
	var wg sync.WaitGroup
	ids := make([][]int64, contents)
	for i := range ids {
		ids[i] = make([]int64, copies)
	}
	errs := make(chan error, contents*copies)
	for i := range contents {
		for j := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, up := ts.upload(t, fmt.Sprintf("label=copy=%d", j), night(i, -1))
				if code != 200 && code != 201 {
					errs <- fmt.Errorf("content %d copy %d: status %d", i, j, code)
					return
				}
				ids[i][j] = up.ID
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := runCount(t, ts.DB); n != contents {
		t.Errorf("%d runs stored, want %d (one per content)", n, contents)
	}
	for i, row := range ids {
		for _, id := range row {
			if id != row[0] {
				t.Errorf("content %d got runs %v, want one", i, row)
				break
			}
		}
	}
}
