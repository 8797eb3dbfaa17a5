package server_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Rules of JWT client authentication (RFC 7523 §2.2 and §3, OIDC Core §9):
// private_key_jwt with the client's registered public keys and
// client_secret_jwt with its secret, each refused in every way RFC 7523 §3
// lists, and each the only method its client may use (RFC 7591 §2).

// signingKey is a client's private key and how it signs assertions.
type signingKey struct {
	key any // private key, or []byte for HMAC
	alg jose.SignatureAlgorithm
	kid string
}

// sign makes a compact JWS of claims.
func (k signingKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if k.kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), k.kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// public is the key's public JWK with kid and alg, as a client registers it.
func (k signingKey) public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.key.(crypto.Signer).Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

func newECKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{k, jose.ES256, kid}
}

func newRSAKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{k, jose.RS256, kid}
}

// jwkSet renders public keys as a JWK set document.
func jwkSet(t *testing.T, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// claimsFor are valid assertion claims for the client at the server's
// current time, with a fresh jti and the token endpoint as audience.
func claimsFor(env *servertest.Env, clientID string) map[string]any {
	now := env.Clock.Now()
	return map[string]any{
		"iss": clientID, "sub": clientID, "aud": env.URL + "/token", "jti": randomString(),
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
	}
}

// withAssertion adds a JWT client assertion to form (RFC 7523 §2.2).
func withAssertion(form url.Values, assertion string) url.Values {
	form.Set("client_assertion_type", oauth.ClientAssertionJWT)
	form.Set("client_assertion", assertion)
	return form
}

// assertionGrant asks for client credentials with an assertion.
func assertionGrant(t *testing.T, env *servertest.Env, assertion string, extra url.Values) tokenResponse {
	t.Helper()
	form := withAssertion(url.Values{"grant_type": {"client_credentials"}}, assertion)
	for k, v := range extra {
		form[k] = v
	}
	return postToken(t, env, form.Encode(), "", nil)
}

// wantClientFailure checks invalid_client with 401 and a challenge.
func wantClientFailure(t *testing.T, r tokenResponse) {
	t.Helper()
	wantTokenError(t, r, http.StatusUnauthorized, oauth.InvalidClient)
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate (RFC 9110 §15.5.2)")
	}
}

