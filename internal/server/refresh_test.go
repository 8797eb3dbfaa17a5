package server_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Rules of the refresh grant (RFC 6749 §6, RFC 9700 §4.14, OIDC Core §12):
// refresh tokens are single-use, bound to their client and grant, and never
// widen what the user approved.

// offlineScope is what the refresh rules ask the SPA for: all it may have.
const offlineScope = "openid profile email offline_access api:read"

// TestRefreshRules checks the refresh grant's rules on one server.
func TestRefreshRules(t *testing.T) {
	t.Parallel()
	runRules(t, []rule{
		{"IssuedForOfflineAccessOrByPolicy_OIDCCore_11", ruleRefreshIssued},
		{"RotatedOnEveryUse_RFC9700_4.14.2", ruleRefreshRotation},
		{"ReuseRevokesTheFamily_RFC9700_4.14.2", ruleRefreshReuse},
		{"ScopeNarrowedNeverWidened_RFC6749_6", ruleRefreshScope},
		{"BoundToItsClient_RFC6749_6", ruleRefreshClientBinding},
		{"PublicAndConfidentialClients_RFC6749_6", ruleRefreshClientAuth},
		{"RefreshedIDToken_OIDCCore_12.2", ruleRefreshIDToken},
		{"MalformedRequests_RFC6749_5.2", ruleRefreshMalformed},
	})
}

// ruleRefreshIssued: a refresh token comes with offline_access (OIDC Core
// §11) or when the client is registered for them; otherwise none.
func ruleRefreshIssued(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	always, _, err := e.Admin.CreateClient(context.Background(), admin.NewClient{Type: storage.ClientSPA, Name: "Always refresh",
		RedirectURIs: []string{"https://always.example.com/cb"}, IssueRefreshTokens: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		client storage.Client
		uri    string
		scope  string
		want   bool
	}{
		{"SPA without offline_access", e.SPA, spaRedirect, "openid profile email", false},
		{"SPA with offline_access", e.SPA, spaRedirect, "openid offline_access", true},
		{"web with offline_access", e.Web, webRedirect, "openid offline_access api:write", true},
		{"IssueRefreshTokens client without offline_access", always, "https://always.example.com/cb", "openid", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret := map[string]string{e.Web.ID: e.WebSecret}[tc.client.ID]
			r := grantFor(t, e, b.For(t), tc.client, secret, tc.uri, tc.scope)
			wantTokens(t, r)
			if got := r.str("refresh_token") != ""; got != tc.want {
				t.Fatalf("refresh_token issued = %v, want %v", got, tc.want)
			}
			if tc.want {
				wantRefreshed(t, refresh(t, e.Env, tc.client, secret, r.str("refresh_token"), ""), r)
			}
		})
	}
}

// ruleRefreshRotation: each use returns a new refresh token and the one
// used is refused afterwards.
func ruleRefreshRotation(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	r0 := grantWithRefresh(t, e, b, e.SPA, "", spaRedirect, offlineScope)
	r1 := refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), "")
	wantRefreshed(t, r1, r0)
	r2 := refresh(t, e.Env, e.SPA, "", r1.str("refresh_token"), "")
	wantRefreshed(t, r2, r1)
	if r := userinfo(t, e, http.MethodGet, r2.str("access_token")); r.Status != http.StatusOK || r.JSON["sub"] != e.User.ID {
		t.Errorf("userinfo with the refreshed access token: status %d, %v", r.Status, r.JSON)
	}
	wantTokenError(t, refresh(t, e.Env, e.SPA, "", r1.str("refresh_token"), ""), 400, "invalid_grant")
}

// ruleRefreshReuse: presenting a rotated refresh token again — the one
// just used or an older one — is refused and revokes every token of the
// grant, including the newest access and refresh tokens.
func ruleRefreshReuse(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	rs, rsSecret := resourceServer(t, e.Env)
	for _, replay := range []string{"the previous token", "the first token"} {
		t.Run(replay, func(t *testing.T) {
			r0 := grantWithRefresh(t, e, b.For(t), e.SPA, "", spaRedirect, offlineScope)
			r1 := refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), "")
			wantRefreshed(t, r1, r0)
			r2 := refresh(t, e.Env, e.SPA, "", r1.str("refresh_token"), "")
			wantRefreshed(t, r2, r1)
			wantActive(t, e.Env, rs, rsSecret, r2.str("access_token"), "the newest access token before reuse", true)
			wantActive(t, e.Env, rs, rsSecret, r2.str("refresh_token"), "the newest refresh token before reuse", true)
			wantActive(t, e.Env, rs, rsSecret, r1.str("refresh_token"), "a rotated refresh token", false)

			old := map[string]tokenResponse{"the previous token": r1, "the first token": r0}[replay]
			wantTokenError(t, refresh(t, e.Env, e.SPA, "", old.str("refresh_token"), ""), 400, "invalid_grant")
			wantRevoked(t, e, r2.str("access_token"), "the newest access token after reuse")
			wantRevoked(t, e, r1.str("access_token"), "an older access token after reuse")
			wantActive(t, e.Env, rs, rsSecret, r2.str("access_token"), "the newest access token after reuse", false)
			wantActive(t, e.Env, rs, rsSecret, r2.str("refresh_token"), "the newest refresh token after reuse", false)
			wantTokenError(t, refresh(t, e.Env, e.SPA, "", r2.str("refresh_token"), ""), 400, "invalid_grant")
		})
	}
}

