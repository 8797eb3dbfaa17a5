package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Rules of the client credentials grant (RFC 6749 §4.4): a server-to-server
// client gets an access token about itself, for scopes registered for it.

// TestThirdPartyClientCredentials gets tokens with
// golang.org/x/oauth2/clientcredentials, with the secret in the header and
// in the body, and checks the token and its record.
func TestThirdPartyClientCredentials(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		svc, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Billing job", Scopes: []string{"api:read", "api:write"}})
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, env.Server.Client())
		for _, tc := range []struct {
			name   string
			style  oauth2.AuthStyle
			scopes []string
			want   string
		}{
			{"client_secret_basic, one scope", oauth2.AuthStyleInHeader, []string{"api:read"}, "api:read"},
			{"client_secret_post, scope omitted", oauth2.AuthStyleInParams, nil, "api:read api:write"},
			{"auto-detected style, both scopes", oauth2.AuthStyleAutoDetect, []string{"api:write", "api:read"}, "api:write api:read"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cfg := clientcredentials.Config{ClientID: svc.ID, ClientSecret: secret, TokenURL: env.URL + "/token", Scopes: tc.scopes, AuthStyle: tc.style}
				tok, err := cfg.Token(ctx)
				if err != nil {
					t.Fatalf("x/oauth2 client credentials: %v", err)
				}
				if tok.TokenType != "Bearer" || tok.RefreshToken != "" || tok.Extra("id_token") != nil || tok.Expiry.IsZero() {
					t.Errorf("token type %q, refresh token %q, id_token %v, expiry %v; want Bearer, none, none, set",
						tok.TokenType, tok.RefreshToken, tok.Extra("id_token"), tok.Expiry)
				}
				if got := tok.Extra("scope"); got != tc.want {
					t.Errorf("scope = %v, want %q", got, tc.want)
				}
				wantServiceToken(t, env, svc, tok.AccessToken, tc.want)
			})
		}
	})
}

// wantServiceToken checks a client credentials access token: a JWT
// (RFC 9068) whose sub and client_id are the client, with no user claims,
// recorded without a user under a grant of its own.
func wantServiceToken(t *testing.T, env *servertest.Env, svc storage.Client, at, scope string) storage.Token {
	t.Helper()
	typ, claims := jwtParts(t, at)
	gotScope, _ := claims["scope"].(string) // absent when empty
	if typ != "at+jwt" || claims["sub"] != svc.ID || claims["client_id"] != svc.ID || gotScope != scope || claims["iss"] != env.URL {
		t.Errorf("access token typ %q, claims %v; want at+jwt with sub and client_id %s, scope %q", typ, claims, svc.ID, scope)
	}
	if _, ok := claims["auth_time"]; ok {
		t.Errorf("a client credentials token has auth_time")
	}
	jti, _ := claims["jti"].(string)
	rec, err := env.Store.GetToken(context.Background(), jti)
	if err != nil {
		t.Fatalf("the token is not recorded: %v", err)
	}
	if rec.Kind != storage.TokenAccess || rec.UserID != "" || rec.ClientID != svc.ID || rec.GrantID == "" || oneScope(rec.Scopes) != scope {
		t.Errorf("token record %+v", rec)
	}
	return rec
}

func oneScope(s []string) string { return strings.Join(s, " ") }

// TestClientCredentialsRules checks the grant's rules on one server.
func TestClientCredentialsRules(t *testing.T) {
	t.Parallel()
	runRules(t, []rule{
		{"ScopesRegisteredForTheClient_RFC6749_3.3_4.4.2", ruleClientCredentialsScope},
		{"NoRefreshOrIDToken_RFC6749_4.4.3", ruleClientCredentialsResponse},
		{"ServiceClientsOnly_RFC6749_4.4", ruleClientCredentialsClients},
	})
}

func clientCredentials(t *testing.T, e *rulesEnv, c storage.Client, secret, scope string) tokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return postToken(t, e.Env, form.Encode(), "", basicAuth(c.ID, secret))
}