// TestPrivateKeyJWT: a web client with an inline ES256 key exchanges a
// code, a service client gets client credentials, and every malformed,
// misdirected, expired, replayed or wrongly signed assertion is
// invalid_client (RFC 7523 §3).
func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	es := newECKey(t, "es-1")
	const redirect = "https://jwt-web.example.com/callback"
	web, plain := e.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "JWT web", RedirectURIs: []string{redirect},
		AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: jwkSet(t, es.public())})
	if plain != "" {
		t.Fatalf("a private_key_jwt client was given a secret")
	}

	t.Run("discovery", func(t *testing.T) {
		resp, err := e.Server.Client().Get(e.URL + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var meta struct {
			Methods []string `json:"token_endpoint_auth_methods_supported"`
			Algs    []string `json:"token_endpoint_auth_signing_alg_values_supported"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"} {
			if !slices.Contains(meta.Methods, m) {
				t.Errorf("token_endpoint_auth_methods_supported %q lacks %s", meta.Methods, m)
			}
		}
		if !slices.Equal(slices.Sorted(slices.Values(meta.Algs)), []string{"ES256", "EdDSA", "HS256", "PS256", "RS256"}) {
			t.Errorf("token_endpoint_auth_signing_alg_values_supported = %q", meta.Algs)
		}
	})

	t.Run("code exchange", func(t *testing.T) {
		_, code, pk := signedIn(t, e, web, redirect)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {pk.Verifier}, "redirect_uri": {redirect}}
		r := postToken(t, e.Env, withAssertion(form, es.sign(t, claimsFor(e.Env, web.ID))).Encode(), "", nil)
		wantTokens(t, r)
		if _, claims := jwtParts(t, r.str("id_token")); claims["aud"] != web.ID {
			t.Errorf("ID token aud = %v, want %s", claims["aud"], web.ID)
		}
	})

	rs := newRSAKey(t, "rs-1")
	svc, _ := e.AddClient(admin.NewClient{Type: storage.ClientService, Name: "JWT service", Scopes: []string{"api:read"},
		AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: jwkSet(t, es.public(), rs.public())})
	valid := func() map[string]any { return claimsFor(e.Env, svc.ID) }
	with := func(k string, v any) map[string]any {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	now := e.Clock.Now()

	for _, tc := range []struct {
		name   string
		key    signingKey
		claims map[string]any
	}{
		{"ES256, aud token endpoint", es, valid()},
		{"RS256, aud issuer", rs, with("aud", e.URL)},
		{"aud a one-element list", es, with("aud", []string{e.URL})},
		{"without client_id, iat or nbf", es, with("iat", nil)},
		{"exp just passed, within leeway", es, with("exp", now.Add(-30*time.Second).Unix())},
	} {
		t.Run("accepted: "+tc.name, func(t *testing.T) {
			r := assertionGrant(t, e.Env, tc.key.sign(t, tc.claims), nil)
			wantTokens(t, r)
			wantServiceToken(t, e.Env, svc, r.str("access_token"), "api:read")
		})
	}

	t.Run("client_id matching sub", func(t *testing.T) {
		wantTokens(t, assertionGrant(t, e.Env, es.sign(t, valid()), url.Values{"client_id": {svc.ID}}))
	})

	t.Run("jti replay", func(t *testing.T) {
		a := es.sign(t, valid())
		wantTokens(t, assertionGrant(t, e.Env, a, nil))
		wantClientFailure(t, assertionGrant(t, e.Env, a, nil))
		// The jti is the client's: the same one in a new assertion is a replay too.
		wantClientFailure(t, assertionGrant(t, e.Env, rs.sign(t, with("jti", claimsFromJWT(t, a)["jti"])), nil))
	})

	other := newECKey(t, "es-1") // same kid, another key
	spki, err := x509.MarshalPKIXPublicKey(es.key.(crypto.Signer).Public())
	if err != nil {
		t.Fatal(err)
	}
	jwkJSON, err := json.Marshal(es.public())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		assertion string
		form      url.Values
	}{
		{"aud another server", es.sign(t, with("aud", "https://other.example.com/token")), nil},
		{"aud another endpoint of this server", es.sign(t, with("aud", e.URL+"/introspect")), nil},
		{"aud the issuer among others (audience injection)", es.sign(t, with("aud", []string{"https://api.example.com", e.URL})), nil},
		{"no aud", es.sign(t, with("aud", nil)), nil},
		{"iss another client", es.sign(t, with("iss", e.Web.ID)), nil},
		{"sub another client", es.sign(t, with("sub", e.Web.ID)), url.Values{"client_id": {svc.ID}}},
		// web holds the same key: the assertion verifies, but is svc's.
		{"client_id another client with the key", es.sign(t, valid()), url.Values{"client_id": {web.ID}}},
		{"sub names a client of another method", es.sign(t, with("sub", e.Web.ID)), nil},
		{"expired", es.sign(t, with("exp", now.Add(-2*time.Minute).Unix())), nil},
		{"no exp", es.sign(t, with("exp", nil)), nil},
		{"exp an hour ahead", es.sign(t, with("exp", now.Add(time.Hour).Unix())), nil},
		{"exp 10 minutes after iat", es.sign(t, with("iat", now.Add(-9*time.Minute).Unix())), nil},
		{"nbf ahead", es.sign(t, with("nbf", now.Add(5*time.Minute).Unix())), nil},
		{"iat ahead", es.sign(t, with("iat", now.Add(5*time.Minute).Unix())), nil},
		{"no jti", es.sign(t, with("jti", nil)), nil},
		{"empty jti", es.sign(t, with("jti", "")), nil},
		{"iss a number", es.sign(t, with("iss", 42)), nil},
		{"alg none", b64url([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64url(mustJSON(t, valid())) + ".", nil},
		{"HS256 keyed with the public JWK", signingKey{jwkJSON, jose.HS256, "es-1"}.sign(t, valid()), nil},
		{"HS256 keyed with the public key DER", signingKey{spki, jose.HS256, "es-1"}.sign(t, valid()), nil},
		{"unknown kid", signingKey{es.key, jose.ES256, "es-2"}.sign(t, valid()), nil},
		{"another key under the registered kid", other.sign(t, valid()), nil},
		{"another key without kid", signingKey{other.key, jose.ES256, ""}.sign(t, valid()), nil},
		{"RSA key with the alg of another", signingKey{rs.key, jose.PS256, "rs-1"}.sign(t, valid()), nil},
		{"signature altered", flipLast(es.sign(t, valid())), nil},
		{"not a JWT", "not-a-jwt", nil},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			wantClientFailure(t, assertionGrant(t, e.Env, tc.assertion, tc.form))
		})
	}

	t.Run("accepted: no kid, the fitting key is found", func(t *testing.T) {
		wantTokens(t, assertionGrant(t, e.Env, signingKey{es.key, jose.ES256, ""}.sign(t, valid()), nil))
	})
	t.Run("refused: other methods for a private_key_jwt client", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}}
		wantClientFailure(t, postToken(t, e.Env, form.Encode(), "", basicAuth(svc.ID, "guess")))
		form.Set("client_id", svc.ID)
		wantClientFailure(t, postToken(t, e.Env, form.Encode(), "", nil))
	})
	t.Run("refused: assertion and secret together", func(t *testing.T) {
		r := assertionGrant(t, e.Env, es.sign(t, valid()), url.Values{"client_id": {svc.ID}, "client_secret": {"x"}})
		wantTokenError(t, r, http.StatusBadRequest, oauth.InvalidRequest)
	})
	t.Run("refused: another assertion type", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_assertion": {es.sign(t, valid())},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:saml2-bearer"}}
		wantClientFailure(t, postToken(t, e.Env, form.Encode(), "", nil))
	})
	t.Run("revocation endpoint authenticates alike", func(t *testing.T) {
		r := assertionGrant(t, e.Env, es.sign(t, valid()), nil)
		wantTokens(t, r)
		c := valid()
		c["aud"] = e.URL
		form := withAssertion(url.Values{"token": {r.str("access_token")}}, es.sign(t, c))
		if got := postBack(t, e.Env, "/revoke", form.Encode(), "", nil); got.Status != http.StatusOK {
			t.Errorf("revoke with a client assertion: status %d, want 200", got.Status)
		}
		form = withAssertion(url.Values{"token": {r.str("access_token")}}, es.sign(t, with("aud", "https://other.example.com")))
		if got := postBack(t, e.Env, "/revoke", form.Encode(), "", nil); got.Status != http.StatusUnauthorized {
			t.Errorf("revoke with a misdirected assertion: status %d, want 401", got.Status)
		}
	})
}

// TestClientSecretJWT: HS256 keyed with the client secret authenticates a
// client_secret_jwt client; a wrong secret, an asymmetric alg or another
// method does not, and a default confidential client may not use it.
func TestClientSecretJWT(t *testing.T) {
	backends(t, testClientSecretJWT)
}

func testClientSecretJWT(t *testing.T, opt servertest.Options) {
	e := newRulesEnv(t, opt)
	svc, sec := e.AddClient(admin.NewClient{Type: storage.ClientService, Name: "HMAC service", Scopes: []string{"api:read"},
		AuthMethod: oauth.AuthClientSecretJWT})
	if sec == "" {
		t.Fatal("a client_secret_jwt client got no secret")
	}
	hs := signingKey{[]byte(sec), jose.HS256, ""}
	valid := func() map[string]any { return claimsFor(e.Env, svc.ID) }

	r := assertionGrant(t, e.Env, hs.sign(t, valid()), nil)
	wantTokens(t, r)
	wantServiceToken(t, e.Env, svc, r.str("access_token"), "api:read")

	a := hs.sign(t, valid())
	wantTokens(t, assertionGrant(t, e.Env, a, nil))
	t.Run("replay", func(t *testing.T) { wantClientFailure(t, assertionGrant(t, e.Env, a, nil)) })
	t.Run("wrong secret", func(t *testing.T) {
		wantClientFailure(t, assertionGrant(t, e.Env, signingKey{[]byte(sec + "x"), jose.HS256, ""}.sign(t, valid()), nil))
	})
	t.Run("another client's secret", func(t *testing.T) {
		wantClientFailure(t, assertionGrant(t, e.Env, signingKey{[]byte(e.SvcSecret), jose.HS256, ""}.sign(t, valid()), nil))
	})
	t.Run("asymmetric alg", func(t *testing.T) {
		wantClientFailure(t, assertionGrant(t, e.Env, newECKey(t, "k").sign(t, valid()), nil))
	})
	t.Run("HS512 with the secret", func(t *testing.T) {
		long := []byte(sec + sec) // HS512 needs 64 bytes of key
		wantClientFailure(t, assertionGrant(t, e.Env, signingKey{long, jose.HS512, ""}.sign(t, valid()), nil))
	})
	t.Run("secret sent directly", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}}
		wantClientFailure(t, postToken(t, e.Env, form.Encode(), "", basicAuth(svc.ID, sec)))
		form.Set("client_id", svc.ID)
		form.Set("client_secret", sec)
		wantClientFailure(t, postToken(t, e.Env, form.Encode(), "", nil))
	})
	t.Run("default confidential client", func(t *testing.T) {
		claims := claimsFor(e.Env, e.Service.ID)
		wantClientFailure(t, assertionGrant(t, e.Env, signingKey{[]byte(e.SvcSecret), jose.HS256, ""}.sign(t, claims), nil))
	})
}

// claimsFromJWT decodes a JWT's claims without verifying it.
func claimsFromJWT(t *testing.T, raw string) map[string]any {
	t.Helper()
	_, claims := jwtParts(t, raw)
	return claims
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
