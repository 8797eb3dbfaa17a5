package server_test

// The RFC 9700 (OAuth 2.0 Security Best Current Practice) checklist: one
// test per applicable recommendation of §2 and attack of §4, named after
// its section. Detailed rules live in the *_rules_*_test.go files; these
// tests are the checklist view, each asserting the behaviour the section
// asks for with cases of its own.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// onBothBackends runs fn against a fresh rules fixture on SQLite and on
// PostgreSQL.
func onBothBackends(t *testing.T, fn func(t *testing.T, e *rulesEnv)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newRulesEnv(t, servertest.Options{})) })
	t.Run("postgres", func(t *testing.T) { fn(t, newRulesEnv(t, servertest.Options{Postgres: true})) })
}

// TestRFC9700_4_1_RedirectURIValidation: redirect URIs are compared
// exactly with the registered ones (§4.1.3, §2.1), so an attacker who
// alters any part of one gets an error page and never a redirect, and
// registration refuses what §4.1 warns about (wildcards, patterns whose
// host can vary into another site).
func TestRFC9700_4_1_RedirectURIValidation(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	groups := map[string][]string{
		"path": {"https://spa.example.com/callback/../callback", "https://spa.example.com/callbackx",
			"https://spa.example.com//callback", "https://spa.example.com/callback;x"},
		"query":    {"https://spa.example.com/callback?redirect=https://evil.example", "https://spa.example.com/callback?&"},
		"fragment": {"https://spa.example.com/callback#", "https://spa.example.com/callback#https://evil.example"},
		"port":     {"https://spa.example.com:80/callback", "https://spa.example.com:0443/callback", "https://spa.example.com:/callback"},
		"userinfo": {"https://evil.example@spa.example.com/callback", "https://spa.example.com:@evil.example/callback",
			"https://spa.example.com%40evil.example/callback"},
		"IDN and punycode": {"https://spа.example.com/callback", // Cyrillic а
			"https://xn--sp-6kc.example.com/callback", "https://spa.example.com\u3002evil.example/callback",
			"https://ｓｐａ.example.com/callback"},
		"percent-encoding": {"https://spa.example.com/%63allback", "https://spa.example.com/callback%00",
			"https://spa%2eexample.com/callback", "https://spa.example.com%2f@evil.example/callback",
			"https://pr-1.preview.example.com/cb%2f..%2f..%2fevil", "https://pr-1.preview.example.com/%63b"},
		"open redirect via the pattern": {"https://pr-1.preview.example.com.evil.example/cb",
			"https://pr-1-preview.example.com/cb", "https://pr-1.preview.example.com:8080/cb",
			"https://pr-1.preview.example.com/cb/../../evil", "https://pr-1.preview.example.com\\.evil.example/cb",
			"https://evil.example/pr-1.preview.example.com/cb", "https://pr-1.preview.example.com/cb\t"},
	}
	for group, uris := range groups {
		t.Run(group, func(t *testing.T) {
			for _, uri := range uris {
				params, _ := authzParams(e.SPA.ID, uri)
				p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
				if p.Location != nil {
					t.Errorf("%q: redirected to %s", uri, p.Location)
					continue
				}
				wantErrorPage(t, p, "invalid_request")
			}
		})
	}
	t.Run("the registered URI itself is accepted", func(t *testing.T) {
		// Without this the cases above could pass by refusing everything.
		params, _ := authzParams(e.SPA.ID, "https://pr-42.preview.example.com/cb")
		p := authorize(e.session(t), e.Env, http.MethodGet, params)
		wantCodeRedirect(t, e.Env, p, "https://pr-42.preview.example.com/cb", params.Get("state"))
	})
	t.Run("registration", func(t *testing.T) {
		for _, nc := range []admin.NewClient{
			{RedirectURIs: []string{"https://*.example.com/cb"}},
			{RedirectURIs: []string{"https://app.example.com/cb#frag"}},
			{RedirectURIs: []string{"https://user@app.example.com/cb"}},
			{RedirectURIs: []string{"http://app.example.com/cb"}},
			{RedirectURIs: []string{"javascript:alert(1)"}},
			{RedirectURIPatterns: []string{`https://.*\.example\.com/cb`}},
			{RedirectURIPatterns: []string{`https://[a-z]+\.github\.io/cb`}},
			{RedirectURIPatterns: []string{`https://app\.example\.com.*`}},
			{RedirectURIPatterns: []string{`https://[a-z.]+\.example\.com/cb`}},
		} {
			nc.Type, nc.Name = storage.ClientSPA, "Bad registration"
			if c, _, err := e.Admin.CreateClient(t.Context(), nc); err == nil {
				t.Errorf("registered %q %q as client %s; want a refusal", nc.RedirectURIs, nc.RedirectURIPatterns, c.ID)
			}
		}
	})
}

