package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestIntrospection checks the introspection endpoint (RFC 7662): only
// clients with credentials may ask; a client learns about its own tokens,
// a resource server about everyone's; any other token, and every token
// that is not active, is exactly {"active":false}. The rules share a
// server; the one that moves the clock runs last.
func TestIntrospection(t *testing.T) {
	t.Parallel()
	e := newBackEnv(t, servertest.Options{})
	t.Run("RequestRules_RFC7662_2.1", func(t *testing.T) { backChannelRequestRules(t, e, "/introspect") })
	t.Run("PublicClientsCannotIntrospect_RFC7662_2.1", func(t *testing.T) { rulePublicClientsCannotIntrospect(t, e) })
	t.Run("ActiveAccessToken_RFC7662_2.2", func(t *testing.T) { ruleActiveAccessToken(t, e) })
	t.Run("ActiveRefreshToken_RFC7662_2.2", func(t *testing.T) { ruleActiveRefreshToken(t, e) })
	t.Run("ResourceServerSeesEveryClient_RFC7662_4", func(t *testing.T) { ruleResourceServerSeesAll(t, e) })
	t.Run("InactiveIsOnlyActiveFalse_RFC7662_2.2", func(t *testing.T) { ruleInactiveTokens(t, e) })
	t.Run("ExpiredAccessTokenInactive_RFC7662_2.2", func(t *testing.T) { ruleIntrospectExpired(t, e) })
}

// rulePublicClientsCannotIntrospect: a public client authenticates with
// its client_id alone, which is no authorization (RFC 7662 §2.1): 401
// invalid_client with a challenge, even about its own valid token.
func rulePublicClientsCannotIntrospect(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.spa(), spaRedirect)
	for _, c := range []storage.Client{e.SPA, e.Native} {
		t.Run(string(c.Type), func(t *testing.T) {
			form := url.Values{"token": {at.Raw}, "client_id": {c.ID}}
			r := postBack(t, e.Env, "/introspect", form.Encode(), "", nil)
			body := r.json(t)
			if r.Status != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Errorf("status %d, body %s; want 401 invalid_client", r.Status, r.Body)
			}
			d, _ := body["error_description"].(string)
			wantDescription(t, d)
			if ch := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Basic ") {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge", ch)
			}
			if _, ok := body["active"]; ok {
				t.Errorf("the refusal says whether the token is active: %s", r.Body)
			}
		})
	}
}

// accessWant is the introspection answer for an active access token: the
// JWT's claims (RFC 9068 §2.2) with token_type Bearer and the user's email
// as username.
func accessWant(e *backEnv, at issuedToken, clientID string) map[string]any {
	return map[string]any{
		"scope": "openid profile email", "client_id": clientID, "username": ruleEmail, "token_type": "Bearer",
		"sub": e.User.ID, "aud": e.URL, "iss": e.URL, "jti": at.jti(), "exp": at.Claims["exp"], "iat": at.Claims["iat"],
	}
}

// ruleActiveAccessToken: a client introspecting its own access token gets
// active with the token's claims, whatever the hint: a wrong or unknown
// hint only changes where the server looks first (RFC 7662 §2.1).
func ruleActiveAccessToken(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.web(), webRedirect)
	if exp, iat := at.Claims["exp"].(float64), at.Claims["iat"].(float64); exp-iat != (10 * time.Minute).Seconds() {
		t.Fatalf("token lifetime %v s, want the default 600", exp-iat)
	}
	for _, hint := range tokenTypeHints {
		t.Run("hint="+hint, func(t *testing.T) {
			wantIntrospection(t, introspectAs(t, e, e.web(), at.Raw, hint), accessWant(e, at, e.Web.ID))
		})
	}
	t.Run("client_secret_post", func(t *testing.T) {
		form := url.Values{"token": {at.Raw}, "client_id": {e.Web.ID}, "client_secret": {e.WebSecret}}
		r := postBack(t, e.Env, "/introspect", form.Encode(), "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d, body %s", r.Status, r.Body)
		}
		wantIntrospection(t, r.json(t), accessWant(e, at, e.Web.ID))
	})
}

