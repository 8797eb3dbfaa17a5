package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestRFC9700_2_1_1_PKCERequired: every client, confidential ones too,
// must send a code_challenge, and only S256 is offered (§2.1.1); a request
// without one is answered with invalid_request at the redirect URI.
func TestRFC9700_2_1_1_PKCERequired(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	for _, tc := range []struct{ name, client, redirect string }{
		{"public SPA", e.SPA.ID, spaRedirect},
		{"native app", e.Native.ID, nativeLoopback4},
		{"confidential web client", e.Web.ID, webRedirect},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params, _ := authzParams(tc.client, tc.redirect)
			params.Del("code_challenge")
			params.Del("code_challenge_method")
			p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, tc.redirect, "invalid_request", params.Get("state"))
		})
	}
	t.Run("discovery offers S256 only", func(t *testing.T) {
		meta := discovery(t, e.Env)
		if got := meta["code_challenge_methods_supported"]; !sameJSON(got, []any{"S256"}) {
			t.Errorf("code_challenge_methods_supported = %v, want [S256]", got)
		}
	})
}

// TestRFC9700_4_8_PKCEDowngrade: an attacker who strips the challenge
// from the authorization request, or weakens its method, must not get a
// code that redeems (§4.8.2): the server refuses plain and an absent
// method for clients that did not register plain, and refuses a verifier
// for a code issued without a challenge.
func TestRFC9700_4_8_PKCEDowngrade(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	t.Run("plain refused", func(t *testing.T) {
		params, pk := authzParams(e.SPA.ID, spaRedirect)
		params.Set("code_challenge", pk.Verifier)
		params.Set("code_challenge_method", "plain")
		wantRedirectError(t, e.Env, authorize(e.BrowserFor(t), e.Env, http.MethodGet, params), spaRedirect, "invalid_request", params.Get("state"))
	})
	t.Run("method omitted means plain, refused", func(t *testing.T) {
		params, pk := authzParams(e.SPA.ID, spaRedirect)
		params.Set("code_challenge", pk.Verifier)
		params.Del("code_challenge_method")
		wantRedirectError(t, e.Env, authorize(e.BrowserFor(t), e.Env, http.MethodGet, params), spaRedirect, "invalid_request", params.Get("state"))
	})
	t.Run("verifier for a code issued without a challenge", func(t *testing.T) {
		const legacy = "https://legacy-web.example.com/callback"
		params, _ := authzParams(e.WebNoPKCE.ID, legacy)
		params.Del("code_challenge")
		params.Del("code_challenge_method")
		q := wantCodeRedirect(t, e.Env, e.session(t).Authorize(params, ruleEmail, rulePassword), legacy, params.Get("state"))
		r := exchange(t, e, e.WebNoPKCE, e.NoPKCESec, q.Get("code"), legacy, newPKCE().Verifier)
		wantTokenError(t, r, http.StatusBadRequest, "invalid_grant")
	})
}

