package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/config"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records decodes the JSON log lines.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPanicRecovered: a handler that panics gives a 500 with a request ID,
// drops what it set on the response, logs the panic with the ID and its
// stack but nothing of the request's secrets, and the server goes on
// serving, on the same connection too.
func TestPanicRecovered(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "half-made-session"})
		panic("boom in handler")
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "fine") })
	ts := httptest.NewServer(observe(log, mux))
	defer ts.Close()
	client := ts.Client()

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/panic?code=SECRET-CODE-123", nil)
	req.Header.Set("Authorization", "Bearer SECRET-TOKEN-456")
	req.Header.Set("Cookie", "gatehouse_session=SECRET-COOKIE-789")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	switch {
	case resp.StatusCode != http.StatusInternalServerError:
		t.Errorf("status %d, want 500", resp.StatusCode)
	case len(id) != 12:
		t.Errorf("X-Request-Id = %q, want a 12-character ID", id)
	case !strings.Contains(string(body), id):
		t.Errorf("body %q does not name request %s", body, id)
	case resp.Header.Get("Set-Cookie") != "":
		t.Errorf("the 500 sets %q, which the panicking handler had set", resp.Header.Get("Set-Cookie"))
	}

	var panics []map[string]any
	for _, rec := range logs.records(t) {
		if rec["msg"] == "panic serving request" {
			panics = append(panics, rec)
		}
	}
	if len(panics) != 1 {
		t.Fatalf("%d panic log lines, want 1:\n%s", len(panics), logs.String())
	}
	p := panics[0]
	stack, _ := p["stack"].(string)
	if p["request_id"] != id || p["panic"] != "boom in handler" || p["path"] != "/panic" || !strings.Contains(stack, "TestPanicRecovered") {
		t.Errorf("panic log line = %v; want request_id %s, the panic, the path and a stack through the handler", p, id)
	}
	for _, s := range []string{"SECRET-CODE-123", "SECRET-TOKEN-456", "SECRET-COOKIE-789"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds %s from the request", s)
		}
	}

	for range 2 {
		resp, err := client.Get(ts.URL + "/ok")
		if err != nil {
			t.Fatalf("after the panic: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if next := resp.Header.Get("X-Request-Id"); resp.StatusCode != http.StatusOK || string(body) != "fine" || next == "" || next == id {
			t.Errorf("after the panic: status %d, body %q, request ID %q; want 200, fine, a new ID", resp.StatusCode, body, next)
		}
	}
}

// serving is a Server answering on a real listener through Serve.
type serving struct {
	url    string
	cancel context.CancelFunc
	done   chan error // Serve's result
}

// startServing builds a server on a new SQLite database, lets wrap put a
// handler in front of it, and runs Serve until the test ends.
func startServing(t *testing.T, wrap func(http.Handler) http.Handler) *serving {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DB = "sqlite:" + filepath.Join(t.TempDir(), "gatehouse.db")
	cfg.Issuer = "http://127.0.0.1:1"
	cfg.JanitorInterval = 0
	s, err := New(ctx, cfg, bytes.Repeat([]byte("m"), 32), slog.New(slog.DiscardHandler), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if wrap != nil {
		s.handler = wrap(s.handler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	sv := &serving{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { sv.done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-sv.done
	})
	return sv
}

// TestGracefulShutdown: cancelling Serve's context (what SIGTERM does in
// cmd/gatehouse) stops new connections but lets a request in flight
// finish, and only then does Serve return.
func TestGracefulShutdown(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	sv := startServing(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/slow" {
				next.ServeHTTP(w, r)
				return
			}
			close(entered)
			<-release
			_, _ = io.WriteString(w, "finished")
		})
	})
	if resp, err := http.Get(sv.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz before shutdown: %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get(sv.url + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{resp.StatusCode, string(b), err}
	}()
	<-entered
	sv.cancel()

	// Wait until the listener is closed: new connections are refused.
	addr := strings.TrimPrefix(sv.url, "http://")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10s after shutdown began")
		}
	}
	select {
	case err := <-sv.done:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	default:
	}

	close(release)
	r := <-slow
	if r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Errorf("in-flight request: status %d, body %q, error %v; want 200 finished", r.status, r.body, r.err)
	}
	if err := <-sv.done; err != nil {
		t.Errorf("Serve = %v, want nil after a graceful shutdown", err)
	}
	sv.done <- nil // for the cleanup
}

// TestServeLimits: through Serve, a header block over MaxHeaderBytes gets
// 431 and a body over maxBodyBytes is refused with a 4xx, never a 5xx.
func TestServeLimits(t *testing.T) {
	sv := startServing(t, nil)
	req, _ := http.NewRequest(http.MethodGet, sv.url+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 128<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("128 KiB of headers: status %d, want 431", resp.StatusCode)
	}

	big := "x=" + strings.Repeat("a", maxBodyBytes)
	for _, path := range []string{"/token", "/revoke", "/introspect", "/userinfo", "/login", "/consent", "/logout", "/authorize", "/account/password"} {
		resp, err := http.Post(sv.url+path, "application/x-www-form-urlencoded", strings.NewReader(big))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("POST %s with a %d-byte body: status %d, want 4xx", path, len(big), resp.StatusCode)
		}
	}
}

// TestLimitBodies: an endpoint that reads a body without a limit of its
// own is still cut off at maxBodyBytes.
func TestLimitBodies(t *testing.T) {
	tests := []struct {
		size    int
		tooLong bool
	}{{0, false}, {maxBodyBytes, false}, {maxBodyBytes + 1, true}, {10 * maxBodyBytes, true}}
	for _, tt := range tests {
		var n int64
		var err error
		h := limitBodies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, err = io.Copy(io.Discard, r.Body)
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/anything", strings.NewReader(strings.Repeat("a", tt.size))))
		var tooLarge *http.MaxBytesError
		if got := errors.As(err, &tooLarge); got != tt.tooLong || n > maxBodyBytes {
			t.Errorf("%d-byte body: read %d bytes, error %v; want a MaxBytesError: %v", tt.size, n, err, tt.tooLong)
		}
	}
}
