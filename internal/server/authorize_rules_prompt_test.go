package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// Rules about when the user must sign in or approve again: prompt and
// max_age (OIDC Core §3.1.2.1, §3.1.2.3, §3.1.2.4) and remembered consent.

// TestAuthorize_PromptNone_OIDCCore_3_1_2_1 checks that prompt=none never
// shows a page: login_required without a (fresh enough) session,
// consent_required without consent for every scope, else a code.
func TestAuthorize_PromptNone_OIDCCore_3_1_2_1(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	none := func(b *servertest.Browser, client, redirect string, set map[string]string) (*servertest.Page, string) {
		params, _ := authzParams(client, redirect)
		params.Set("prompt", "none")
		for k, v := range set {
			params.Set(k, v)
		}
		return authorize(b, e.Env, http.MethodGet, params), params.Get("state")
	}

	p, state := none(e.BrowserFor(t), e.SPA.ID, spaRedirect, nil)
	wantRedirectError(t, e.Env, p, spaRedirect, "login_required", state)

	b, _, _ := signedIn(t, e, e.SPA, spaRedirect)
	t.Run("session without consent for the client", func(t *testing.T) {
		b := b.For(t)
		p, state := none(b, e.Web.ID, webRedirect, nil)
		wantRedirectError(t, e.Env, p, webRedirect, "consent_required", state)
	})
	t.Run("session without consent for a scope", func(t *testing.T) {
		b := b.For(t)
		p, state := none(b, e.SPA.ID, spaRedirect, map[string]string{"scope": "openid api:read"})
		wantRedirectError(t, e.Env, p, spaRedirect, "consent_required", state)
	})
	t.Run("session older than max_age", func(t *testing.T) {
		b := b.For(t)
		p, state := none(b, e.SPA.ID, spaRedirect, map[string]string{"max_age": "0"})
		wantRedirectError(t, e.Env, p, spaRedirect, "login_required", state)
	})
	t.Run("session and consent", func(t *testing.T) {
		b := b.For(t)
		for _, method := range methods {
			params, pk := authzParams(e.SPA.ID, spaRedirect)
			params.Set("prompt", "none")
			p := authorize(b, e.Env, method, params)
			if p.URL.Path != "/authorize" {
				t.Errorf("%s: the browser went through %s; want the code straight from /authorize", method, p.URL.Path)
			}
			q := wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))
			wantTokens(t, exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier))
		}
	})
	t.Run("session expired", func(t *testing.T) {
		b := b.For(t)
		e.Clock.Advance(12*time.Hour + time.Minute)
		p, state := none(b, e.SPA.ID, spaRedirect, nil)
		wantRedirectError(t, e.Env, p, spaRedirect, "login_required", state)
	})
}

// TestAuthorize_PromptLoginReauthenticates_OIDCCore_3_1_2_1 checks that
// prompt=login shows the login page despite a session, and that the ID
// token's auth_time then is the time of the new login (OIDC Core §2).
func TestAuthorize_PromptLoginReauthenticates_OIDCCore_3_1_2_1(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	b, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	first := claimInt(t, idClaims(t, exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)), "auth_time")

	e.Clock.Advance(10 * time.Minute)
	params, pk := authzParams(e.SPA.ID, spaRedirect)
	params.Set("prompt", "login")
	p := authorize(b, e.Env, http.MethodGet, params)
	wantLoginPage(t, p)
	p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	q := wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))
	claims := idClaims(t, exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier))
	if got := claimInt(t, claims, "auth_time"); got < first+600 || got > e.Clock.Now().Unix() {
		t.Errorf("auth_time after prompt=login = %d, want the new login (>= %d, <= now %d)", got, first+600, e.Clock.Now().Unix())
	}
	if got := claims["nonce"]; got != params.Get("nonce") {
		t.Errorf("nonce = %v, want %q", got, params.Get("nonce"))
	}
}