// TestRFC9700_4_5_CodeInjectionAcrossClients: a stolen code injected into
// another client, or into the right client's session with the attacker's
// own PKCE verifier, does not redeem (§4.5.3); and the ID token binds the
// response to the request through nonce (§4.5.3.2).
func TestRFC9700_4_5_CodeInjectionAcrossClients(t *testing.T) {
	onBothBackends(t, func(t *testing.T, e *rulesEnv) {
		b := e.session(t)
		t.Run("confidential client's code at a public client", func(t *testing.T) {
			params, pk := authzParams(e.Web.ID, webRedirect)
			q := wantCodeRedirect(t, e.Env, b.For(t).Authorize(params, ruleEmail, rulePassword), webRedirect, params.Get("state"))
			wantTokenError(t, exchange(t, e, e.SPA, "", q.Get("code"), webRedirect, pk.Verifier), http.StatusBadRequest, "invalid_grant")
		})
		t.Run("the attacker's own verifier", func(t *testing.T) {
			code, _ := newCode(t, e, b.For(t), e.SPA, spaRedirect)
			wantTokenError(t, exchange(t, e, e.SPA, "", code, spaRedirect, newPKCE().Verifier), http.StatusBadRequest, "invalid_grant")
		})
		t.Run("nonce binds the ID token", func(t *testing.T) {
			params, pk := authzParams(e.SPA.ID, spaRedirect)
			q := wantCodeRedirect(t, e.Env, b.For(t).Authorize(params, ruleEmail, rulePassword), spaRedirect, params.Get("state"))
			r := exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier)
			wantTokens(t, r)
			if _, claims := jwtParts(t, r.str("id_token")); claims["nonce"] != params.Get("nonce") || claims["aud"] != e.SPA.ID {
				t.Errorf("ID token nonce %v aud %v; want %q and %q", claims["nonce"], claims["aud"], params.Get("nonce"), e.SPA.ID)
			}
		})
	})
}

// TestRFC9700_4_4_MixUpIssParameter: every authorization response, success
// or error, names the issuer once in iss (RFC 9207, §4.4.2), and that is
// the issuer discovery announces, with support for the parameter declared.
func TestRFC9700_4_4_MixUpIssParameter(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	meta := discovery(t, e.Env)
	if meta["issuer"] != e.URL || meta["authorization_response_iss_parameter_supported"] != true {
		t.Errorf("discovery issuer %v, iss support %v; want %s and true", meta["issuer"], meta["authorization_response_iss_parameter_supported"], e.URL)
	}
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	success := e.session(t).Authorize(params, ruleEmail, rulePassword)
	bad, _ := authzParams(e.SPA.ID, spaRedirect)
	bad.Set("prompt", "none")
	failure := authorize(e.BrowserFor(t), e.Env, http.MethodGet, bad) // login_required
	deny, _ := authzParams(e.Web.ID, webRedirect)
	denied := e.session(t).Submit(e.session(t).Get(e.URL+"/authorize?"+deny.Encode()), "/consent", nil, "decision", "deny")
	for name, p := range map[string]*servertest.Page{"code": success, "login_required": failure, "access_denied": denied} {
		if p.Location == nil {
			t.Errorf("%s: no redirect (status %d)", name, p.Status)
			continue
		}
		if iss := p.Location.Query()["iss"]; len(iss) != 1 || iss[0] != meta["issuer"] {
			t.Errorf("%s: iss = %q, want exactly [%v]", name, iss, meta["issuer"])
		}
	}
}

// TestRFC9700_4_7_CSRF: the authorization response carries the client's
// state unchanged (§4.7.1), and the server's own login and consent forms
// refuse posts a browser says came from another site, even with a valid
// token.
func TestRFC9700_4_7_CSRF(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	t.Run("state echoed exactly", func(t *testing.T) {
		for _, state := range []string{"a b+c&d=e/é?#", "%41", "x"} {
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			params.Set("state", state)
			q := wantCodeRedirect(t, e.Env, e.session(t).Authorize(params, ruleEmail, rulePassword), spaRedirect, state)
			if got := q["state"]; len(got) != 1 || got[0] != state {
				t.Errorf("state %q came back as %q", state, got)
			}
		}
	})
	for _, hdr := range []struct{ name, key, value string }{
		{"cross-site Origin", "Origin", "https://evil.example"},
		{"cross-site fetch", "Sec-Fetch-Site", "cross-site"},
	} {
		t.Run("login form, "+hdr.name, func(t *testing.T) {
			b := e.BrowserFor(t)
			page := b.Get(e.URL + "/login")
			form := page.Form(t, "/login")
			form.Set("email", ruleEmail)
			form.Set("password", rulePassword)
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(hdr.key, hdr.value)
			resp, err := b.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			if p := b.Get(e.URL + "/account"); p.URL.Path == "/account" {
				t.Errorf("the cross-site login signed the browser in")
			}
		})
		t.Run("consent form, "+hdr.name, func(t *testing.T) {
			b := e.session(t)
			params, _ := authzParams(e.Native.ID, nativeLoopback4)
			page := b.Get(e.URL + "/authorize?" + params.Encode())
			form := page.Form(t, "/consent")
			form.Set("decision", "approve")
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/consent", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(hdr.key, hdr.value)
			resp, err := b.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			if c, err := e.Store.GetConsent(t.Context(), e.User.ID, e.Native.ID); err == nil {
				t.Errorf("the cross-site post recorded consent for %q", c.Scopes)
			}
		})
	}
}

