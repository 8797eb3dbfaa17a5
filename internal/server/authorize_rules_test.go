package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Rules of the authorization request itself (RFC 6749 §4.1.1, OIDC Core
// §3.1.2.1): once the client and redirect URI are trusted, every error goes
// back to the client by redirect with error, error_description, the exact
// state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2).

var methods = []string{http.MethodGet, http.MethodPost}

// rule is one rule of the specification, run as a subtest named after the
// rule and the section it comes from.
type rule struct {
	name string
	run  func(*testing.T, *rulesEnv)
}

// runRules runs rules one after another on one server, to spare starting
// one each. Only rules that leave nothing another could notice share a
// server: none moves the clock or needs a consent to be absent.
func runRules(t *testing.T, rules []rule) {
	t.Helper()
	e := newRulesEnv(t, servertest.Options{})
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) { r.run(t, e) })
	}
}

// TestAuthorizationRequestRules checks the rules of the authorization
// request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1): which requests are
// refused, and whether the refusal is shown on a page or redirected.
func TestAuthorizationRequestRules(t *testing.T) {
	t.Parallel()
	runRules(t, []rule{
		{"ResponseTypeCodeOnly_RFC6749_3.1.1", ruleResponseTypeCodeOnly},
		{"PKCERequiredS256Only_RFC7636_4.3_RFC9700_2.1.1", rulePKCERequiredS256Only},
		{"ScopeAllowedOnly_RFC6749_3.3", ruleScopeAllowedOnly},
		{"DuplicateParameters_RFC6749_3.1", ruleAuthorizeDuplicateParameters},
		{"RequestObjectsNotSupported_OIDCCore_6", ruleRequestObjectsNotSupported},
		{"PromptNoneExclusive_OIDCCore_3.1.2.1", rulePromptNoneExclusive},
		{"StateEchoedExactly_RFC6749_4.1.2", ruleStateEchoedExactly},
		{"NonceInIDToken_OIDCCore_3.1.2.1", ruleNonceInIDToken},
		{"PromptConsentAsksAgain_OIDCCore_3.1.2.1", rulePromptConsentAsksAgain},
		{"UntrustedRedirectShowsErrorPage_RFC6749_4.1.2.1", ruleUntrustedRedirectShowsErrorPage},
		{"RegisteredRedirectAccepted_RFC6749_3.1.2_RFC8252_7.3", ruleRegisteredRedirectAccepted},
	})
}

// ruleResponseTypeCodeOnly checks that only response_type=code is served;
// every other value is refused by redirect with unsupported_response_type,
// a missing one with invalid_request.
func ruleResponseTypeCodeOnly(t *testing.T, e *rulesEnv) {
	cases := []struct {
		responseType string // "-" omits the parameter
		want         string
	}{
		{"token", "unsupported_response_type"},
		{"id_token", "unsupported_response_type"},
		{"code id_token", "unsupported_response_type"},
		{"code token", "unsupported_response_type"},
		{"id_token token", "unsupported_response_type"},
		{"none", "unsupported_response_type"},
		{"Code", "unsupported_response_type"},
		{"-", "invalid_request"},
	}
	for _, method := range methods {
		for _, tc := range cases {
			t.Run(method+"/"+tc.responseType, func(t *testing.T) {
				params, _ := authzParams(e.SPA.ID, spaRedirect)
				params.Set("response_type", tc.responseType)
				if tc.responseType == "-" {
					params.Del("response_type")
				}
				p := authorize(e.BrowserFor(t), e.Env, method, params)
				wantRedirectError(t, e.Env, p, spaRedirect, tc.want, params.Get("state"))
			})
		}
	}
}

