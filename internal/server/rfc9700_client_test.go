package server_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestRFC9700_2_5_ClientAssertionAlgConfusion: asymmetric client
// authentication (§2.5) holds only if the server verifies an assertion
// with the registered key under that key's own algorithm (RFC 8725 §2.1,
// §3.1). Assertions that pass off another algorithm, key or key source as
// the registered one are invalid_client; the genuine one succeeds.
func TestRFC9700_2_5_ClientAssertionAlgConfusion(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	es, rs := newECKey(t, "es-1"), newRSAKey(t, "rs-1")
	svc, _ := e.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Assertion service", Scopes: []string{"api:read"},
		AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: jwkSet(t, es.public(), rs.public())})
	claims := func() map[string]any { return claimsFor(e.Env, svc.ID) }

	esDER, err := x509.MarshalPKIXPublicKey(es.public().Key)
	if err != nil {
		t.Fatal(err)
	}
	esPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: esDER})
	serverJWKS := getBody(t, e.Env, "/jwks")
	attacker := newECKey(t, "es-1") // the registered kid, another key

	embedded := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: attacker.key},
			(&jose.SignerOptions{EmbedJWK: true}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		return signClaims(t, s, claims())
	}
	withHeader := func(k signingKey, name string, value any) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey(name), value))
		if err != nil {
			t.Fatal(err)
		}
		return signClaims(t, s, claims())
	}
	cases := map[string]string{
		"alg nOnE":                           b64url([]byte(`{"alg":"nOnE","typ":"JWT"}`)) + "." + b64url(mustJSON(t, claims())) + ".",
		"alg none with a signature":          b64url([]byte(`{"alg":"none","kid":"es-1"}`)) + "." + b64url(mustJSON(t, claims())) + "." + b64url([]byte("sig")),
		"HS256 keyed with the PEM key":       signingKey{esPEM, jose.HS256, "es-1"}.sign(t, claims()),
		"HS256 keyed with the server's JWKS": signingKey{serverJWKS, jose.HS256, ""}.sign(t, claims()),
		"ES256 under the RSA key's kid":      signingKey{es.key, jose.ES256, "rs-1"}.sign(t, claims()),
		"RS384 with the registered RSA key":  signingKey{rs.key, jose.RS384, "rs-1"}.sign(t, claims()),
		"attacker's key under the kid":       attacker.sign(t, claims()),
		"attacker's key embedded as jwk":     embedded(),
		"attacker's key set as jku":          withHeader(attacker, "jku", "https://evil.example/jwks.json"),
	}
	for name, assertion := range cases {
		t.Run(name, func(t *testing.T) {
			wantClientFailure(t, assertionGrant(t, e.Env, assertion, nil))
		})
	}
	t.Run("the registered keys work", func(t *testing.T) {
		wantTokens(t, assertionGrant(t, e.Env, es.sign(t, claims()), nil))
		wantTokens(t, assertionGrant(t, e.Env, rs.sign(t, claims()), nil))
	})
}

// TestRFC9700_2_3_AccessTokenPrivilegeRestriction: access tokens carry no
// more than the client may have and was granted (§2.3): an unregistered
// scope or resource is refused, the token's scope is the granted one, its
// audience is not another client (§4.10.2), and a refresh cannot widen
// the grant.
func TestRFC9700_2_3_AccessTokenPrivilegeRestriction(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	svcAuth := basicAuth(e.Service.ID, e.SvcSecret)
	grant := func(extra url.Values) tokenResponse {
		form := url.Values{"grant_type": {"client_credentials"}}
		for k, v := range extra {
			form[k] = v
		}
		return postToken(t, e.Env, form.Encode(), "", svcAuth)
	}
	wantTokenError(t, grant(url.Values{"scope": {"api:write"}}), http.StatusBadRequest, "invalid_scope")
	wantTokenError(t, grant(url.Values{"scope": {"api:read"}, "resource": {"https://unregistered-api.example"}}),
		http.StatusBadRequest, "invalid_target")
	r := grant(url.Values{"scope": {"api:read"}})
	wantTokens(t, r)
	if _, claims := jwtParts(t, r.str("access_token")); claims["scope"] != "api:read" {
		t.Errorf("service token scope = %v, want api:read", claims["scope"])
	}

	tr := grantFor(t, e, e.session(t), e.SPA, "", spaRedirect, "openid profile")
	wantTokens(t, tr)
	_, claims := jwtParts(t, tr.str("access_token"))
	if claims["scope"] != "openid profile" || claims["client_id"] != e.SPA.ID {
		t.Errorf("SPA token scope %v client_id %v; want the granted openid profile for %s", claims["scope"], claims["client_id"], e.SPA.ID)
	}
	if aud, _ := json.Marshal(claims["aud"]); strings.Contains(string(aud), e.Web.ID) || strings.Contains(string(aud), e.Service.ID) || claims["aud"] == nil {
		t.Errorf("SPA token aud = %s", aud)
	}
	// A refresh cannot widen the grant.
	rt := grantWithRefresh(t, e, e.session(t), e.SPA, "", spaRedirect, "openid offline_access").str("refresh_token")
	wantTokenError(t, refresh(t, e.Env, e.SPA, "", rt, "openid offline_access email"), http.StatusBadRequest, "invalid_scope")
}

// TestRFC9700_4_15_ClientImpersonatingResourceOwner: a client's own token
// never passes for a user's (§4.15): its subject is not a user, and
// userinfo refuses it.
func TestRFC9700_4_15_ClientImpersonatingResourceOwner(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}
	r := postToken(t, e.Env, form.Encode(), "", basicAuth(e.Service.ID, e.SvcSecret))
	wantTokens(t, r)
	_, claims := jwtParts(t, r.str("access_token"))
	if claims["sub"] == e.User.ID {
		t.Errorf("a client credentials token has the user's subject %v", claims["sub"])
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+r.str("access_token"))
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("userinfo with a client's own token: status %d, challenge %q; want a Bearer error",
			resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// signClaims serializes claims signed by s.
func signClaims(t *testing.T, s jose.Signer, claims map[string]any) string {
	t.Helper()
	obj, err := s.Sign(mustJSON(t, claims))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// getBody fetches a path of the server and returns its body.
func getBody(t *testing.T, env *servertest.Env, path string) []byte {
	t.Helper()
	resp, err := env.Server.Client().Get(env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", path, resp.StatusCode, err)
	}
	return b
}