// TestRFC9700_4_14_2_RefreshTokenReplay: refresh tokens of public clients
// rotate, and presenting a superseded one, even two rotations later,
// revokes the whole family, the newest refresh and access tokens included
// (§4.14.2; rotation is what §2.2.2 asks of public clients).
func TestRFC9700_4_14_2_RefreshTokenReplay(t *testing.T) {
	onBothBackends(t, func(t *testing.T, e *rulesEnv) {
		rs, rsSecret := resourceServer(t, e.Env)
		first := grantWithRefresh(t, e, e.session(t), e.SPA, "", spaRedirect, "openid offline_access")
		second := refresh(t, e.Env, e.SPA, "", first.str("refresh_token"), "")
		wantRefreshed(t, second, first)
		third := refresh(t, e.Env, e.SPA, "", second.str("refresh_token"), "")
		wantRefreshed(t, third, second)

		wantTokenError(t, refresh(t, e.Env, e.SPA, "", first.str("refresh_token"), ""), http.StatusBadRequest, "invalid_grant")
		wantTokenError(t, refresh(t, e.Env, e.SPA, "", third.str("refresh_token"), ""), http.StatusBadRequest, "invalid_grant")
		wantActive(t, e.Env, rs, rsSecret, third.str("access_token"), "newest access token after the replay", false)
	})
}

// TestRFC9700_2_1_2_ImplicitGrantRefused: no response type that puts a
// token in the front channel is offered or accepted (§2.1.2).
func TestRFC9700_2_1_2_ImplicitGrantRefused(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	for _, rt := range []string{"token", "id_token", "id_token token", "code token", "code id_token"} {
		t.Run(rt, func(t *testing.T) {
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			params.Set("response_type", rt)
			p := authorize(e.session(t), e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, spaRedirect, "unsupported_response_type", params.Get("state"))
			if p.Location != nil && (p.Location.Fragment != "" || p.Location.Query().Has("access_token") || p.Location.Query().Has("id_token")) {
				t.Errorf("a token left in the front channel: %s", p.Location)
			}
		})
	}
	if got := discovery(t, e.Env)["response_types_supported"]; !sameJSON(got, []any{"code"}) {
		t.Errorf("response_types_supported = %v, want [code]", got)
	}
}

// TestRFC9700_2_4_PasswordGrantRefused: the resource owner password
// credentials grant is not offered (§2.4), even with the right password
// and a confidential client.
func TestRFC9700_2_4_PasswordGrantRefused(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	form := url.Values{"grant_type": {"password"}, "username": {ruleEmail}, "password": {rulePassword}, "scope": {"openid"}}
	wantTokenError(t, postToken(t, e.Env, form.Encode(), "", basicAuth(e.Web.ID, e.WebSecret)), http.StatusBadRequest, "unsupported_grant_type")
	if grants, _ := discovery(t, e.Env)["grant_types_supported"].([]any); slices.Contains(grants, any("password")) || len(grants) == 0 {
		t.Errorf("grant_types_supported = %v", grants)
	}
}

// discovery fetches the OpenID Provider metadata.
func discovery(t *testing.T, env *servertest.Env) map[string]any {
	t.Helper()
	resp, err := env.Server.Client().Get(env.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	return meta
}