// ruleRefreshScope: the scope parameter may narrow the new access token's
// scope; a scope not granted is invalid_scope and leaves the refresh token
// usable; the refresh token itself keeps the granted scope (RFC 6749 §6).
func ruleRefreshScope(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	r0 := grantWithRefresh(t, e, b, e.SPA, "", spaRedirect, "openid profile offline_access")
	rt := r0.str("refresh_token")
	for _, scope := range []string{"openid profile api:read", "api:read", "openid email", "write", "openid profile offline_access admin"} {
		t.Run("wider "+scope, func(t *testing.T) {
			wantTokenError(t, refresh(t, e.Env, e.SPA, "", rt, scope), 400, "invalid_scope")
		})
	}
	t.Run("malformed scope", func(t *testing.T) {
		wantTokenError(t, refresh(t, e.Env, e.SPA, "", rt, "openid \"quoted\""), 400, "invalid_scope")
	})
	t.Run("narrower", func(t *testing.T) {
		r1 := refresh(t, e.Env, e.SPA, "", rt, "profile")
		wantRefreshed(t, r1, r0)
		if r1.str("scope") != "profile" {
			t.Errorf("scope = %q, want profile", r1.str("scope"))
		}
		if _, claims := jwtParts(t, r1.str("access_token")); claims["scope"] != "profile" {
			t.Errorf("access token scope = %v, want profile", claims["scope"])
		}
		if r1.str("id_token") != "" {
			t.Errorf("an ID token without openid in the scope")
		}
		rt = r1.str("refresh_token")
	})
	t.Run("omitted after narrowing gives every granted scope", func(t *testing.T) {
		r2 := refresh(t, e.Env, e.SPA, "", rt, "")
		wantTokens(t, r2)
		if got := strings.Fields(r2.str("scope")); !slices.Equal(got, []string{"openid", "profile", "offline_access"}) {
			t.Errorf("scope = %q, want the granted openid profile offline_access", r2.str("scope"))
		}
		if r2.str("id_token") == "" {
			t.Errorf("no ID token although openid was granted")
		}
	})
}

// ruleRefreshClientBinding: a refresh token presented by another client
// is invalid_grant and stays usable by its own client: a client that got
// hold of it cannot burn it.
func ruleRefreshClientBinding(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	spa := grantWithRefresh(t, e, b, e.SPA, "", spaRedirect, offlineScope)
	web := grantWithRefresh(t, e, b, e.Web, e.WebSecret, webRedirect, "openid offline_access")
	for _, tc := range []struct {
		name   string
		thief  storage.Client
		secret string
		rt     string
	}{
		{"SPA token by the native app", e.Native, "", spa.str("refresh_token")},
		{"SPA token by the web app", e.Web, e.WebSecret, spa.str("refresh_token")},
		{"web token by the SPA", e.SPA, "", web.str("refresh_token")},
		{"web token by another web app", e.WebNoPKCE, e.NoPKCESec, web.str("refresh_token")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantTokenError(t, refresh(t, e.Env, tc.thief, tc.secret, tc.rt, ""), 400, "invalid_grant")
		})
	}
	t.Run("still usable by their own clients", func(t *testing.T) {
		wantRefreshed(t, refresh(t, e.Env, e.SPA, "", spa.str("refresh_token"), ""), spa)
		wantRefreshed(t, refresh(t, e.Env, e.Web, e.WebSecret, web.str("refresh_token"), ""), web)
	})
}