// ruleActiveRefreshToken: a client introspecting its own refresh token
// gets active with scope, client_id, username, sub, iss, iat and exp (the
// sooner of the idle and the absolute expiry), and no token_type: a
// refresh token has no RFC 6749 §7.1 type.
func ruleActiveRefreshToken(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.web(), webRedirect)
	rt, rec := storeRefreshToken(t, e, e.Web, at.GrantID)
	want := map[string]any{
		"scope": "openid profile email offline_access", "client_id": e.Web.ID, "username": ruleEmail,
		"sub": e.User.ID, "iss": e.URL, "iat": rec.CreatedAt.Unix(), "exp": rec.ExpiresAt.Unix(),
	}
	for _, hint := range tokenTypeHints {
		t.Run("hint="+hint, func(t *testing.T) {
			wantIntrospection(t, introspectAs(t, e, e.web(), rt, hint), want)
		})
	}
	t.Run("absolute expiry first", func(t *testing.T) {
		soon := e.Clock.Now().UTC().Truncate(time.Second).Add(time.Hour)
		rt, rec := storeRefreshToken(t, e, e.Web, at.GrantID, func(r *storage.Token) { r.GrantExpiresAt = soon })
		want := map[string]any{
			"scope": "openid profile email offline_access", "client_id": e.Web.ID, "username": ruleEmail,
			"sub": e.User.ID, "iss": e.URL, "iat": rec.CreatedAt.Unix(), "exp": soon.Unix(),
		}
		wantIntrospection(t, introspectAs(t, e, e.web(), rt, ""), want)
	})
}

// ruleResourceServerSeesAll: a client registered as a resource server
// introspects tokens of other clients, public and confidential; a client
// that is not one (a service client) sees them inactive.
func ruleResourceServerSeesAll(t *testing.T, e *backEnv) {
	spaAT := codeFlowToken(t, e, e.spa(), spaRedirect)
	webAT := codeFlowToken(t, e, e.web(), webRedirect)
	spaRT, rec := storeRefreshToken(t, e, e.SPA, spaAT.GrantID)
	wantIntrospection(t, introspectAs(t, e, e.rs(), spaAT.Raw, ""), accessWant(e, spaAT, e.SPA.ID))
	wantIntrospection(t, introspectAs(t, e, e.rs(), webAT.Raw, "access_token"), accessWant(e, webAT, e.Web.ID))
	wantIntrospection(t, introspectAs(t, e, e.rs(), spaRT, "refresh_token"), map[string]any{
		"scope": "openid profile email offline_access", "client_id": e.SPA.ID, "username": ruleEmail,
		"sub": e.User.ID, "iss": e.URL, "iat": rec.CreatedAt.Unix(), "exp": rec.ExpiresAt.Unix(),
	})
	wantInactive(t, introspectAs(t, e, e.service(), spaAT.Raw, ""))
	wantInactive(t, introspectAs(t, e, e.service(), spaRT, ""))
}

