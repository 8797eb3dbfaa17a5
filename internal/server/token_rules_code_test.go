package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Rules of the authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6):
// which code, from whom, with what; every failure is invalid_grant.

// TestToken_CodeLifetime60s_RFC6749_4_1_2 checks that a code redeems 59 s
// after it was issued but not 61 s after (RFC 6749 §4.1.2: short-lived,
// 10 minutes at most; ours live 60 s).
func TestToken_CodeLifetime60s_RFC6749_4_1_2(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	b, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	e.Clock.Advance(59 * time.Second)
	wantTokens(t, exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier))

	code, pk = newCode(t, e, b, e.SPA, spaRedirect)
	e.Clock.Advance(61 * time.Second)
	wantTokenError(t, exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier), 400, "invalid_grant")
}

// ruleCodeBinding checks that a code redeems only for the client it was
// issued to, only with the identical redirect_uri when the authorization
// request had one, and only with the PKCE verifier of its challenge (RFC
// 7636 §4.6); a verifier without a challenge is refused too (RFC 9700
// §2.1.1, PKCE downgrade). Each refusal is invalid_grant.
func ruleCodeBinding(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	legacy := "https://legacy-web.example.com/callback"
	type redeem struct {
		client   storage.Client
		secret   string
		redirect string
		verifier string
	}
	for _, tc := range []struct {
		name     string
		client   storage.Client
		redirect string // "" omits it in the authorization request
		noPKCE   bool
		redeem   func(verifier string) redeem
		ok       bool
	}{
		{"other public client", e.SPA, spaRedirect, false, func(v string) redeem { return redeem{e.Native, "", spaRedirect, v} }, false},
		{"other confidential client", e.SPA, spaRedirect, false, func(v string) redeem { return redeem{e.Web, e.WebSecret, spaRedirect, v} }, false},
		{"public code to confidential client", e.Web, webRedirect, false, func(v string) redeem { return redeem{e.WebNoPKCE, e.NoPKCESec, webRedirect, v} }, false},
		{"redirect_uri missing", e.SPA, spaRedirect, false, func(v string) redeem { return redeem{e.SPA, "", "", v} }, false},
		{"redirect_uri with trailing slash", e.SPA, spaRedirect, false, func(v string) redeem { return redeem{e.SPA, "", spaRedirect + "/", v} }, false},
		{"redirect_uri of another pattern match", e.SPA, "https://pr-1.preview.example.com/cb", false,
			func(v string) redeem { return redeem{e.SPA, "", "https://pr-2.preview.example.com/cb", v} }, false},
		{"redirect_uri on another loopback port", e.Native, "http://127.0.0.1:5000/callback", false,
			func(v string) redeem { return redeem{e.Native, "", "http://127.0.0.1:5001/callback", v} }, false},
		{"redirect_uri registered but not the one sent", e.Web, webRedirect, false, func(v string) redeem { return redeem{e.Web, e.WebSecret, webDefault, v} }, false},
		{"redirect_uri identical", e.Native, "http://127.0.0.1:5000/callback", false,
			func(v string) redeem { return redeem{e.Native, "", "http://127.0.0.1:5000/callback", v} }, true},
		{"redirect_uri omitted in both", e.Web, "", false, func(v string) redeem { return redeem{e.Web, e.WebSecret, "", v} }, true},
		{"verifier missing", e.SPA, spaRedirect, false, func(string) redeem { return redeem{e.SPA, "", spaRedirect, ""} }, false},
		{"verifier wrong", e.SPA, spaRedirect, false, func(string) redeem { return redeem{e.SPA, "", spaRedirect, newPKCE().Verifier} }, false},
		{"verifier too short", e.SPA, spaRedirect, false, func(v string) redeem { return redeem{e.SPA, "", spaRedirect, v[:42]} }, false},
		{"challenge sent as verifier", e.SPA, spaRedirect, false, func(v string) redeem {
			sum := sha256.Sum256([]byte(v))
			return redeem{e.SPA, "", spaRedirect, base64.RawURLEncoding.EncodeToString(sum[:])}
		}, false},
		{"verifier without challenge", e.WebNoPKCE, legacy, true, func(string) redeem { return redeem{e.WebNoPKCE, e.NoPKCESec, legacy, newPKCE().Verifier} }, false},
		{"no challenge, no verifier", e.WebNoPKCE, legacy, true, func(string) redeem { return redeem{e.WebNoPKCE, e.NoPKCESec, legacy, ""} }, true},
		{"verifier right", e.SPA, spaRedirect, false, func(v string) redeem { return redeem{e.SPA, "", spaRedirect, v} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := b.For(t)
			params, pk := authzParams(tc.client.ID, tc.redirect)
			if tc.noPKCE {
				params.Del("code_challenge")
				params.Del("code_challenge_method")
			}
			to := tc.redirect
			if to == "" {
				to = webDefault
			}
			q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), to, params.Get("state"))
			r := tc.redeem(pk.Verifier)
			got := exchange(t, e, r.client, r.secret, q.Get("code"), r.redirect, r.verifier)
			if tc.ok {
				wantTokens(t, got)
			} else {
				wantTokenError(t, got, 400, "invalid_grant")
			}
		})
	}
	t.Run("unknown code", func(t *testing.T) {
		wantTokenError(t, exchange(t, e, e.SPA, "", "not-a-code", spaRedirect, newPKCE().Verifier), 400, "invalid_grant")
	})
	t.Run("missing code", func(t *testing.T) {
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.SPA.ID}, "redirect_uri": {spaRedirect}, "code_verifier": {newPKCE().Verifier}}
		wantTokenError(t, postToken(t, e.Env, form.Encode(), "", nil), 400, "invalid_request")
	})
}

