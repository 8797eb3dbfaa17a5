package resource_test

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// TestVerifyJWT checks the rules of RFC 9068 §4 for JWT access tokens: the
// typ header, an accepted algorithm and a published key, iss, aud, and
// the times with their leeway.
func TestVerifyJWT(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	is.addKey("rsa", jose.RS256, true)
	is.addKey("pss", jose.PS256, true)
	is.addKey("ed", jose.EdDSA, true)
	is.addKey("other", jose.ES256, false)
	v := is.verifier(nil)
	now := is.clock.Now()
	with := func(k string, val any) string {
		return is.token(func(c map[string]any) { c[k] = val })
	}
	without := func(k string) string {
		return is.token(func(c map[string]any) { delete(c, k) })
	}
	for _, tc := range []struct {
		name  string
		token string
		why   string // in the error; "" when the token is valid
	}{
		{"valid ES256", is.token(nil), ""},
		{"valid RS256", is.sign("rsa", "at+jwt", is.claims()), ""},
		{"valid PS256", is.sign("pss", "at+jwt", is.claims()), ""},
		{"valid EdDSA", is.sign("ed", "at+jwt", is.claims()), ""},
		{"typ application/at+jwt", is.sign("k1", "application/at+jwt", is.claims()), ""},
		{"typ in capitals", is.sign("k1", "AT+JWT", is.claims()), ""},
		{"aud list with ours", with("aud", []string{"https://other.example.com", audience}), ""},
		{"expired within the leeway", with("exp", now.Add(-20*time.Second).Unix()), ""},
		{"no iat, nbf or jti", is.token(func(c map[string]any) { delete(c, "iat"); delete(c, "jti") }), ""},
		{"nbf within the leeway", with("nbf", now.Add(20*time.Second).Unix()), ""},

		{"expired", with("exp", now.Add(-31*time.Second).Unix()), "expired"},
		{"no exp", without("exp"), "no expiry"},
		{"exp not a number", with("exp", "tomorrow"), "exp is not a date"},
		{"not valid yet", with("nbf", now.Add(2*time.Minute).Unix()), "not valid yet"},
		{"issued in the future", with("iat", now.Add(2*time.Minute).Unix()), "issued in the future"},
		{"wrong aud", with("aud", "https://other.example.com"), "not for this audience"},
		{"aud differs in case", with("aud", strings.ToUpper(audience)), "not for this audience"},
		{"no aud", without("aud"), "not for this audience"},
		{"aud of the wrong type", with("aud", 42), "aud is neither"},
		{"wrong iss", with("iss", "https://evil.example.com"), "another issuer"},
		{"iss with a final slash", with("iss", is.srv.URL+"/"), "another issuer"},
		{"no iss", without("iss"), "another issuer"},
		{"typ JWT", is.sign("k1", "JWT", is.claims()), "typ at+jwt"},
		{"no typ", is.sign("k1", "", is.claims()), "typ at+jwt"},
		{"alg none", unsigned(is.claims(), map[string]any{"alg": "none", "typ": "at+jwt", "kid": "k1"}), "algorithm \"none\""},
		{"HS256 keyed with the RSA public key", hmacWithPublicKey(t, is, "rsa"), "algorithm \"HS256\""},
		{"signed by an unpublished key under a published kid", resign(t, is, "other", "k1", jose.ES256), "signature is invalid"},
		{"PS256 with a key published for RS256", resign(t, is, "rsa", "rsa", jose.PS256), "unknown key"},
		{"claims not an object", is.sign("k1", "at+jwt", nil), "not a JSON object"},
		{"malformed", "a.b.c", "illegal base64"},
		{"opaque token without introspection", "2YotnFZFEjr1zCsicMWpAA", "not a JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(t.Context(), tc.token)
			if tc.why == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Subject != "user-1" || c.ClientID != "spa-1" || c.Issuer != is.srv.URL || !slices.Contains(c.Audience, audience) ||
					!c.HasScope("orders:read") || !c.HasScope("profile") || c.HasScope("orders") || !slices.Equal(c.Groups, []string{"staff"}) {
					t.Errorf("claims %+v", c)
				}
				if c.ExpiresAt.IsZero() || c.Raw["client_id"] != "spa-1" {
					t.Errorf("exp %v, raw %v", c.ExpiresAt, c.Raw)
				}
				return
			}
			if !errors.Is(err, resource.ErrInvalidToken) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("Verify = %+v, %v; want an ErrInvalidToken error saying %q", c, err, tc.why)
			}
		})
	}
	if n := is.jwksFetches.Load(); n > 2 {
		t.Errorf("%d JWK set fetches; want the cached set used", n)
	}
}

// TestClaimsFields checks how claims are read: scope as a space-separated
// string or scp, times, and jti.
func TestClaimsFields(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	v := is.verifier(nil)
	exp := is.clock.Now().Add(time.Minute).Truncate(time.Second)
	for _, tc := range []struct {
		name  string
		edit  func(map[string]any)
		scope []string
	}{
		{"scope string", nil, []string{"orders:read", "profile"}},
		{"scp array", func(c map[string]any) { delete(c, "scope"); c["scp"] = []string{"a", "b"} }, []string{"a", "b"}},
		{"scope wins over scp", func(c map[string]any) { c["scp"] = []string{"a"} }, []string{"orders:read", "profile"}},
		{"no scope", func(c map[string]any) { delete(c, "scope") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(t.Context(), is.token(func(c map[string]any) {
				c["exp"] = exp.Unix()
				if tc.edit != nil {
					tc.edit(c)
				}
			}))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Scopes, tc.scope) || !c.ExpiresAt.Equal(exp) || c.ID != "jti-1" || c.IssuedAt.IsZero() {
				t.Errorf("scopes %q, exp %v, jti %q, iat %v; want %q, %v, jti-1, set", c.Scopes, c.ExpiresAt, c.ID, c.IssuedAt, tc.scope, exp)
			}
		})
	}
}

// unsigned makes a JWS with the given header and an empty signature.
func unsigned(claims, header map[string]any) string {
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(claims)
	return b64(h) + "." + b64(p) + "."
}

// hmacWithPublicKey is the algorithm-confusion attack (RFC 8725 §2.1):
// HS256 keyed with the bytes of the issuer's public RSA key, which a
// careless verifier would use as the HMAC secret.
func hmacWithPublicKey(t *testing.T, is *issuer, kid string) string {
	t.Helper()
	is.mu.Lock()
	pub := is.private[kid].Key.(*rsa.PrivateKey).Public()
	is.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	h, _ := json.Marshal(map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": kid})
	p, _ := json.Marshal(is.claims())
	input := b64(h) + "." + b64(p)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + b64(mac.Sum(nil))
}

// resign signs valid claims with key signer and alg, naming key kid in the
// header.
func resign(t *testing.T, is *issuer, signer, kid string, alg jose.SignatureAlgorithm) string {
	t.Helper()
	is.mu.Lock()
	k := is.private[signer]
	is.mu.Unlock()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k.Key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader(jose.HeaderKey("kid"), kid))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := json.Marshal(is.claims())
	jws, err := s.Sign(p)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