// rulePKCERequiredS256Only checks that public clients, and confidential
// ones unless registered otherwise, must send an S256 code_challenge (RFC
// 9700 §2.1.1); plain only for a client allowed it (RFC 7636 §4.2);
// malformed challenges (RFC 7636 §4.1, §4.2) and unknown methods are
// refused by redirect.
func rulePKCERequiredS256Only(t *testing.T, e *rulesEnv) {
	valid := newPKCE().Challenge
	refused := []struct {
		name     string
		client   storage.Client
		redirect string
		set      map[string]string // "-" deletes
	}{
		{"spa without challenge", e.SPA, spaRedirect, map[string]string{"code_challenge": "-", "code_challenge_method": "-"}},
		{"native without challenge", e.Native, nativeScheme, map[string]string{"code_challenge": "-", "code_challenge_method": "-"}},
		{"web without challenge", e.Web, webRedirect, map[string]string{"code_challenge": "-", "code_challenge_method": "-"}},
		{"method plain", e.SPA, spaRedirect, map[string]string{"code_challenge_method": "plain"}},
		{"method omitted means plain", e.SPA, spaRedirect, map[string]string{"code_challenge_method": "-"}},
		{"web method plain", e.Web, webRedirect, map[string]string{"code_challenge_method": "plain"}},
		{"optional-PKCE web method plain", e.WebNoPKCE, "https://legacy-web.example.com/callback", map[string]string{"code_challenge_method": "plain"}},
		{"method lower-case s256", e.SPA, spaRedirect, map[string]string{"code_challenge_method": "s256"}},
		{"method S512", e.SPA, spaRedirect, map[string]string{"code_challenge_method": "S512"}},
		{"plain client method S384", e.SPAPlain, "https://legacy.example.com/callback", map[string]string{"code_challenge_method": "S384"}},
		{"method without challenge", e.SPA, spaRedirect, map[string]string{"code_challenge": "-"}},
		{"challenge 42 chars", e.SPA, spaRedirect, map[string]string{"code_challenge": valid[:42]}},
		{"challenge 129 chars", e.SPA, spaRedirect, map[string]string{"code_challenge": strings.Repeat("a", 129)}},
		{"challenge with +", e.SPA, spaRedirect, map[string]string{"code_challenge": "+" + valid[1:]}},
		{"challenge with /", e.SPA, spaRedirect, map[string]string{"code_challenge": valid[:42] + "/"}},
		{"challenge with = padding", e.SPA, spaRedirect, map[string]string{"code_challenge": valid + "="}},
		{"challenge with space", e.SPA, spaRedirect, map[string]string{"code_challenge": valid[:20] + " " + valid[21:]}},
		{"challenge non-ASCII", e.SPA, spaRedirect, map[string]string{"code_challenge": valid[:41] + "é"}},
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			params, _ := authzParams(tc.client.ID, tc.redirect)
			for k, v := range tc.set {
				if v == "-" {
					params.Del(k)
				} else {
					params.Set(k, v)
				}
			}
			p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, tc.redirect, "invalid_request", params.Get("state"))
		})
	}

	// The allowed cases issue a code that redeems with the matching verifier.
	b := e.session(t)
	t.Run("allowed/plain for AllowPlainPKCE client", func(t *testing.T) {
		b := b.For(t)
		redirect := "https://legacy.example.com/callback"
		params, _ := authzParams(e.SPAPlain.ID, redirect)
		verifier := randomString() + "~._-"
		params.Set("code_challenge", verifier)
		params.Set("code_challenge_method", "plain")
		q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), redirect, params.Get("state"))
		wantTokens(t, exchange(t, e, e.SPAPlain, "", q.Get("code"), redirect, verifier))
	})
	t.Run("allowed/no PKCE for PKCEOptional web client", func(t *testing.T) {
		b := b.For(t)
		redirect := "https://legacy-web.example.com/callback"
		params, _ := authzParams(e.WebNoPKCE.ID, redirect)
		params.Del("code_challenge")
		params.Del("code_challenge_method")
		q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), redirect, params.Get("state"))
		wantTokens(t, exchange(t, e, e.WebNoPKCE, e.NoPKCESec, q.Get("code"), redirect, ""))
	})
	t.Run("allowed/S256 for web client", func(t *testing.T) {
		b := b.For(t)
		params, pk := authzParams(e.Web.ID, webRedirect)
		q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), webRedirect, params.Get("state"))
		wantTokens(t, exchange(t, e, e.Web, e.WebSecret, q.Get("code"), webRedirect, pk.Verifier))
	})
}