// ruleSuccessResponse checks a successful response and the tokens in it:
// token_type Bearer, expires_in, scope, an ID token only with openid; the
// access token a JWT of typ at+jwt with iss sub aud client_id scope jti iat
// exp (RFC 9068 §2.2); the ID token with iss sub aud exp iat auth_time
// nonce at_hash azp (OIDC Core §2, §3.1.3.6).
func ruleSuccessResponse(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	for _, c := range []struct {
		client storage.Client
		secret string
		uri    string
	}{{e.SPA, "", spaRedirect}, {e.Web, e.WebSecret, webRedirect}} {
		t.Run(string(c.client.Type), func(t *testing.T) {
			b := b.For(t)
			params, pk := authzParams(c.client.ID, c.uri)
			q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), c.uri, params.Get("state"))
			r := exchange(t, e, c.client, c.secret, q.Get("code"), c.uri, pk.Verifier)
			checkTokenResponse(t, e, r, c.client.ID, "openid profile email", params.Get("nonce"))
		})
	}
	t.Run("no openid, no ID token", func(t *testing.T) {
		b := b.For(t)
		params, pk := authzParams(e.SPA.ID, spaRedirect)
		params.Set("scope", "profile")
		q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), spaRedirect, params.Get("state"))
		r := exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier)
		wantTokens(t, r)
		if _, ok := r.JSON["id_token"]; ok {
			t.Errorf("id_token issued without the openid scope")
		}
		if r.str("scope") != "profile" {
			t.Errorf("scope = %q, want profile", r.str("scope"))
		}
	})
}

// checkTokenResponse checks a successful token response in detail.
func checkTokenResponse(t *testing.T, e *rulesEnv, r tokenResponse, clientID, scope, nonce string) {
	t.Helper()
	wantTokens(t, r)
	if r.str("token_type") != "Bearer" {
		t.Errorf("token_type = %v, want Bearer", r.JSON["token_type"])
	}
	if exp, _ := r.JSON["expires_in"].(float64); exp <= 0 {
		t.Errorf("expires_in = %v, want a positive number", r.JSON["expires_in"])
	}
	if r.str("scope") != scope {
		t.Errorf("scope = %q, want %q", r.str("scope"), scope)
	}
	at := r.str("access_token")
	typ, ac := jwtParts(t, at)
	if typ != "at+jwt" {
		t.Errorf("access token typ = %q, want at+jwt", typ)
	}
	for _, k := range []string{"iss", "sub", "aud", "client_id", "scope", "jti", "iat", "exp"} {
		if _, ok := ac[k]; !ok {
			t.Errorf("access token lacks %s: %v", k, ac)
		}
	}
	if ac["iss"] != e.URL || ac["sub"] != e.User.ID || ac["client_id"] != clientID || ac["scope"] != scope {
		t.Errorf("access token claims iss %v sub %v client_id %v scope %v; want %s %s %s %q", ac["iss"], ac["sub"], ac["client_id"], ac["scope"], e.URL, e.User.ID, clientID, scope)
	}
	if exp, iat := claimInt(t, ac, "exp"), claimInt(t, ac, "iat"); exp <= iat {
		t.Errorf("access token exp %d not after iat %d", exp, iat)
	}
	_, id := jwtParts(t, r.str("id_token"))
	for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp"} {
		if _, ok := id[k]; !ok {
			t.Errorf("ID token lacks %s: %v", k, id)
		}
	}
	aud := id["aud"]
	if list, ok := aud.([]any); ok && len(list) == 1 {
		aud = list[0]
	}
	if id["iss"] != e.URL || id["sub"] != e.User.ID || aud != clientID || id["azp"] != clientID || id["nonce"] != nonce {
		t.Errorf("ID token iss %v sub %v aud %v azp %v nonce %v; want %s %s %s %s %s", id["iss"], id["sub"], id["aud"], id["azp"], id["nonce"], e.URL, e.User.ID, clientID, clientID, nonce)
	}
	sum := sha256.Sum256([]byte(at))
	if want := base64.RawURLEncoding.EncodeToString(sum[:16]); id["at_hash"] != want {
		t.Errorf("at_hash = %v, want %s (OIDC Core §3.1.3.6)", id["at_hash"], want)
	}
	now := e.Clock.Now().Unix()
	if iat, exp, auth := claimInt(t, id, "iat"), claimInt(t, id, "exp"), claimInt(t, id, "auth_time"); iat > now+5 || exp <= now || auth > iat {
		t.Errorf("ID token times iat %d exp %d auth_time %d; now %d", iat, exp, auth, now)
	}
}

// TestAuthorizationCodeFlow_EndToEnd_RFC6749_4_1 runs the whole flow —
// login, consent, code, redemption, userinfo, concurrent and replayed
// redemption — on SQLite and on PostgreSQL.
func TestAuthorizationCodeFlow_EndToEnd_RFC6749_4_1(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]servertest.Options{"sqlite": {}, "postgres": {Postgres: true}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newRulesEnv(t, opt)
			b := e.BrowserFor(t)
			params, pk := authzParams(e.SPA.ID, spaRedirect)
			q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), spaRedirect, params.Get("state"))
			r := exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier)
			checkTokenResponse(t, e, r, e.SPA.ID, "openid profile email", params.Get("nonce"))
			info := userinfo(t, e, http.MethodGet, r.str("access_token"))
			if info.Status != http.StatusOK || info.JSON["sub"] != e.User.ID || info.JSON["email"] != ruleEmail {
				t.Errorf("userinfo: status %d, %v", info.Status, info.JSON)
			}
			code, pk := newCode(t, e, b, e.SPA, spaRedirect)
			concurrentRedeem(t, e, code, pk.Verifier)
			replayScenario(t, e)
		})
	}
}
