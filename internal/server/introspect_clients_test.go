package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestIntrospection_ServiceTokensAndAssertions checks the back channel
// with the other kinds of client: a client-credentials token (no user:
// sub is the client and there is no username) is introspected and revoked
// like any other, and a resource server that authenticates with
// private_key_jwt introspects through the same client authentication as
// the token endpoint (RFC 7662 §2.1, RFC 7523 §2.2), replay check included.
func TestIntrospection_ServiceTokensAndAssertions(t *testing.T) {
	t.Parallel()
	e := newBackEnv(t, servertest.Options{})

	t.Run("client credentials token", func(t *testing.T) {
		r := postToken(t, e.Env, url.Values{"grant_type": {"client_credentials"}}.Encode(), "", basicAuth(e.Service.ID, e.SvcSecret))
		wantTokens(t, r)
		at := issuedToken{Raw: r.str("access_token")}
		_, at.Claims = jwtParts(t, at.Raw)
		want := map[string]any{
			"scope": "api:read", "client_id": e.Service.ID, "sub": e.Service.ID, "token_type": "Bearer",
			"aud": e.URL, "iss": e.URL, "jti": at.jti(), "exp": at.Claims["exp"], "iat": at.Claims["iat"],
		}
		wantIntrospection(t, introspectAs(t, e, e.service(), at.Raw, ""), want)
		wantIntrospection(t, introspectAs(t, e, e.rs(), at.Raw, ""), want)
		wantInactive(t, introspectAs(t, e, e.web(), at.Raw, ""))

		wantRevokeOK(t, revokeAs(t, e, e.web(), at.Raw, ""))
		wantIntrospection(t, introspectAs(t, e, e.service(), at.Raw, ""), want)
		wantRevokeOK(t, revokeAs(t, e, e.service(), at.Raw, ""))
		wantInactive(t, introspectAs(t, e, e.service(), at.Raw, ""))
	})

	t.Run("resource server with private_key_jwt", func(t *testing.T) {
		key := newECKey(t, "rs-key-1")
		rs, _ := e.AddClient(admin.NewClient{Type: storage.ClientService, Name: "JWT resource server",
			AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: jwkSet(t, key.public())})
		rs.ResourceServer = true
		e.UpdateClient(rs)
		at := codeFlowToken(t, e, e.spa(), spaRedirect)

		assertion := key.sign(t, claimsFor(e.Env, rs.ID))
		form := withAssertion(url.Values{"token": {at.Raw}}, assertion)
		r := postBack(t, e.Env, "/introspect", form.Encode(), "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("introspection with a client assertion: status %d, body %s", r.Status, r.Body)
		}
		wantIntrospection(t, r.json(t), accessWant(e, at, e.SPA.ID))

		for name, form := range map[string]url.Values{
			"replayed assertion":      withAssertion(url.Values{"token": {at.Raw}}, assertion),
			"signed by another key":   withAssertion(url.Values{"token": {at.Raw}}, newECKey(t, "rs-key-1").sign(t, claimsFor(e.Env, rs.ID))),
			"client_id without proof": {"token": {at.Raw}, "client_id": {rs.ID}},
		} {
			t.Run(name, func(t *testing.T) {
				r := postBack(t, e.Env, "/introspect", form.Encode(), "", nil)
				if body := r.json(t); r.Status != http.StatusUnauthorized || body["error"] != "invalid_client" {
					t.Errorf("status %d, body %s; want 401 invalid_client", r.Status, r.Body)
				}
			})
		}
	})
}
