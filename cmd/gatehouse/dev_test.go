package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to write from the command's
// goroutine while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDev runs `gatehouse dev --json` on free ports and db until the test
// ends, and returns what it printed once ready. stop ends it and returns
// its exit status.
func startDev(t *testing.T, db string) (info devInfo, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr},
			[]string{"dev", "--json", "--db", db, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--spa-addr", "localhost:0"})
	}()
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("gatehouse dev did not stop within 20 s of the signal")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := json.Unmarshal([]byte(stdout.String()), &info); err == nil {
			return info, stop
		}
		select {
		case c := <-done:
			t.Fatalf("gatehouse dev exited with %d before it was ready\nstdout: %s\nstderr: %s", c, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gatehouse dev printed no JSON within 20 s\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
	}
}

func httpGet(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestDev starts gatehouse dev, checks the three servers answer on three
// origins wired to each other, stops it as a signal would, and starts it
// again on the same database.
func TestDev(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "dev.db")
	info, stop := startDev(t, db)

	origins := map[string]bool{info.Issuer: true, info.API: true, info.App: true}
	if len(origins) != 3 || !strings.HasPrefix(info.App, "http://localhost:") || !strings.HasPrefix(info.Issuer, "http://127.0.0.1:") {
		t.Fatalf("origins %q, %q, %q: want three, the app on localhost", info.Issuer, info.API, info.App)
	}
	if info.ClientID == "" || len(info.Users) != 3 || info.DB != db || info.Console != info.Issuer+"/console" {
		t.Fatalf("info %+v", info)
	}
	admins := 0
	for _, u := range info.Users {
		if u.Admin {
			admins++
		}
		if u.Password == "" || (len(u.Groups) != 1 && !u.Admin) {
			t.Errorf("demo user %+v lacks a password or group", u)
		}
	}
	if admins != 1 {
		t.Errorf("%d demo administrators, want 1 (for the console)", admins)
	}
	resp, _ := httpGet(t, info.Console)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("console: %d after redirects, want the sign-in page (200)", resp.StatusCode)
	}

	resp, body := httpGet(t, info.Issuer+"/.well-known/openid-configuration")
	var disc struct{ Issuer string }
	if err := json.Unmarshal(body, &disc); err != nil || resp.StatusCode != 200 || disc.Issuer != info.Issuer {
		t.Fatalf("discovery: %d %s", resp.StatusCode, body)
	}

	resp, body = httpGet(t, info.App+"/config.json")
	var cfg map[string]string
	if err := json.Unmarshal(body, &cfg); err != nil || resp.StatusCode != 200 {
		t.Fatalf("config.json: %d, %v: %s", resp.StatusCode, err, body)
	}
	want := map[string]string{
		"issuer": info.Issuer, "api": info.API, "client_id": info.ClientID,
		"redirect_uri": info.App + "/callback", "post_logout_redirect_uri": info.App + "/",
	}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("config.json %s = %q, want %q", k, cfg[k], v)
		}
	}
	for _, s := range info.Scopes {
		if !strings.Contains(cfg["scope"], s) {
			t.Errorf("the app's scope %q lacks %s", cfg["scope"], s)
		}
	}
	resp, body = httpGet(t, info.App+"/")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "/app.js") ||
		!strings.Contains(csp, "script-src 'self' "+info.Issuer) || !strings.Contains(csp, "connect-src 'self' "+info.Issuer+" "+info.API) {
		t.Errorf("app page: %d, CSP %q", resp.StatusCode, csp)
	}
	if resp, _ := httpGet(t, info.App+"/callback?code=x&state=y"); resp.StatusCode != 200 {
		t.Errorf("callback route: %d", resp.StatusCode)
	}

	// The API refuses a request without a token, in a way the app (and
	// only the app) may read.
	resp, _ = httpGet(t, info.API+"/models", "Origin", info.App)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != info.App ||
		!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("API without token: %d, Allow-Origin %q, challenge %q", resp.StatusCode,
			resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("WWW-Authenticate"))
	}
	resp, _ = httpGet(t, info.API+"/models", "Origin", info.Issuer)
	if acao := resp.Header.Get("Access-Control-Allow-Origin"); acao != "" {
		t.Errorf("API allowed origin %s: %q", info.Issuer, acao)
	}

	if code := stop(); code != 0 {
		t.Fatalf("gatehouse dev exited with %d after the signal, want 0", code)
	}
	if _, err := http.Get(info.API + "/models"); err == nil {
		t.Error("the API still answers after gatehouse dev stopped")
	}

	// Again on the same database: the seed is reused, the client ID kept.
	again, _ := startDev(t, db)
	if again.ClientID != info.ClientID {
		t.Errorf("second run: client ID %q, want the first run's %q", again.ClientID, info.ClientID)
	}
	_, body = httpGet(t, again.App+"/config.json")
	if !strings.Contains(string(body), again.App+"/callback") {
		t.Errorf("second run (new port): config.json %s lacks the new redirect URI", body)
	}
}

func TestDevBadUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"postgres", []string{"--db", "postgres://u@127.0.0.1:5432/x"}, "SQLite only"},
		{"empty sqlite path", []string{"--db", "sqlite:"}, "SQLite only"},
		{"public address", []string{"--addr", "0.0.0.0:0"}, "loopback hosts only"},
		{"no port", []string{"--api-addr", "127.0.0.1"}, "want host:port"},
		{"stray argument", []string{"now"}, "unexpected argument"},
		{"bad log level", []string{"--log-level", "loud"}, "--log-level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", append([]string{"dev"}, tc.args...)...)
			mustCode(t, r, 2)
			if !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Errorf("stderr %q should contain %q; stdout %q should be empty", r.stderr, tc.want, r.stdout)
			}
		})
	}
}
