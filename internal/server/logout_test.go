package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// Rules of RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

// logoutRequest sends params to /logout with GET or POST (§2: both).
func logoutRequest(b *servertest.Browser, e *rulesEnv, method string, params url.Values) *servertest.Page {
	if method == http.MethodPost {
		return b.PostForm(e.URL+"/logout", params)
	}
	return b.Get(e.URL + "/logout?" + params.Encode())
}

// wantSignedIn checks that the browser still has a session (prompt=none
// gets a code) or no longer has one (login_required).
func wantSignedIn(t *testing.T, e *rulesEnv, b *servertest.Browser, signedIn bool) {
	t.Helper()
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	params.Set("prompt", "none")
	p := authorize(b, e.Env, http.MethodGet, params)
	if signedIn {
		wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))
	} else {
		wantRedirectError(t, e.Env, p, spaRedirect, "login_required", params.Get("state"))
	}
}

// signedInWithIDToken signs a new browser in and returns it with an ID
// token issued to the SPA.
func signedInWithIDToken(t *testing.T, e *rulesEnv) (*servertest.Browser, string) {
	t.Helper()
	b, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	r := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
	wantTokens(t, r)
	return b, r.str("id_token")
}

// TestLogout_HintAndRegisteredRedirect_RPInitiatedLogout_2 checks that a
// valid id_token_hint naming the signed-in user and a registered
// post_logout_redirect_uri end the session at once and redirect there
// (303) with the exact state (§2, §3).
func TestLogout_HintAndRegisteredRedirect_RPInitiatedLogout_2(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	for _, tc := range []struct {
		method, state string
		clientID      bool
	}{
		{http.MethodGet, "bye & ✓ = 100%", false},
		{http.MethodPost, "post state", true},
		{http.MethodGet, "", false},
	} {
		t.Run(tc.method+" "+tc.state, func(t *testing.T) {
			b, idToken := signedInWithIDToken(t, e)
			params := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {spaPostLogout}}
			if tc.state != "" {
				params.Set("state", tc.state)
			}
			if tc.clientID {
				params.Set("client_id", e.SPA.ID)
			}
			p := logoutRequest(b, e, tc.method, params)
			if p.Location == nil || p.Status != http.StatusSeeOther {
				t.Fatalf("status %d, location %v; want 303 to %s:\n%s", p.Status, p.Location, spaPostLogout, excerpt(p.Body))
			}
			base := *p.Location
			base.RawQuery = ""
			if base.String() != spaPostLogout {
				t.Errorf("redirected to %s, want %s", p.Location, spaPostLogout)
			}
			if got := p.Location.Query()["state"]; tc.state == "" && len(got) != 0 || tc.state != "" && (len(got) != 1 || got[0] != tc.state) {
				t.Errorf("state = %q, want exactly %q", got, tc.state)
			}
			cleared := false
			for _, line := range p.Header.Values("Set-Cookie") {
				if c, err := http.ParseSetCookie(line); err == nil && c.Name == "gatehouse_session" && c.Value == "" && c.MaxAge < 0 {
					cleared = true
				}
			}
			if !cleared {
				t.Errorf("the session cookie was not cleared: %q", p.Header.Values("Set-Cookie"))
			}
			wantSignedIn(t, e, b, false)
		})
	}
}

// TestLogout_UnregisteredRedirectRefused_RPInitiatedLogout_3 checks that a
// post_logout_redirect_uri not registered for the client (exact match,
// §3) gets a 400 error page, no redirect, and leaves the session alone.
func TestLogout_UnregisteredRedirectRefused_RPInitiatedLogout_3(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	b, idToken := signedInWithIDToken(t, e)
	for name, params := range map[string]url.Values{
		"other site":            {"id_token_hint": {idToken}, "post_logout_redirect_uri": {"https://evil.example.com/signed-out"}},
		"trailing slash":        {"id_token_hint": {idToken}, "post_logout_redirect_uri": {spaPostLogout + "/"}},
		"extra query":           {"id_token_hint": {idToken}, "post_logout_redirect_uri": {spaPostLogout + "?x=1"}},
		"login redirect URI":    {"id_token_hint": {idToken}, "post_logout_redirect_uri": {spaRedirect}},
		"host case":             {"id_token_hint": {idToken}, "post_logout_redirect_uri": {"https://SPA.example.com/signed-out"}},
		"no client to check":    {"post_logout_redirect_uri": {spaPostLogout}},
		"another client's ID":   {"id_token_hint": {idToken}, "client_id": {e.Web.ID}, "post_logout_redirect_uri": {spaPostLogout}},
		"client without URIs":   {"client_id": {e.Web.ID}, "post_logout_redirect_uri": {spaPostLogout}},
		"hint not an ID token":  {"id_token_hint": {"not-a-jwt"}, "post_logout_redirect_uri": {spaPostLogout}},
		"hint signature broken": {"id_token_hint": {flipLast(idToken)}, "post_logout_redirect_uri": {spaPostLogout}},
	} {
		for _, method := range methods {
			t.Run(method+" "+name, func(t *testing.T) {
				b := b.For(t)
				wantErrorPage(t, logoutRequest(b, e, method, params), "invalid_request")
			})
		}
	}
	wantSignedIn(t, e, b, true)
}

