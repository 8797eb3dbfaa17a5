package client_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-dev/gatehouse/client"
	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const (
	email       = "alice@example.com"
	password    = "correct horse battery"
	loopback    = "http://127.0.0.1/callback"
	loopback6   = "http://[::1]/callback"
	webRedirect = "https://web.example.com/oauth/callback"
)

// fixture is a running Gatehouse with one user, native clients
// registered for loopback redirects and a confidential web client.
type fixture struct {
	*servertest.Env
	User      storage.User
	Native    storage.Client
	Denied    storage.Client // a native client the user is never asked about but once, to deny
	Web       storage.Client
	WebSecret string
}

// TestWithServer runs the tests that share one server. (Each server costs
// key generation and a password hash; the refresh test, which moves the
// server's clock, has its own.)
func TestWithServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"discovery", testDiscovery},
		{"exchange checks", testExchangeChecks},
		{"loopback", testLoginLoopback},
		{"loopback denied", testLoginLoopbackDenied},
		{"loopback manual", testLoginLoopbackManual},
		{"loopback timeout", testLoginLoopbackTimeout},
		{"loopback listener", testLoopbackListener},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, f)
		})
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := servertest.New(t, servertest.Options{})
	f := &fixture{Env: env, User: env.AddUser(email, password)}
	f.Native, _ = env.AddClient(admin.NewClient{Type: storage.ClientNative, Name: "CLI", RedirectURIs: []string{loopback, loopback6}})
	f.Denied, _ = env.AddClient(admin.NewClient{Type: storage.ClientNative, Name: "Unwanted CLI", RedirectURIs: []string{loopback}})
	f.Web, f.WebSecret = env.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "Web app", RedirectURIs: []string{webRedirect}})
	return f
}

// client discovers the server for cfg, filling in the issuer, the clock
// and (when empty) the native client's ID.
func (f *fixture) client(t *testing.T, cfg client.Config) *client.Client {
	t.Helper()
	cfg.Issuer, cfg.Now = f.URL, f.Clock.Now
	if cfg.ClientID == "" {
		cfg.ClientID = f.Native.ID
	}
	c, err := client.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

// walk loads an authorization URL in b and goes through the login and
// consent pages as the user, answering consent with decision ("approve"
// or "deny"). It returns the page that redirects out of the server.
func walk(t *testing.T, b *servertest.Browser, authURL, decision string) *servertest.Page {
	t.Helper()
	p := b.Get(authURL)
	for range 3 {
		switch {
		case p.Location != nil:
			return p
		case p.HasForm("/login"):
			p = b.Submit(p, "/login", map[string]string{"email": email, "password": password}, "", "")
		case p.HasForm("/consent"):
			p = b.Submit(p, "/consent", nil, "decision", decision)
		default:
			t.Fatalf("stuck at %s (status %d):\n%s", p.URL, p.Status, p.Body)
		}
	}
	if p.Location == nil {
		t.Fatalf("no redirect out of the server from %s", authURL)
	}
	return p
}

// delivery is what the loopback listener answered the browser.
type delivery struct {
	Redirect *url.URL // where the server sent the browser
	Status   int
	Body     string
}

// opener returns an OpenBrowser function that plays the user's browser:
// it signs in through the real forms with b, then follows the redirect to
// the loopback listener with a plain HTTP client, as a browser would. It
// records what happened in d.
func opener(t *testing.T, b *servertest.Browser, decision string, d *delivery) func(string) error {
	return func(authURL string) error {
		t.Helper()
		p := walk(t, b, authURL, decision)
		d.Redirect = p.Location
		resp, err := http.Get(p.Location.String())
		if err != nil {
			t.Fatalf("deliver the callback to %s: %v", p.Location, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		d.Status, d.Body = resp.StatusCode, string(body)
		return nil
	}
}

// lines is an io.Writer safe for concurrent use that also reports every
// write on a channel, so a test can wait for a printed URL.
type lines struct {
	mu     sync.Mutex
	b      strings.Builder
	writes chan string
}

func newLines() *lines { return &lines{writes: make(chan string, 64)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.b.Write(p)
	l.mu.Unlock()
	select {
	case l.writes <- string(p):
	default:
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// authURLIn returns the first URL under issuer found in text, or "".
func authURLIn(text, issuer string) string {
	for f := range strings.FieldsSeq(text) {
		if strings.HasPrefix(f, issuer+"/authorize?") {
			return f
		}
	}
	return ""
}