// ruleRefreshClientAuth: a public client refreshes with its client_id
// alone; a confidential client must authenticate (RFC 6749 §6: "the
// client MUST authenticate"); a service client may not use the grant.
func ruleRefreshClientAuth(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	spa := grantWithRefresh(t, e, b, e.SPA, "", spaRedirect, offlineScope)
	web := grantWithRefresh(t, e, b, e.Web, e.WebSecret, webRedirect, "openid offline_access")
	form := func(rt string, extra url.Values) string {
		v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v.Encode()
	}
	for _, tc := range []struct {
		name   string
		body   string
		auth   func(*http.Request)
		status int
		code   string
	}{
		{"public without client_id", form(spa.str("refresh_token"), nil), nil, 401, "invalid_client"},
		{"confidential without secret", form(web.str("refresh_token"), url.Values{"client_id": {e.Web.ID}}), nil, 401, "invalid_client"},
		{"confidential wrong secret", form(web.str("refresh_token"), nil), basicAuth(e.Web.ID, e.WebSecret+"x"), 401, "invalid_client"},
		{"service client", form(web.str("refresh_token"), nil), basicAuth(e.Service.ID, e.SvcSecret), 400, "unauthorized_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantTokenError(t, postToken(t, e.Env, tc.body, "", tc.auth), tc.status, tc.code)
		})
	}
	t.Run("public SPA with client_id", func(t *testing.T) {
		wantRefreshed(t, refresh(t, e.Env, e.SPA, "", spa.str("refresh_token"), ""), spa)
	})
	t.Run("confidential with client_secret_post", func(t *testing.T) {
		body := form(web.str("refresh_token"), url.Values{"client_id": {e.Web.ID}, "client_secret": {e.WebSecret}})
		wantRefreshed(t, postToken(t, e.Env, body, "", nil), web)
	})
}

// ruleRefreshIDToken: a refresh with openid returns a new ID token with
// the same iss, sub, aud and auth_time, a new iat, no nonce, and an
// at_hash for the new access token; the access token keeps sub, aud and
// client_id (OIDC Core §12.2, RFC 9068 §2.2).
func ruleRefreshIDToken(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	r0 := grantWithRefresh(t, e, b, e.SPA, "", spaRedirect, offlineScope)
	r1 := refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), "")
	wantRefreshed(t, r1, r0)
	_, id0 := jwtParts(t, r0.str("id_token"))
	typ, id1 := jwtParts(t, r1.str("id_token"))
	if typ != "JWT" {
		t.Errorf("refreshed ID token typ = %q", typ)
	}
	for _, k := range []string{"iss", "sub", "aud", "azp", "auth_time", "email"} {
		if id1[k] != id0[k] || id1[k] == nil {
			t.Errorf("refreshed ID token %s = %v, want %v as before", k, id1[k], id0[k])
		}
	}
	if _, ok := id1["nonce"]; ok {
		t.Errorf("refreshed ID token has a nonce: %v", id1["nonce"])
	}
	if id1["at_hash"] == nil || id1["at_hash"] == id0["at_hash"] {
		t.Errorf("at_hash = %v, want one for the new access token", id1["at_hash"])
	}
	_, at0 := jwtParts(t, r0.str("access_token"))
	_, at1 := jwtParts(t, r1.str("access_token"))
	for _, k := range []string{"iss", "sub", "aud", "client_id", "scope", "auth_time"} {
		if at1[k] == nil || !reflect.DeepEqual(at1[k], at0[k]) {
			t.Errorf("refreshed access token %s = %v, want %v as before", k, at1[k], at0[k])
		}
	}
	if at1["jti"] == at0["jti"] {
		t.Errorf("the refreshed access token reuses the jti")
	}
}

// ruleRefreshMalformed: a missing refresh_token is invalid_request; an
// unknown one, or an access or ID token in its place, is invalid_grant.
func ruleRefreshMalformed(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	r0 := grantWithRefresh(t, e, b, e.SPA, "", spaRedirect, offlineScope)
	wantTokenError(t, postToken(t, e.Env, url.Values{"grant_type": {"refresh_token"}, "client_id": {e.SPA.ID}}.Encode(), "", nil), 400, "invalid_request")
	for name, rt := range map[string]string{
		"unknown":            randomString(),
		"access token":       r0.str("access_token"),
		"ID token":           r0.str("id_token"),
		"refresh token + 1":  r0.str("refresh_token") + "A",
		"refresh token hash": secret.Hash(r0.str("refresh_token")),
	} {
		t.Run(name, func(t *testing.T) {
			wantTokenError(t, refresh(t, e.Env, e.SPA, "", rt, ""), 400, "invalid_grant")
		})
	}
	t.Run("the genuine token still works", func(t *testing.T) {
		wantRefreshed(t, refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), ""), r0)
	})
}
