package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// grantWithRefresh runs an authorization flow for c with scope in the
// signed-in browser b (approving consent when asked), redeems the code and
// fails unless the answer carries a refresh token.
func grantWithRefresh(t *testing.T, e *rulesEnv, b *servertest.Browser, c storage.Client, secret, redirectURI, scope string) tokenResponse {
	t.Helper()
	r := grantFor(t, e, b, c, secret, redirectURI, scope)
	wantTokens(t, r)
	if r.str("refresh_token") == "" {
		t.Fatalf("code exchange for scope %q: no refresh_token in %v", scope, r.JSON)
	}
	return r
}

// grantFor runs an authorization flow for c with scope and returns the
// answer of the code exchange.
func grantFor(t *testing.T, e *rulesEnv, b *servertest.Browser, c storage.Client, secret, redirectURI, scope string) tokenResponse {
	t.Helper()
	params, pk := authzParams(c.ID, redirectURI)
	params.Set("scope", scope)
	q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), redirectURI, params.Get("state"))
	return exchange(t, e, c, secret, q.Get("code"), redirectURI, pk.Verifier)
}

// refresh sends grant_type=refresh_token as client c: client_id for a
// public client, client_secret_basic for a confidential one. scope is sent
// when not "".
func refresh(t *testing.T, env *servertest.Env, c storage.Client, secret, rt, scope string) tokenResponse {
	t.Helper()
	body, auth := refreshRequest(c, secret, rt, scope)
	return postToken(t, env, body, "", auth)
}

func refreshRequest(c storage.Client, secret, rt, scope string) (string, func(*http.Request)) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	if scope != "" {
		form.Set("scope", scope)
	}
	if c.Type.Public() {
		form.Set("client_id", c.ID)
		return form.Encode(), nil
	}
	return form.Encode(), basicAuth(c.ID, secret)
}

// wantRefreshed checks a successful refresh: new access and refresh tokens,
// different from the ones before.
func wantRefreshed(t *testing.T, r, before tokenResponse) {
	t.Helper()
	wantTokens(t, r)
	if rt := r.str("refresh_token"); rt == "" || rt == before.str("refresh_token") {
		t.Errorf("refresh_token %q: want a new one (rotation, RFC 9700 §4.14.2)", rt)
	}
	if r.str("access_token") == before.str("access_token") {
		t.Errorf("the refreshed access token is the old one")
	}
	if r.str("token_type") != "Bearer" || r.JSON["expires_in"] == nil {
		t.Errorf("token_type %q, expires_in %v", r.str("token_type"), r.JSON["expires_in"])
	}
}

// wantRevoked checks an access token is refused at userinfo with 401
// invalid_token.
func wantRevoked(t *testing.T, e *rulesEnv, at, what string) {
	t.Helper()
	if r := userinfo(t, e, http.MethodGet, at); r.Status != http.StatusUnauthorized || bearerParam(r.Challenge, "error") != "invalid_token" {
		t.Errorf("%s at userinfo: status %d, WWW-Authenticate %q; want 401 error=\"invalid_token\"", what, r.Status, r.Challenge)
	}
}

// resourceServer registers a service client that may introspect every
// client's tokens (Client.ResourceServer) and returns it with its secret.
func resourceServer(t *testing.T, env *servertest.Env) (storage.Client, string) {
	t.Helper()
	c, secret, err := env.Admin.CreateClient(context.Background(), admin.NewClient{Type: storage.ClientService, Name: "Resource server"})
	if err != nil {
		t.Fatal(err)
	}
	c.ResourceServer = true
	if err := env.Store.UpdateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c, secret
}

// introspect asks the introspection endpoint (RFC 7662 §2.1) about tok
// as the client rs and returns the decoded answer.
func introspect(t *testing.T, env *servertest.Env, rs storage.Client, secret, tok string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/introspect", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(rs.ID), url.QueryEscape(secret))
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("POST /introspect: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("introspection: status %d, body %s", resp.StatusCode, raw)
	}
	return m
}

// wantActive checks the introspection endpoint reports tok as active (or
// not).
func wantActive(t *testing.T, env *servertest.Env, rs storage.Client, secret, tok, what string, active bool) {
	t.Helper()
	m := introspect(t, env, rs, secret, tok)
	if m["active"] != active {
		t.Errorf("%s introspected: %v; want active %v", what, m, active)
	}
	if !active && len(m) != 1 {
		t.Errorf("%s: an inactive token's introspection says more than active=false: %v", what, m)
	}
}
