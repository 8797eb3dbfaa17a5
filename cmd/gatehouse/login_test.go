package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const (
	loginEmail    = "alice@example.com"
	loginPassword = "correct horse battery"
)

// loginEnv is a running server with a user, a native client registered
// for loopback redirects and a confidential client with a loopback
// redirect and its secret in a file.
type loginEnv struct {
	*servertest.Env
	User       storage.User
	Native     storage.Client
	Web        storage.Client
	SecretFile string
	Denied     storage.Client // a native client the user will refuse
}

func newLoginEnv(t *testing.T) *loginEnv {
	t.Helper()
	env := servertest.New(t, servertest.Options{})
	e := &loginEnv{Env: env, User: env.AddUser(loginEmail, loginPassword)}
	e.Native, _ = env.AddClient(admin.NewClient{Type: storage.ClientNative, Name: "CLI", RedirectURIs: []string{"http://127.0.0.1/callback"}})
	var secret string
	e.Web, secret = env.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "Desktop web", RedirectURIs: []string{"http://127.0.0.1/callback"}})
	e.Denied, _ = env.AddClient(admin.NewClient{Type: storage.ClientNative, Name: "Other CLI", RedirectURIs: []string{"http://127.0.0.1/callback"}})
	e.SecretFile = filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(e.SecretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// userBrowser returns a browser opener that plays the user: it signs in
// and answers consent (approve or deny) through the real forms, then
// follows the redirect to the loopback listener with a plain HTTP client.
// It counts its calls.
func (e *loginEnv) userBrowser(t *testing.T, decision string, calls *int) func(string) error {
	b := e.BrowserFor(t)
	return func(authURL string) error {
		t.Helper()
		*calls++
		p := b.Get(authURL)
		for range 2 {
			switch {
			case p.HasForm("/login"):
				p = b.Submit(p, "/login", map[string]string{"email": loginEmail, "password": loginPassword}, "", "")
			case p.HasForm("/consent"):
				p = b.Submit(p, "/consent", nil, "decision", decision)
			}
		}
		if p.Location == nil || p.Location.Hostname() != "127.0.0.1" {
			t.Fatalf("want a redirect to the loopback listener, got %d %v:\n%s", p.Status, p.Location, p.Body)
		}
		resp, err := http.Get(p.Location.String())
		if err != nil {
			t.Fatalf("deliver the callback: %v", err)
		}
		resp.Body.Close()
		return nil
	}
}

// runLogin runs `gatehouse login` with the opener and returns the error
// and the streams.
func (e *loginEnv) runLogin(t *testing.T, open func(string) error, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = login(t.Context(), env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}, args, open)
	return out.String(), errb.String(), err
}

