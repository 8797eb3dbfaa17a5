package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// ruleUntrustedRedirectShowsErrorPage checks that when the client is
// unknown or the redirect URI does not match a registration exactly (RFC
// 6749 §3.1.2.3, RFC 9700 §4.1.3; loopback ports aside, RFC 8252 §7.3) the
// error is shown on a 400 page and never redirected — not even to a URI
// that merely looks like a registered one.
func ruleUntrustedRedirectShowsErrorPage(t *testing.T, e *rulesEnv) {
	type tc struct {
		name     string
		client   string // client_id; "" omits it
		redirect string // "" omits redirect_uri
		want     string
	}
	cases := []tc{
		{"unknown client", "no-such-client", spaRedirect, "invalid_client"},
		{"missing client_id", "", spaRedirect, "invalid_request"},
		{"service client", e.Service.ID, spaRedirect, "unauthorized_client"},
		{"no redirect_uri and no default", e.SPA.ID, "", "invalid_request"},
	}
	mismatch := map[string][]string{
		e.SPA.ID: {
			"https://spa.example.com/other",        // different path
			"https://spa.example.com/callback?x=1", // extra query
			"https://spa.example.com/callback?",    // empty query
			"https://spa.example.com/callback#frag",
			"https://spa.example.com:8443/callback", // different port
			"https://spa.example.com:443/callback",  // default port spelled out
			"https://user@spa.example.com/callback", // userinfo
			"https://spa.example.com@evil.example.com/callback",
			"https://SPA.example.com/callback", // host case
			"https://spa.example.com/Callback", // path case
			"https://spa.example.com/callback/",
			"https://spa.example.com/callback/.",
			"https://spa.example.com/callback%2F",
			"http://spa.example.com/callback",
			"https://spa.example.com./callback",
			"//spa.example.com/callback",
			"spa.example.com/callback",
			"https://evil.example.com/callback",
			// pattern https://pr-[0-9]+\.preview\.example\.com/cb
			"https://pr-1.preview.example.com.evil.com/cb",
			"https://evil.com/?x=https://pr-1.preview.example.com/cb",
			"https://evil.com/#https://pr-1.preview.example.com/cb",
			"https://pr-1.preview.example.com@evil.com/cb",
			"https://evil.com\\@pr-1.preview.example.com/cb",
			"https://pr-1.preview.example.com/cb?x=1",
			"https://pr-1.preview.example.com/cb#x",
			"https://pr-1.preview.example.com/cb/",
			"https://pr-1.preview.example.com/cb/../../evil",
			"https://pr-1.preview.example.com/x/../cb",
			"https://pr-1.preview.example.com:8443/cb",
			"https://pr-1.preview.example.com:443/cb",
			"https://PR-1.preview.example.com/cb",
			"https://pr-x.preview.example.com/cb",
			"https://pr-.preview.example.com/cb",
			"https://a.pr-1.preview.example.com/cb",
			"https://pr-1%2Epreview.example.com/cb",
			"https://pr-1.preview%2eexample.com/cb",
			"http://pr-1.preview.example.com/cb",
			"https://pr-1\n.preview.example.com/cb",
		},
		e.Native.ID: {
			"http://127.0.0.1.evil.com/callback",
			"http://127.0.0.1:8080@evil.com/callback",
			"http://127.0.0.1:8080.evil.com/callback",
			"http://localhost:5555/callback", // only IP literals are port-agnostic here
			"https://127.0.0.1:5555/callback",
			"http://127.0.0.1:5555/callback/",
			"http://127.0.0.1:5555/other",
			"http://127.0.0.1:5555/callback?x=1",
			"http://127.0.0.2:5555/callback",
			"http://127.0.0.1:0/callback",
			"http://127.0.0.1:99999/callback",
			"http://127.0.0.1:/callback",
			"http://[::1]:5555/callback/",
			"http://[::2]:5555/callback",
			"http://[0:0:0:0:0:0:0:1]:5555/callback",
			"com.example.app:/oauth/",
			"com.example.app://oauth",
			"com.example.evil:/oauth",
		},
		e.Web.ID: {
			"https://web.example.com/oauth/callback/",
			"https://web.example.com/oauth/default?x",
			spaRedirect, // another client's URI
		},
	}
	for client, uris := range mismatch {
		for _, u := range uris {
			cases = append(cases, tc{"mismatch " + u, client, u, "invalid_request"})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params, _ := authzParams(c.client, c.redirect)
			if c.client == "" {
				params.Del("client_id")
			}
			p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
			wantErrorPage(t, p, c.want)
		})
	}
	t.Run("POST unknown client", func(t *testing.T) {
		params, _ := authzParams("no-such-client", spaRedirect)
		wantErrorPage(t, authorize(e.BrowserFor(t), e.Env, http.MethodPost, params), "invalid_client")
	})
	t.Run("POST mismatch", func(t *testing.T) {
		params, _ := authzParams(e.SPA.ID, "https://pr-1.preview.example.com.evil.com/cb")
		wantErrorPage(t, authorize(e.BrowserFor(t), e.Env, http.MethodPost, params), "invalid_request")
	})
	t.Run("mismatch with other errors too", func(t *testing.T) {
		params, _ := authzParams(e.SPA.ID, "https://evil.example.com/callback")
		params.Set("response_type", "token")
		params.Set("prompt", "none")
		wantErrorPage(t, authorize(e.BrowserFor(t), e.Env, http.MethodGet, params), "invalid_request")
	})
	// RFC 6749 §3.1: parameters must not repeat; the two that decide where
	// the answer goes cannot be trusted when they do.
	rawCases := map[string]string{
		"client_id twice (different)": "client_id=" + e.SPA.ID + "&client_id=" + e.Native.ID,
		"client_id twice (same)":      "client_id=" + e.SPA.ID + "&client_id=" + e.SPA.ID,
		"redirect_uri twice (different)": "client_id=" + e.SPA.ID + "&redirect_uri=" + url.QueryEscape(spaRedirect) +
			"&redirect_uri=" + url.QueryEscape("https://pr-1.preview.example.com/cb"),
		"redirect_uri twice (same)": "client_id=" + e.SPA.ID + "&redirect_uri=" + url.QueryEscape(spaRedirect) +
			"&redirect_uri=" + url.QueryEscape(spaRedirect),
	}
	for name, raw := range rawCases {
		t.Run(name, func(t *testing.T) {
			params, _ := authzParams("x", "")
			params.Del("client_id")
			p := rawAuthorize(e.BrowserFor(t), e.Env, raw+"&"+params.Encode())
			wantErrorPage(t, p, "invalid_request")
		})
	}
}