// ruleScopeAllowedOnly checks that only the OpenID scopes and the client's
// registered ones may be requested; anything else, or no scope at all, is
// invalid_scope by redirect (RFC 6749 §4.1.2.1).
func ruleScopeAllowedOnly(t *testing.T, e *rulesEnv) {
	for _, tc := range []struct {
		name     string
		client   storage.Client
		redirect string
		scope    string // "-" omits the parameter
	}{
		{"unknown scope", e.SPA, spaRedirect, "openid calendar"},
		{"scope of another client", e.SPA, spaRedirect, "openid api:write"},
		{"registered scope of nobody", e.Native, nativeScheme, "openid api:read"},
		{"case differs", e.SPA, spaRedirect, "OpenID"},
		{"quote in scope", e.SPA, spaRedirect, `openid "x"`},
		{"empty", e.SPA, spaRedirect, ""},
		{"spaces only", e.SPA, spaRedirect, "   "},
		{"missing", e.SPA, spaRedirect, "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params, _ := authzParams(tc.client.ID, tc.redirect)
			params.Set("scope", tc.scope)
			if tc.scope == "-" {
				params.Del("scope")
			}
			p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, tc.redirect, "invalid_scope", params.Get("state"))
		})
	}
	// The OpenID scopes for everyone, registered ones for their client.
	for _, tc := range []struct {
		client   storage.Client
		secret   string
		redirect string
		scope    string
	}{
		{e.SPA, "", spaRedirect, "openid profile email offline_access"},
		{e.SPA, "", spaRedirect, "openid api:read"},
		{e.Web, e.WebSecret, webRedirect, "api:read api:write"},
		{e.Native, "", nativeScheme, "email"},
	} {
		t.Run("allowed "+tc.scope, func(t *testing.T) {
			params, pk := authzParams(tc.client.ID, tc.redirect)
			params.Set("scope", tc.scope)
			q := wantCodeRedirect(t, e.Env, e.session(t).Authorize(params, ruleEmail, rulePassword), tc.redirect, params.Get("state"))
			r := exchange(t, e, tc.client, tc.secret, q.Get("code"), tc.redirect, pk.Verifier)
			wantTokens(t, r)
			if r.str("scope") != tc.scope {
				t.Errorf("granted scope %q, want %q", r.str("scope"), tc.scope)
			}
		})
	}
}

// ruleAuthorizeDuplicateParameters checks that a parameter sent twice is
// invalid_request by redirect (RFC 6749 §3.1: "Request and response
// parameters MUST NOT be included more than once").
func ruleAuthorizeDuplicateParameters(t *testing.T, e *rulesEnv) {
	for _, name := range []string{"scope", "state", "response_type", "code_challenge", "code_challenge_method", "nonce", "prompt", "max_age"} {
		for _, method := range methods {
			t.Run(method+"/"+name, func(t *testing.T) {
				params, pk := authzParams(e.SPA.ID, spaRedirect)
				state := params.Get("state")
				extra := map[string]string{"scope": "openid", "state": "second", "response_type": "code",
					"code_challenge": pk.Challenge, "code_challenge_method": "S256", "nonce": "second",
					"prompt": "login", "max_age": "60"}
				if !params.Has(name) {
					params.Set(name, extra[name])
				}
				params.Add(name, extra[name])
				p := authorize(e.BrowserFor(t), e.Env, method, params)
				if name == "state" {
					state = anyState
				}
				wantRedirectError(t, e.Env, p, spaRedirect, "invalid_request", state)
			})
		}
	}
}

