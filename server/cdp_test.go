package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// A browser is headless Chromium driven through the DevTools protocol
// over a pipe (--remote-debugging-pipe: commands on its file descriptor
// 3, answers and events on 4, each message a JSON object ended by a NUL
// byte), so that a test can click as a user does: Input.dispatchMouseEvent
// at an element's place on the page.
type browser struct {
	tb      testing.TB
	cmd     *exec.Cmd
	w       *os.File
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpMessage
	events  chan cdpMessage
	session string
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct{ Message string }
	SessionID string `json:"sessionId,omitempty"`
}

// startBrowser starts Chromium and opens one page (a tab) in it. The
// browser is stopped when the test ends.
func startBrowser(tb testing.TB, bin string) *browser {
	tb.Helper()
	toChrome, ours, err := os.Pipe() // Chromium reads fd 3
	if err != nil {
		tb.Fatal(err)
	}
	theirs, fromChrome, err := os.Pipe() // Chromium writes fd 4
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--window-size=1200,900", "--user-data-dir="+tb.TempDir(), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &browser{tb: tb, cmd: cmd, w: ours, waiting: map[int]chan cdpMessage{}, events: make(chan cdpMessage, 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := bufio.NewReader(theirs)
		for {
			msg, err := r.ReadBytes(0)
			if err != nil {
				return
			}
			var m cdpMessage
			if json.Unmarshal(msg[:len(msg)-1], &m) != nil {
				continue
			}
			if m.ID != 0 {
				b.mu.Lock()
				ch := b.waiting[m.ID]
				delete(b.waiting, m.ID)
				b.mu.Unlock()
				if ch != nil {
					ch <- m
				}
				continue
			}
			select {
			case b.events <- m:
			default: // nobody waits for it
			}
		}
	}()
	tb.Cleanup(func() {
		ours.Close()
		cmd.Process.Kill()
		cmd.Wait()
		theirs.Close()
		<-done
		if tb.Failed() {
			tb.Logf("chromium stderr:\n%.2000s", errOut.String())
		}
	})
	var target struct{ TargetID string }
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	b.session = att.SessionID
	b.call(b.session, "Page.enable", nil, nil)
	return b
}

// call sends one command and waits for its answer, decoded into result.
func (b *browser) call(session, method string, params any, result any) {
	b.tb.Helper()
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.w.Write(append(data, 0)); err != nil {
		b.tb.Fatalf("chromium: send %s: %v", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			b.tb.Fatalf("chromium: %s: %s", method, m.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				b.tb.Fatalf("chromium: %s: %v", method, err)
			}
		}
	case <-time.After(60 * time.Second):
		b.tb.Fatalf("chromium: no answer to %s in 60s", method)
	}
}

// drain forgets the events received so far.
func (b *browser) drain() {
	for {
		select {
		case <-b.events:
		default:
			return
		}
	}
}

// waitLoad waits for the page's load event.
func (b *browser) waitLoad() {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		select {
		case m := <-b.events:
			if m.Method == "Page.loadEventFired" && m.SessionID == b.session {
				return
			}
		case <-ctx.Done():
			b.tb.Fatalf("chromium: the page did not load in 60s")
		}
	}
}

// navigate loads url in the page and waits until it has loaded.
func (b *browser) navigate(url string) {
	b.tb.Helper()
	b.drain()
	b.call(b.session, "Page.navigate", map[string]any{"url": url}, nil)
	b.waitLoad()
}

// eval evaluates a JavaScript expression in the page and decodes its
// value into v.
func (b *browser) eval(expr string, v any) {
	b.tb.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct{ Text string }
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		b.tb.Fatalf("chromium: evaluate %s: %s", expr, res.ExceptionDetails.Text)
	}
	if v != nil {
		if err := json.Unmarshal(res.Result.Value, v); err != nil {
			b.tb.Fatalf("chromium: evaluate %s: %v (value %s)", expr, err, res.Result.Value)
		}
	}
}

// dom returns the page's DOM as HTML.
func (b *browser) dom() string {
	var s string
	b.eval("document.documentElement.outerHTML", &s)
	return s
}

// location returns the page's address.
func (b *browser) location() string {
	var s string
	b.eval("location.href", &s)
	return s
}

// click scrolls the first element that the JavaScript expression find
// returns into view and clicks the middle of its box with the mouse, as
// a user does, then waits for the page that loads.
func (b *browser) click(find string) {
	b.tb.Helper()
	var box []float64
	b.eval(fmt.Sprintf(`(() => { const e = (%s); if (!e) return null; e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, find), &box)
	if len(box) != 2 {
		b.tb.Fatalf("chromium: no element %s on %s", find, b.location())
	}
	// The element under the point is the one found, or inside it: a
	// click there reaches it.
	var hit bool
	b.eval(fmt.Sprintf(`(() => { const e = (%s); const h = document.elementFromPoint(%g, %g); return !!h && (e === h || e.contains(h)); })()`, find, box[0], box[1]), &hit)
	if !hit {
		b.tb.Fatalf("chromium: the element %s is covered at (%g, %g)", find, box[0], box[1])
	}
	b.drain()
	for _, ev := range []struct{ typ, button string }{{"mouseMoved", "none"}, {"mousePressed", "left"}, {"mouseReleased", "left"}} {
		b.call(b.session, "Input.dispatchMouseEvent", map[string]any{
			"type": ev.typ, "x": box[0], "y": box[1], "button": ev.button, "clickCount": 1,
		}, nil)
	}
	b.waitLoad()
}