// ruleRegisteredRedirectAccepted checks the URIs that do match: exact ones,
// a registered pattern's full match, loopback IP literals on any port (RFC
// 8252 §7.3), a private-use scheme (RFC 8252 §7.1), and the default when
// redirect_uri is omitted (RFC 6749 §3.1.2.3). Each code is delivered to
// exactly that URI and redeems with it.
func ruleRegisteredRedirectAccepted(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	for _, tc := range []struct {
		client storage.Client
		secret string
		uri    string
	}{
		{e.SPA, "", spaRedirect},
		{e.SPA, "", "https://pr-1.preview.example.com/cb"},
		{e.SPA, "", "https://pr-20240611.preview.example.com/cb"},
		{e.Native, "", nativeLoopback4},
		{e.Native, "", "http://127.0.0.1:49152/callback"},
		{e.Native, "", "http://127.0.0.1:1/callback"},
		{e.Native, "", nativeLoopback6},
		{e.Native, "", "http://[::1]:61000/callback"},
		{e.Native, "", nativeScheme},
		{e.Web, e.WebSecret, webRedirect},
		{e.Web, e.WebSecret, webDefault},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			b := b.For(t)
			params, pk := authzParams(tc.client.ID, tc.uri)
			p := b.Authorize(params, ruleEmail, rulePassword)
			q := wantCodeRedirect(t, e.Env, p, tc.uri, params.Get("state"))
			wantTokens(t, exchange(t, e, tc.client, tc.secret, q.Get("code"), tc.uri, pk.Verifier))
		})
	}
	t.Run("omitted uses the default", func(t *testing.T) {
		b := b.For(t)
		params, pk := authzParams(e.Web.ID, "")
		p := b.Authorize(params, ruleEmail, rulePassword)
		q := wantCodeRedirect(t, e.Env, p, webDefault, params.Get("state"))
		// RFC 6749 §4.1.3: redirect_uri is required at the token endpoint
		// only if it was in the authorization request.
		wantTokens(t, exchange(t, e, e.Web, e.WebSecret, q.Get("code"), "", pk.Verifier))
	})
	t.Run("omitted error goes to the default", func(t *testing.T) {
		params, _ := authzParams(e.Web.ID, "")
		params.Set("response_type", "token")
		p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
		wantRedirectError(t, e.Env, p, webDefault, "unsupported_response_type", params.Get("state"))
	})
	t.Run("loopback error keeps the port", func(t *testing.T) {
		uri := "http://127.0.0.1:50123/callback"
		params, _ := authzParams(e.Native.ID, uri)
		params.Set("scope", "openid nope")
		p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
		wantRedirectError(t, e.Env, p, uri, "invalid_scope", params.Get("state"))
	})
}