// ruleRequestObjectsNotSupported checks that request and request_uri (OIDC
// Core §6) are refused by redirect with the codes of OIDC Core §3.1.2.6.
func ruleRequestObjectsNotSupported(t *testing.T, e *rulesEnv) {
	for _, tc := range []struct{ param, value, want string }{
		{"request", "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.", "request_not_supported"},
		{"request_uri", "https://spa.example.com/request.jwt", "request_uri_not_supported"},
		{"request_uri", "urn:ietf:params:oauth:request_uri:abc", "request_uri_not_supported"},
	} {
		for _, method := range methods {
			t.Run(method+"/"+tc.param+"="+tc.value, func(t *testing.T) {
				params, _ := authzParams(e.SPA.ID, spaRedirect)
				params.Set(tc.param, tc.value)
				p := authorize(e.BrowserFor(t), e.Env, method, params)
				wantRedirectError(t, e.Env, p, spaRedirect, tc.want, params.Get("state"))
			})
		}
	}
}

// ruleStateEchoedExactly checks that state comes back byte for byte, on
// error and on success (RFC 6749 §4.1.2, §4.1.2.1), together with iss (RFC
// 9207 §2), and that no state is invented.
func ruleStateEchoedExactly(t *testing.T, e *rulesEnv) {
	states := []string{
		"with spaces  and\ttab",
		"ünïcødé ✓ 日本語 🙂",
		"a&b=c&code=forged",
		"100% %41 %zz %",
		"plus+sign?and#hash/slash",
		`quote"apostrophe'<tag>`,
		"iss=https://evil.example.com",
		"raw bytes \xff\xfe\x00\x7f end",
		strings.Repeat("long-", 100),
		"", // no state: none comes back
	}
	t.Run("error redirect", func(t *testing.T) {
		for _, state := range states {
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			params.Set("state", state)
			params.Set("response_type", "token")
			if state == "" {
				params.Del("state")
			}
			p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, spaRedirect, "unsupported_response_type", state)
		}
	})
	t.Run("code redirect", func(t *testing.T) {
		b := e.session(t)
		for _, state := range states {
			for _, method := range methods {
				params, _ := authzParams(e.SPA.ID, spaRedirect)
				params.Set("state", state)
				if state == "" {
					params.Del("state")
				}
				p := authorize(b, e.Env, method, params)
				wantCodeRedirect(t, e.Env, p, spaRedirect, state)
			}
		}
	})
	// The login and consent pages carry the request in hidden fields; the
	// state must survive the round trip through HTML and back.
	t.Run("through the login and consent pages", func(t *testing.T) {
		state := strings.Join(states, "|")
		b := e.BrowserFor(t)
		params, _ := authzParams(e.Native.ID, nativeScheme)
		params.Set("state", state)
		p := authorize(b, e.Env, http.MethodPost, params)
		wantLoginPage(t, p)
		p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
		wantConsentPage(t, p)
		denied := b.Submit(p, "/consent", nil, "decision", "deny")
		wantRedirectError(t, e.Env, denied, nativeScheme, "access_denied", state)
		p = b.Submit(p, "/consent", nil, "decision", "approve")
		wantCodeRedirect(t, e.Env, p, nativeScheme, state)
	})
}

// rulePromptNoneExclusive checks that prompt=none combined with another
// value, or an unknown prompt value, is invalid_request by redirect.
func rulePromptNoneExclusive(t *testing.T, e *rulesEnv) {
	for _, prompt := range []string{"none login", "login none", "none consent", "none select_account login", "bogus"} {
		t.Run(prompt, func(t *testing.T) {
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			params.Set("prompt", prompt)
			p := authorize(e.BrowserFor(t), e.Env, http.MethodGet, params)
			wantRedirectError(t, e.Env, p, spaRedirect, "invalid_request", params.Get("state"))
		})
	}
}

// anyState tells wantRedirect not to check state (the request had two).
const anyState = "\x00any"
