package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/console"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestConsoleSignIn: /console without a session goes through /authorize,
// the login page and consent, and comes back signed in; the session
// cookie is HttpOnly and SameSite=Lax, expires with the access token, and
// sign-out revokes it for good.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, p := e.signIn(t, consoleAdmin)
	wantPage(t, p, http.StatusOK, "<h1>Projects</h1>", consoleAdmin, `action="/console/signout"`)
	if p.URL.Path != "/console" {
		t.Errorf("ended at %s, want /console", p.URL)
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if got := p.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	ck := consoleCookieOf(t, b, e.URL)
	if ck == nil {
		t.Fatal("no console session cookie after sign-in")
	}

	// The client was registered at start, public, with the admin scope.
	cl, err := e.Store.GetClient(context.Background(), console.ConsoleClientID)
	if err != nil || !cl.Type.Public() || cl.RedirectURIs[0] != e.URL+console.PathCallback {
		t.Fatalf("console client = %+v, %v", cl, err)
	}

	// A deep link survives the sign-in detour.
	b2, p2 := e.signIn(t, consoleAdmin)
	_ = b2
	if p2.URL.Path != "/console" {
		t.Errorf("second sign-in ended at %s", p2.URL)
	}
	deep := e.BrowserFor(t)
	p3 := deep.Get(e.URL + "/console/keys")
	p3 = deep.Submit(p3, "/login", map[string]string{"email": consoleAdmin, "password": consolePassword}, "", "")
	wantPage(t, p3, http.StatusOK, "<h1>Signing keys</h1>", "RS256")

	// The cookie names a live token: sign-out revokes it, and replaying
	// the old cookie starts a new sign-in instead of opening the console.
	if resp := rawGet(t, e.URL+"/console", ck); resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie before sign-out: status %d", resp.StatusCode)
	}
	out := b.Submit(p, "/console/signout", nil, "", "")
	wantPage(t, out, http.StatusOK, "signed out of the console")
	resp := rawGet(t, e.URL+"/console", ck)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.URL+"/authorize?") {
		t.Fatalf("old cookie after sign-out: %d Location %q, want a new sign-in", resp.StatusCode, loc)
	}
}

// TestConsoleSessionExpiresWithToken: once the access token's lifetime is
// over, the console asks for a new sign-in.
func TestConsoleSessionExpiresWithToken(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, _ := e.signIn(t, consoleAdmin)
	ck := consoleCookieOf(t, b, e.URL)
	if resp := rawGet(t, e.URL+"/console/users", ck); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh session: status %d", resp.StatusCode)
	}
	e.Clock.Advance(11 * time.Minute) // the default access-token lifetime is 10 minutes
	if resp := rawGet(t, e.URL+"/console/users", ck); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the token expired: status %d, want 303 to sign in", resp.StatusCode)
	}
}

// TestConsoleRefusesNonAdmins: a user without the admin flag completes the
// flow but gets a 403 page, no session, and the token is revoked.
func TestConsoleRefusesNonAdmins(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, p := e.signIn(t, consoleUser)
	wantPage(t, p, http.StatusForbidden, "Administrators only", consoleUser+" is not a Gatehouse administrator")
	if strings.Contains(p.Body, `action="/console/signout"`) {
		t.Error("the 403 page shows the console's navigation")
	}
	if ck := consoleCookieOf(t, b, e.URL); ck != nil {
		t.Errorf("a non-admin got a console session cookie: %v", ck)
	}
	// Coming back does not let them in either.
	again := b.Get(e.URL + "/console")
	wantPage(t, again, http.StatusForbidden, "Administrators only", `href="/console/signin"`)

	// "Sign in with another account" shows the login page although the
	// browser is signed in to Gatehouse, and an admin gets in.
	login := b.Get(e.URL + "/console/signin")
	if !login.HasForm("/login") {
		t.Fatalf("GET /console/signin: want the login page, got %d:\n%s", login.Status, login.Body)
	}
	in := b.Submit(login, "/login", map[string]string{"email": consoleAdmin, "password": consolePassword}, "", "")
	if in.HasForm("/consent") {
		in = b.Submit(in, "/consent", nil, "decision", "approve")
	}
	wantPage(t, in, http.StatusOK, "<h1>Projects</h1>", consoleAdmin)
}

// TestConsoleCallbackRules: the callback needs the browser's own pending
// sign-in and a matching state.
func TestConsoleCallbackRules(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b := e.BrowserFor(t)
	p := b.Get(e.URL + "/console/callback?code=x&state=y")
	wantPage(t, p, http.StatusBadRequest, "This sign-in has expired")

	// Start a sign-in, then come back with a state that is not ours.
	start := e.BrowserFor(t)
	start.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	first := start.Get(e.URL + "/console")
	if first.Location == nil || first.Location.Path != "/authorize" {
		t.Fatalf("GET /console: want a redirect to /authorize, got %d %v", first.Status, first.Location)
	}
	q := first.Location.Query()
	for k, want := range map[string]string{"client_id": console.ConsoleClientID, "code_challenge_method": "S256", "response_type": "code", "scope": "openid " + console.AdminScope} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("state") == "" || q.Get("nonce") == "" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("authorization request lacks state, nonce or an S256 challenge: %v", q)
	}
	bad := start.Get(e.URL + "/console/callback?code=x&state=" + url.QueryEscape(q.Get("state")+"x"))
	wantPage(t, bad, http.StatusBadRequest, "This sign-in is not valid")
	// The right state with a made-up code fails at the token endpoint.
	forged := start.Get(e.URL + "/console/callback?code=forged&state=" + url.QueryEscape(q.Get("state")))
	wantPage(t, forged, http.StatusBadRequest, "Sign-in failed")
}

// TestConsoleCSRF: every console form needs the CSRF token; without it
// nothing changes.
func TestConsoleCSRF(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, p := e.signIn(t, consoleAdmin)
	f := p.Form(t, "/console/projects")
	if f.Get("csrf_token") == "" {
		t.Fatal("the create-project form has no csrf_token")
	}
	cases := []struct {
		name   string
		values url.Values
		origin string
	}{
		{"no token", url.Values{"name": {"Evil"}}, ""},
		{"wrong token", url.Values{"name": {"Evil"}, "csrf_token": {"AAAA"}}, ""},
		{"right token, other origin", url.Values{"name": {"Evil"}, "csrf_token": {f.Get("csrf_token")}}, "https://evil.example"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/console/projects", strings.NewReader(tc.values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		resp, err := b.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, resp.StatusCode)
		}
	}
	for _, path := range []string{"/console/check/match", "/console/check/redirect"} {
		resp, err := b.HTTP.PostForm(e.URL+path, url.Values{"client_id": {console.ConsoleClientID}, "url": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without a token: status %d, want 403", path, resp.StatusCode)
		}
	}
	ps, err := e.Admin.ListProjects(context.Background())
	if err != nil || len(ps) != 0 {
		t.Fatalf("projects after forged posts: %v, %v", ps, err)
	}
	// Without a session a post changes nothing and says so.
	anon := e.BrowserFor(t).PostForm(e.URL+"/console/projects", url.Values{"name": {"Anon"}})
	wantPage(t, anon, http.StatusUnauthorized, "was not saved")
	if ps, _ := e.Admin.ListProjects(context.Background()); len(ps) != 0 {
		t.Fatalf("an anonymous post created %v", ps)
	}
	resp, err := http.PostForm(e.URL+"/console/check/match", url.Values{"url": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("anonymous check: %d %s, want a JSON 401", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