// checkTokens checks a token document against the server: the access
// token works at userinfo for the user, and the rest matches the sign-in.
func (e *loginEnv) checkTokens(t *testing.T, doc tokenFile, clientID string, wantRefresh bool) {
	t.Helper()
	if doc.TokenType != "Bearer" || doc.IDToken == "" || doc.Issuer != e.URL || doc.ClientID != clientID ||
		doc.Subject != e.User.ID || doc.Email != loginEmail || !doc.Expiry.After(time.Now()) || (doc.RefreshToken != "") != wantRefresh {
		t.Errorf("token document = %+v (want refresh token %v)", doc, wantRefresh)
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+doc.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		Sub string `json:"sub"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != http.StatusOK || info.Sub != e.User.ID {
		t.Errorf("userinfo with the printed access token: %d, sub %q, %v", resp.StatusCode, info.Sub, err)
	}
}

// TestLogin runs `gatehouse login` end to end: the browser step is the
// only thing the test plays.
func TestLogin(t *testing.T) {
	t.Parallel()
	e := newLoginEnv(t)
	dir := t.TempDir()

	t.Run("tokens on stdout", func(t *testing.T) {
		var calls int
		stdout, stderr, err := e.runLogin(t, e.userBrowser(t, "approve", &calls), "--issuer", e.URL, "--client-id", e.Native.ID)
		if err != nil {
			t.Fatalf("login: %v\nstderr: %s", err, stderr)
		}
		var doc tokenFile
		decodeOne(t, stdout, &doc)
		e.checkTokens(t, doc, e.Native.ID, true)
		if doc.Scope != "openid profile email offline_access" {
			t.Errorf("scope = %q, want the default four", doc.Scope)
		}
		if calls != 1 || !strings.Contains(stderr, e.URL+"/authorize?") || !strings.Contains(stderr, "Signed in as "+loginEmail) {
			t.Errorf("browser opened %d times; stderr:\n%s", calls, stderr)
		}
		// The document is an oauth2.Token too.
		var tok oauth2.Token
		if err := json.Unmarshal([]byte(stdout), &tok); err != nil || tok.AccessToken != doc.AccessToken || !tok.Expiry.Equal(doc.Expiry) {
			t.Errorf("as oauth2.Token: %+v, %v", tok, err)
		}
	})

	t.Run("confidential client, one scope", func(t *testing.T) {
		var calls int
		stdout, stderr, err := e.runLogin(t, e.userBrowser(t, "approve", &calls), "--issuer", e.URL, "--client-id", e.Web.ID,
			"--client-secret-file", e.SecretFile, "--scope", "openid", "--scope", "email")
		if err != nil {
			t.Fatalf("login: %v\nstderr: %s", err, stderr)
		}
		var doc tokenFile
		decodeOne(t, stdout, &doc)
		e.checkTokens(t, doc, e.Web.ID, false)
		if doc.Scope != "openid email" {
			t.Errorf("scope = %q", doc.Scope)
		}
	})

	t.Run("--out replaces a readable file", func(t *testing.T) {
		out := filepath.Join(dir, "tokens.json")
		if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		var calls int
		stdout, stderr, err := e.runLogin(t, e.userBrowser(t, "approve", &calls), "--issuer", e.URL, "--client-id", e.Native.ID, "--out", out)
		if err != nil {
			t.Fatalf("login: %v\nstderr: %s", err, stderr)
		}
		if stdout != "Signed in as "+loginEmail+". Tokens saved to "+out+".\n" {
			t.Errorf("stdout = %q", stdout)
		}
		st, err := os.Stat(out)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("token file: %v, mode %v; want 0600", err, st.Mode())
		}
		raw, _ := os.ReadFile(out)
		var doc tokenFile
		decodeOne(t, string(raw), &doc)
		e.checkTokens(t, doc, e.Native.ID, true)
		if left, _ := filepath.Glob(filepath.Join(dir, ".tokens.json.*")); len(left) != 0 {
			t.Errorf("temporary files left: %q", left)
		}
	})

	t.Run("--out --json", func(t *testing.T) {
		out := filepath.Join(dir, "t2.json")
		var calls int
		stdout, stderr, err := e.runLogin(t, e.userBrowser(t, "approve", &calls), "--issuer", e.URL, "--client-id", e.Native.ID, "--out", out, "--json")
		if err != nil {
			t.Fatalf("login: %v\nstderr: %s", err, stderr)
		}
		var sum map[string]any
		decodeOne(t, stdout, &sum)
		if sum["sub"] != e.User.ID || sum["out"] != out || sum["email"] != loginEmail {
			t.Errorf("summary = %v", sum)
		}
		if strings.Contains(stdout, "token") {
			t.Errorf("the summary shows tokens: %s", stdout)
		}
	})

	t.Run("denied", func(t *testing.T) {
		var calls int
		stdout, _, err := e.runLogin(t, e.userBrowser(t, "deny", &calls), "--issuer", e.URL, "--client-id", e.Denied.ID)
		if err == nil || !strings.Contains(err.Error(), "access_denied") || stdout != "" {
			t.Errorf("login = %v, stdout %q; want access_denied and nothing printed", err, stdout)
		}
	})

	t.Run("--no-browser", func(t *testing.T) {
		stderr := &syncBuffer{}
		var stdout bytes.Buffer
		done := make(chan error, 1)
		go func() {
			never := func(string) error { return errors.New("opened a browser despite --no-browser") }
			done <- login(t.Context(), env{stdin: strings.NewReader(""), stdout: &stdout, stderr: stderr},
				[]string{"--issuer", e.URL, "--client-id", e.Native.ID, "--no-browser", "--timeout", "1m"}, never)
		}()
		authURL := waitForURL(t, stderr, e.URL, done)
		var calls int
		if err := e.userBrowser(t, "approve", &calls)(authURL); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("login: %v", err)
		}
		if strings.Contains(stderr.String(), "Could not open") {
			t.Errorf("tried a browser: %s", stderr)
		}
		var doc tokenFile
		decodeOne(t, stdout.String(), &doc)
		e.checkTokens(t, doc, e.Native.ID, true)
	})

	t.Run("timeout", func(t *testing.T) {
		_, stderr, err := e.runLogin(t, nil, "--issuer", e.URL, "--client-id", e.Native.ID, "--no-browser", "--timeout", "200ms")
		if err == nil || !strings.Contains(err.Error(), "deadline") || !strings.Contains(stderr, e.URL+"/authorize?") {
			t.Errorf("login = %v; stderr %q", err, stderr)
		}
	})
}

// TestLoginUsage checks the command line's mistakes through run: exit 2
// for usage, 1 for a failure it explains, nothing on stdout.
func TestLoginUsage(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"login", "--help"}, 0, "--client-id"},
		{"no flags", []string{"login"}, 2, "--issuer and --client-id are required"},
		{"no client", []string{"login", "--issuer", "https://id.example.com"}, 2, "--issuer and --client-id are required"},
		{"stray argument", []string{"login", "--issuer", "https://id.example.com", "--client-id", "x", "now"}, 2, `unexpected argument "now"`},
		{"zero timeout", []string{"login", "--issuer", "https://id.example.com", "--client-id", "x", "--timeout", "0s"}, 2, "--timeout must be positive"},
		{"http issuer", []string{"login", "--issuer", "http://id.example.com", "--client-id", "x"}, 1, "must use https"},
		{"missing secret file", []string{"login", "--issuer", "https://id.example.com", "--client-id", "x", "--client-secret-file", missing}, 1, "--client-secret-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", tt.args...)
			mustCode(t, r, tt.code)
			if !strings.Contains(r.stderr, tt.stderr) || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q; want stderr to say %q", r.stdout, r.stderr, tt.stderr)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitForURL polls w for the printed authorization URL.
func waitForURL(t *testing.T, w *syncBuffer, issuer string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for f := range strings.FieldsSeq(w.String()) {
			if strings.HasPrefix(f, issuer+"/authorize?") {
				if _, err := url.Parse(f); err == nil {
					return f
				}
			}
		}
		select {
		case err := <-done:
			t.Fatalf("login ended before the user acted: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no URL printed: %q", w.String())
	return ""
}