// TestRFC9700_4_11_2_AuthorizationServerOpenRedirector: the server never
// redirects to a URI it has not checked: an unknown client or unregistered
// redirect URI gets a page (§4.11.2), sign-in's return path stays on the
// server, and sign-out goes only to a registered post-logout URI.
func TestRFC9700_4_11_2_AuthorizationServerOpenRedirector(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	t.Run("unknown client with a redirect URI", func(t *testing.T) {
		params, _ := authzParams("attacker-made-up-id", "https://evil.example/cb")
		params.Set("scope", "not-a-scope") // an error that would be redirected for a real client
		wantErrorPage(t, authorize(e.BrowserFor(t), e.Env, http.MethodGet, params), "invalid_client")
	})
	t.Run("silent error to an unregistered URI", func(t *testing.T) {
		params, _ := authzParams(e.SPA.ID, "https://evil.example/cb")
		params.Set("prompt", "none")
		wantErrorPage(t, authorize(e.BrowserFor(t), e.Env, http.MethodGet, params), "invalid_request")
	})
	t.Run("sign-in return path", func(t *testing.T) {
		for _, to := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example/", "/%2f%2fevil.example", "/\t/evil.example"} {
			b := e.BrowserFor(t)
			page := b.Get(e.URL + "/login?" + url.Values{"return_to": {to}}.Encode())
			b.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			p := b.Submit(page, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
			// A browser reads "/\\host" and "//host" as another site.
			if loc := p.Header.Get("Location"); loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.ContainsAny(loc, "\t\r\n")) {
				t.Errorf("return_to %q: signed in and sent to %q", to, loc)
			}
		}
	})
	t.Run("sign-out redirect", func(t *testing.T) {
		q := url.Values{"client_id": {e.SPA.ID}, "post_logout_redirect_uri": {"https://evil.example/signed-out"}}
		p := e.BrowserFor(t).Get(e.URL + "/logout?" + q.Encode())
		if p.Location != nil || p.Status != http.StatusBadRequest {
			t.Errorf("unregistered post_logout_redirect_uri: status %d, location %v; want a 400 page", p.Status, p.Location)
		}
		q.Set("post_logout_redirect_uri", spaPostLogout)
		p = e.BrowserFor(t).Get(e.URL + "/logout?" + q.Encode())
		if p.Location == nil || p.Location.String() != spaPostLogout {
			t.Errorf("registered post_logout_redirect_uri: location %v, want %s", p.Location, spaPostLogout)
		}
	})
}

// TestRFC9700_4_12_No307Redirect: every redirect after a form post is a
// 303, so the browser never re-posts the user's credentials to the client
// (§4.12).
func TestRFC9700_4_12_No307Redirect(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	noFollow := func(b *servertest.Browser) *servertest.Browser {
		b.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return b
	}
	b := e.BrowserFor(t)
	params, _ := authzParams(e.Web.ID, webRedirect)
	login := b.Get(e.URL + "/authorize?" + params.Encode())
	consent := b.Submit(login, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	done := noFollow(b).Submit(consent, "/consent", nil, "decision", "approve")
	direct := e.BrowserFor(t)
	page := direct.Get(e.URL + "/login?return_to=%2Faccount")
	afterLogin := noFollow(direct).Submit(page, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	bad, _ := authzParams(e.Web.ID, webRedirect)
	bad.Set("scope", "openid no-such-scope")
	postErr := authorize(e.BrowserFor(t), e.Env, http.MethodPost, bad)
	for name, p := range map[string]*servertest.Page{"consent approved": done, "direct sign-in": afterLogin, "POST /authorize error": postErr} {
		if p.Status != http.StatusSeeOther {
			t.Errorf("%s: status %d, want 303 See Other", name, p.Status)
		}
	}
	if done.Location == nil || !strings.HasPrefix(done.Location.String(), webRedirect+"?") {
		t.Errorf("consent approved: location %v, want the client's redirect URI", done.Location)
	}
}