// ruleInactiveTokens: revoked, rotated, expired, unknown, malformed and
// foreign tokens, and other clients' tokens asked about by a client that
// is not a resource server, are all exactly {"active":false}, whatever
// the hint.
func ruleInactiveTokens(t *testing.T, e *backEnv) {
	ctx := context.Background()
	now := e.Clock.Now().UTC().Truncate(time.Second)
	webAT := codeFlowToken(t, e, e.web(), webRedirect)
	webRT, webRec := storeRefreshToken(t, e, e.Web, webAT.GrantID)
	spaAT := codeFlowToken(t, e, e.spa(), spaRedirect)
	spaRT, _ := storeRefreshToken(t, e, e.SPA, spaAT.GrantID)

	revokedAT := codeFlowToken(t, e, e.web(), webRedirect)
	wantRevokeOK(t, revokeAs(t, e, e.web(), revokedAT.Raw, ""))
	revokedRT, _ := storeRefreshToken(t, e, e.Web, codeFlowToken(t, e, e.web(), webRedirect).GrantID)
	wantRevokeOK(t, revokeAs(t, e, e.web(), revokedRT, ""))

	rotated, rotatedRec := storeRefreshToken(t, e, e.Web, webAT.GrantID)
	successor := secret.NewToken()
	next := rotatedRec
	next.ID, next.CreatedAt = secret.Hash(successor), now
	if _, err := e.Store.RotateRefreshToken(ctx, rotatedRec.ID, next, now); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	expiredRT, _ := storeRefreshToken(t, e, e.Web, webAT.GrantID, func(r *storage.Token) {
		r.CreatedAt, r.ExpiresAt = now.Add(-2*time.Hour), now.Add(-time.Hour)
	})
	grantExpiredRT, _ := storeRefreshToken(t, e, e.Web, webAT.GrantID, func(r *storage.Token) {
		r.CreatedAt, r.GrantExpiresAt = now.Add(-2*time.Hour), now.Add(-time.Second)
	})
	idToken := func() string {
		code, pk := newCode(t, e.rulesEnv, e.session(t), e.Web, webRedirect)
		r := exchange(t, e.rulesEnv, e.Web, e.WebSecret, code, webRedirect, pk.Verifier)
		wantTokens(t, r)
		return r.str("id_token")
	}()

	for _, tc := range []struct {
		name string
		tok  string
		as   backCaller
	}{
		{"revoked access token", revokedAT.Raw, e.web()},
		{"revoked access token, resource server", revokedAT.Raw, e.rs()},
		{"revoked refresh token", revokedRT, e.web()},
		{"rotated refresh token", rotated, e.web()},
		{"refresh token past idle expiry", expiredRT, e.web()},
		{"refresh token past absolute expiry", grantExpiredRT, e.web()},
		{"unknown", randomString(), e.web()},
		{"unknown, resource server", randomString(), e.rs()},
		{"malformed JWT", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA", e.web()},
		{"not base64", "!!!.???.***", e.web()},
		{"signed by another key under our key ID", foreignJWT(t, webAT.Raw, e.URL, true), e.web()},
		{"another issuer's key", foreignJWT(t, webAT.Raw, "https://other.example.com", false), e.rs()},
		{"unsigned copy", unsignedCopy(webAT.Raw), e.web()},
		{"payload altered", alterPayload(t, webAT.Raw), e.web()},
		{"ID token", idToken, e.web()},
		{"refresh token record key", webRec.ID, e.web()},
		{"access token jti", webAT.jti(), e.web()},
		{"another client's access token", spaAT.Raw, e.web()},
		{"another client's refresh token", spaRT, e.web()},
		{"another client's access token, service", webAT.Raw, e.service()},
	} {
		for _, hint := range tokenTypeHints {
			t.Run(tc.name+"/hint="+hint, func(t *testing.T) {
				wantInactive(t, introspectAs(t, e, tc.as, tc.tok, hint))
			})
		}
	}
	// The controls: the same server says active where it should.
	for name, tok := range map[string]string{"own access token": webAT.Raw, "own refresh token": webRT, "successor": successor} {
		if got := introspectAs(t, e, e.web(), tok, ""); got["active"] != true {
			t.Errorf("%s: %v, want active", name, got)
		}
	}
}

// ruleIntrospectExpired: an access token is inactive from its exp on, even
// within the leeway the verifier allows replicas' clocks, so that no
// answer is active with an exp in the past. It moves the clock.
func ruleIntrospectExpired(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.web(), webRedirect)
	if got := introspectAs(t, e, e.web(), at.Raw, ""); got["active"] != true {
		t.Fatalf("fresh token: %v, want active", got)
	}
	e.Clock.Advance(10*time.Minute + 5*time.Second)
	for _, hint := range tokenTypeHints {
		wantInactive(t, introspectAs(t, e, e.web(), at.Raw, hint))
		wantInactive(t, introspectAs(t, e, e.rs(), at.Raw, hint))
	}
	e.Clock.Advance(time.Hour)
	wantInactive(t, introspectAs(t, e, e.web(), at.Raw, ""))
}