// TestLogout_ConfirmationWithoutHint_RPInitiatedLogout_2 checks that
// without an id_token_hint for the signed-in user the OP asks first (§2:
// the logout must be confirmed): the page alone signs nobody out, and
// submitting its form (csrf_token, logout_request, decision=logout) does —
// but only with a valid CSRF token.
func TestLogout_ConfirmationWithoutHint_RPInitiatedLogout_2(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	confirm := func(t *testing.T, b *servertest.Browser, params url.Values) *servertest.Page {
		t.Helper()
		p := logoutRequest(b, e, http.MethodGet, params)
		if p.Location != nil || p.Status != http.StatusOK || !p.HasForm("/logout") {
			t.Fatalf("want the confirmation page, got status %d, location %v:\n%s", p.Status, p.Location, excerpt(p.Body))
		}
		f := p.Form(t, "/logout")
		// logout_request carries the parameters; with none it may be left out.
		if f.Get("csrf_token") == "" || len(params) > 0 && !f.Has("logout_request") || !strings.Contains(p.Body, `name="decision" value="logout"`) {
			t.Errorf("confirmation form lacks csrf_token, logout_request or the decision=logout button: %v", f)
		}
		wantSignedIn(t, e, b, true)
		return p
	}

	t.Run("no parameters", func(t *testing.T) {
		b, _ := signedInWithIDToken(t, e)
		p := confirm(t, b, url.Values{})
		p = b.Submit(p, "/logout", nil, "decision", "logout")
		if p.Status != http.StatusOK || p.Location != nil || !strings.Contains(p.Body, "signed out") {
			t.Errorf("after confirming: status %d, location %v:\n%s", p.Status, p.Location, excerpt(p.Body))
		}
		wantSignedIn(t, e, b, false)
	})
	t.Run("client_id and registered redirect", func(t *testing.T) {
		b, _ := signedInWithIDToken(t, e)
		state := "state & ✓"
		p := confirm(t, b, url.Values{"client_id": {e.SPA.ID}, "post_logout_redirect_uri": {spaPostLogout}, "state": {state}})
		p = b.Submit(p, "/logout", nil, "decision", "logout")
		if p.Location == nil || p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location.String(), spaPostLogout+"?") ||
			p.Location.Query().Get("state") != state {
			t.Errorf("after confirming: status %d, location %v; want 303 to %s with state %q", p.Status, p.Location, spaPostLogout, state)
		}
		wantSignedIn(t, e, b, false)
	})
	t.Run("hint of another user", func(t *testing.T) {
		e.AddUser("bob@example.com", "bob's long password")
		bob := e.BrowserFor(t)
		params, pk := authzParams(e.SPA.ID, spaRedirect)
		q := wantCodeRedirect(t, e.Env, bob.Authorize(params, "bob@example.com", "bob's long password"), spaRedirect, params.Get("state"))
		r := exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier)
		wantTokens(t, r)
		alice, _ := signedInWithIDToken(t, e)
		confirm(t, alice, url.Values{"id_token_hint": {r.str("id_token")}, "post_logout_redirect_uri": {spaPostLogout}})
	})
	t.Run("confirmation without CSRF token", func(t *testing.T) {
		b, _ := signedInWithIDToken(t, e)
		p := confirm(t, b, url.Values{})
		f := p.Form(t, "/logout")
		f.Set("decision", "logout")
		for _, token := range []string{"", flipLast(f.Get("csrf_token"))} {
			f.Set("csrf_token", token)
			wantErrorPage(t, b.PostForm(e.URL+"/logout", f), "invalid_request")
		}
		wantSignedIn(t, e, b, true)
	})
}
