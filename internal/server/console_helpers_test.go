package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// The developer console (internal/console) signs administrators in with
// Gatehouse's own authorization code flow; these helpers drive it with the
// cookie-keeping test browser through the real login and consent pages.

const (
	consoleAdmin    = "admin@example.com"
	consoleUser     = "bob@example.com"
	consolePassword = "correct horse battery staple"
	consoleCookie   = "gatehouse_console" // http issuer: no __Host- prefix
)

// consoleEnv is a server with one administrator and one ordinary user.
type consoleEnv struct {
	*servertest.Env
	AdminUser, PlainUser storage.User
}

func newConsoleEnv(t *testing.T, opt servertest.Options) *consoleEnv {
	t.Helper()
	env := servertest.New(t, opt)
	ctx := context.Background()
	a, err := env.Admin.CreateUser(ctx, admin.NewUser{Email: consoleAdmin, Name: "Ada Admin", Password: consolePassword, Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := env.Admin.CreateUser(ctx, admin.NewUser{Email: consoleUser, Name: "Bob", Password: consolePassword, Groups: []string{"staff"}})
	if err != nil {
		t.Fatal(err)
	}
	return &consoleEnv{Env: env, AdminUser: a, PlainUser: u}
}

// signIn opens /console in a new browser, signs in as email on the login
// page, approves the consent page and returns where the browser ends up.
func (e *consoleEnv) signIn(t *testing.T, email string) (*servertest.Browser, *servertest.Page) {
	t.Helper()
	b := e.BrowserFor(t)
	p := b.Get(e.URL + "/console")
	if !p.HasForm("/login") {
		t.Fatalf("GET /console without a session: want the login page, got %d at %s:\n%s", p.Status, p.URL, p.Body)
	}
	p = b.Submit(p, "/login", map[string]string{"email": email, "password": consolePassword}, "", "")
	if p.HasForm("/consent") {
		if !strings.Contains(p.Body, "Gatehouse console") {
			t.Errorf("consent page does not name the console:\n%s", p.Body)
		}
		p = b.Submit(p, "/consent", nil, "decision", "approve")
	}
	return b, p
}

// consoleCookieOf returns the console session cookie the browser holds.
func consoleCookieOf(t *testing.T, b *servertest.Browser, base string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(base + "/console")
	for _, c := range b.HTTP.Jar.Cookies(u) {
		if c.Name == consoleCookie {
			return c
		}
	}
	return nil
}

// rawGet requests path with only the given cookie and without following
// redirects.
func rawGet(t *testing.T, rawURL string, cookie *http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// wantPage fails unless p has status and contains every one of texts.
func wantPage(t *testing.T, p *servertest.Page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d:\n%s", p.URL, p.Status, status, p.Body)
	}
	body := html.UnescapeString(p.Body)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s: page lacks %q:\n%s", p.URL, s, p.Body)
		}
	}
}