// ruleClientCredentialsScope: a requested scope must be registered for the
// client, and the OpenID scopes, which are about a user, never are; an
// omitted scope means all the client's registered scopes.
func ruleClientCredentialsScope(t *testing.T, e *rulesEnv) {
	// A client that registered an OpenID scope (the registration allows
	// it) still does not get it here.
	svc, secret, err := e.Admin.CreateClient(context.Background(), admin.NewClient{Type: storage.ClientService, Name: "Scoped service",
		Scopes: []string{"api:read", "api:write", "openid"}})
	if err != nil {
		t.Fatal(err)
	}
	bare, bareSecret, err := e.Admin.CreateClient(context.Background(), admin.NewClient{Type: storage.ClientService, Name: "Bare service"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scope string
		want  string // granted scope, or the error code
	}{
		{"", "api:read api:write"},
		{"api:read", "api:read"},
		{"api:write api:read", "api:write api:read"},
		{"api:read api:read", "api:read"},
		{"api:admin", "invalid_scope"},
		{"api:read api:admin", "invalid_scope"},
		{"openid", "invalid_scope"},
		{"profile", "invalid_scope"},
		{"email", "invalid_scope"},
		{"offline_access", "invalid_scope"},
		{"api:read offline_access", "invalid_scope"},
		{`api:"read"`, "invalid_scope"},
	} {
		t.Run("scope "+tc.scope, func(t *testing.T) {
			r := clientCredentials(t, e, svc, secret, tc.scope)
			if tc.want == "invalid_scope" {
				wantTokenError(t, r, 400, "invalid_scope")
				return
			}
			wantTokens(t, r)
			if r.str("scope") != tc.want {
				t.Errorf("scope = %q, want %q", r.str("scope"), tc.want)
			}
			wantServiceToken(t, e.Env, svc, r.str("access_token"), tc.want)
		})
	}
	t.Run("client without scopes, scope omitted", func(t *testing.T) {
		r := clientCredentials(t, e, bare, bareSecret, "")
		wantTokens(t, r)
		if _, ok := r.JSON["scope"]; ok {
			t.Errorf("scope = %v, want none", r.JSON["scope"])
		}
		wantServiceToken(t, e.Env, bare, r.str("access_token"), "")
	})
	t.Run("client without scopes, scope requested", func(t *testing.T) {
		wantTokenError(t, clientCredentials(t, e, bare, bareSecret, "api:read"), 400, "invalid_scope")
	})
}

// ruleClientCredentialsResponse: the answer is an access token alone — "A
// refresh token SHOULD NOT be included" (RFC 6749 §4.4.3), and with no
// user there is no ID token; each request gets a token of its own grant,
// which is active at introspection and refused at userinfo (no openid).
func ruleClientCredentialsResponse(t *testing.T, e *rulesEnv) {
	r1 := clientCredentials(t, e, e.Service, e.SvcSecret, "")
	wantTokens(t, r1)
	for _, k := range []string{"refresh_token", "id_token"} {
		if _, ok := r1.JSON[k]; ok {
			t.Errorf("client credentials response has %s", k)
		}
	}
	if r1.str("token_type") != "Bearer" || r1.JSON["expires_in"] != float64(600) || r1.str("scope") != "api:read" {
		t.Errorf("response %v; want Bearer, expires_in 600, scope api:read", r1.JSON)
	}
	r2 := clientCredentials(t, e, e.Service, e.SvcSecret, "")
	wantTokens(t, r2)
	g1 := wantServiceToken(t, e.Env, e.Service, r1.str("access_token"), "api:read").GrantID
	g2 := wantServiceToken(t, e.Env, e.Service, r2.str("access_token"), "api:read").GrantID
	if g1 == g2 {
		t.Errorf("two client credentials tokens share grant %s", g1)
	}
	rs, rsSecret := resourceServer(t, e.Env)
	m := introspect(t, e.Env, rs, rsSecret, r1.str("access_token"))
	if m["active"] != true || m["sub"] != e.Service.ID || m["client_id"] != e.Service.ID || m["username"] != nil {
		t.Errorf("introspection %v; want active, sub and client_id the service, no username", m)
	}
	if u := userinfo(t, e, http.MethodGet, r1.str("access_token")); u.Status != http.StatusForbidden {
		t.Errorf("userinfo with a client credentials token: status %d, want 403 (no openid scope)", u.Status)
	}
}

// ruleClientCredentialsClients: only server-to-server clients may use the
// grant (unauthorized_client), and they must authenticate (invalid_client).
func ruleClientCredentialsClients(t *testing.T, e *rulesEnv) {
	form := url.Values{"grant_type": {"client_credentials"}}
	withID := func(id string) string {
		v := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}}
		return v.Encode()
	}
	for _, tc := range []struct {
		name   string
		body   string
		auth   func(*http.Request)
		status int
		code   string
	}{
		{"public SPA", withID(e.SPA.ID), nil, 400, "unauthorized_client"},
		{"public native app", withID(e.Native.ID), nil, 400, "unauthorized_client"},
		{"confidential web app", form.Encode(), basicAuth(e.Web.ID, e.WebSecret), 400, "unauthorized_client"},
		{"service without secret", withID(e.Service.ID), nil, 401, "invalid_client"},
		{"service with a wrong secret", form.Encode(), basicAuth(e.Service.ID, e.SvcSecret+"x"), 401, "invalid_client"},
		{"service with another client's secret", form.Encode(), basicAuth(e.Service.ID, e.WebSecret), 401, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantTokenError(t, postToken(t, e.Env, tc.body, "", tc.auth), tc.status, tc.code)
		})
	}
	t.Run("service with client_secret_post", func(t *testing.T) {
		body := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.Service.ID}, "client_secret": {e.SvcSecret}}.Encode()
		r := postToken(t, e.Env, body, "", nil)
		wantTokens(t, r)
		if r.str("scope") != "api:read" {
			t.Errorf("scope = %q, want api:read", r.str("scope"))
		}
	})
}