// rulePromptConsentAsksAgain checks that prompt=consent shows the consent
// page despite a remembered approval.
func rulePromptConsentAsksAgain(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	for _, decision := range []string{"approve", "deny"} {
		t.Run(decision, func(t *testing.T) {
			b := b.For(t)
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			params.Set("prompt", "consent")
			p := authorize(b, e.Env, http.MethodGet, params)
			wantConsentPage(t, p)
			p = b.Submit(p, "/consent", nil, "decision", decision)
			if decision == "approve" {
				wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))
			} else {
				wantRedirectError(t, e.Env, p, spaRedirect, "access_denied", params.Get("state"))
			}
		})
	}
}

// TestAuthorize_MaxAge_OIDCCore_3_1_2_1 checks that max_age=0, or a
// max_age shorter than the session's age, makes the user sign in again,
// after which the code is issued with the new auth_time.
func TestAuthorize_MaxAge_OIDCCore_3_1_2_1(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	b, _, _ := signedIn(t, e, e.SPA, spaRedirect)
	step := func(t *testing.T, maxAge string, wantLogin bool) {
		t.Helper()
		b := b.For(t)
		params, pk := authzParams(e.SPA.ID, spaRedirect)
		params.Set("max_age", maxAge)
		p := authorize(b, e.Env, http.MethodGet, params)
		if wantLogin {
			wantLoginPage(t, p)
			p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
		}
		q := wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))
		claims := idClaims(t, exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier))
		if age := e.Clock.Now().Unix() - claimInt(t, claims, "auth_time"); wantLogin && age > 5 {
			t.Errorf("auth_time is %ds old right after a login forced by max_age=%s", age, maxAge)
		}
	}
	t.Run("max_age=0", func(t *testing.T) { step(t, "0", true) })
	t.Run("max_age longer than the session", func(t *testing.T) { step(t, "3600", false) })
	t.Run("max_age shorter than the session", func(t *testing.T) {
		e.Clock.Advance(10 * time.Minute)
		step(t, "300", true)
	})
	for _, bad := range []string{"-1", "abc", "1.5"} {
		t.Run("malformed max_age="+bad, func(t *testing.T) {
			b := b.For(t)
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			params.Set("max_age", bad)
			p := authorize(b, e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, spaRedirect, "invalid_request", params.Get("state"))
		})
	}
}

// TestAuthorize_ConsentDenied_RFC6749_4_1_2_1 checks that denying the
// consent form returns access_denied by redirect.
func TestAuthorize_ConsentDenied_RFC6749_4_1_2_1(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	b := e.BrowserFor(t)
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	p := authorize(b, e.Env, http.MethodGet, params)
	wantLoginPage(t, p)
	p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	wantConsentPage(t, p)
	p = b.Submit(p, "/consent", nil, "decision", "deny")
	wantRedirectError(t, e.Env, p, spaRedirect, "access_denied", params.Get("state"))

	// Denial is not remembered as approval.
	params.Set("prompt", "none")
	p = authorize(b, e.Env, http.MethodGet, params)
	wantRedirectError(t, e.Env, p, spaRedirect, "consent_required", params.Get("state"))
}

// TestAuthorize_ConsentRemembered_OIDCCore_3_1_2_4 checks that approval is
// remembered per user, client and scopes: a later flow for the same (or
// fewer) scopes, even in another browser, gets its code without the
// consent page; an additional allowed scope, or another client, asks again.
func TestAuthorize_ConsentRemembered_OIDCCore_3_1_2_4(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	signedIn(t, e, e.SPA, spaRedirect) // approves openid profile email

	b := e.BrowserFor(t)
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	p := authorize(b, e.Env, http.MethodGet, params)
	wantLoginPage(t, p)
	p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))

	flow := func(t *testing.T, client, redirect, scope string, wantConsent bool) {
		t.Helper()
		b := b.For(t)
		params, _ := authzParams(client, redirect)
		params.Set("scope", scope)
		p := authorize(b, e.Env, http.MethodGet, params)
		if wantConsent {
			wantConsentPage(t, p)
			for _, s := range strings.Fields(scope) {
				if !strings.Contains(p.Body, s) {
					t.Errorf("consent page does not mention %q", s)
				}
			}
			p = b.Submit(p, "/consent", nil, "decision", "approve")
		}
		wantCodeRedirect(t, e.Env, p, redirect, params.Get("state"))
	}
	t.Run("fewer scopes", func(t *testing.T) { flow(t, e.SPA.ID, spaRedirect, "openid", false) })
	t.Run("additional scope", func(t *testing.T) { flow(t, e.SPA.ID, spaRedirect, "openid api:read", true) })
	t.Run("union of approved scopes", func(t *testing.T) {
		flow(t, e.SPA.ID, spaRedirect, "openid profile email api:read", false)
	})
	t.Run("another client", func(t *testing.T) { flow(t, e.Native.ID, nativeScheme, "openid", true) })
	t.Run("another user", func(t *testing.T) {
		e.AddUser("carol@example.com", "carol's long password")
		c := e.BrowserFor(t)
		params, _ := authzParams(e.SPA.ID, spaRedirect)
		p := authorize(c, e.Env, http.MethodGet, params)
		wantLoginPage(t, p)
		p = c.Submit(p, "/login", map[string]string{"email": "carol@example.com", "password": "carol's long password"}, "", "")
		wantConsentPage(t, p)
		if !strings.Contains(p.Body, "carol@example.com") {
			t.Errorf("consent page does not show the signed-in user")
		}
	})
}

// ruleNonceInIDToken checks that nonce is passed unchanged into the ID
// token (OIDC Core §2, §3.1.3.6), and that there is no nonce claim when
// none was sent.
func ruleNonceInIDToken(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	for _, nonce := range []string{"n-0S6_WzA2Mj", "nonce with spaces & ü=✓ %41", ""} {
		t.Run(nonce, func(t *testing.T) {
			b := b.For(t)
			params, pk := authzParams(e.SPA.ID, spaRedirect)
			params.Set("nonce", nonce)
			if nonce == "" {
				params.Del("nonce")
			}
			q := wantCodeRedirect(t, e.Env, authorize(b, e.Env, http.MethodPost, params), spaRedirect, params.Get("state"))
			claims := idClaims(t, exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier))
			got, ok := claims["nonce"]
			if nonce == "" && ok || nonce != "" && got != nonce {
				t.Errorf("nonce claim = %v (present %v), want %q", got, ok, nonce)
			}
		})
	}
}

// wantLoginPage checks p is the login form, shown with status 200.
func wantLoginPage(t *testing.T, p *servertest.Page) {
	t.Helper()
	if p.Location != nil || p.Status != http.StatusOK || !p.HasForm("/login") {
		t.Fatalf("want the login page, got status %d, location %v at %s:\n%s", p.Status, p.Location, p.URL, excerpt(p.Body))
	}
}

// wantConsentPage checks p is the consent form, shown with status 200.
func wantConsentPage(t *testing.T, p *servertest.Page) {
	t.Helper()
	if p.Location != nil || p.Status != http.StatusOK || !p.HasForm("/consent") {
		t.Fatalf("want the consent page, got status %d, location %v at %s:\n%s", p.Status, p.Location, p.URL, excerpt(p.Body))
	}
}

// idClaims checks a token response succeeded and decodes its ID token.
func idClaims(t *testing.T, r tokenResponse) map[string]any {
	t.Helper()
	wantTokens(t, r)
	if r.str("id_token") == "" {
		t.Fatalf("token response has no id_token: %v", r.JSON)
	}
	_, claims := jwtParts(t, r.str("id_token"))
	return claims
}

// claimInt returns a numeric claim.
func claimInt(t *testing.T, claims map[string]any, name string) int64 {
	t.Helper()
	f, ok := claims[name].(float64)
	if !ok {
		t.Fatalf("claim %s = %v (%T), want a number", name, claims[name], claims[name])
	}
	return int64(f)
}
