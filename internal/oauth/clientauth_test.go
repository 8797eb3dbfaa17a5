package oauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// fakeJWT builds an unsigned-looking compact JWS with the given header and
// payload JSON; the parser never verifies, so the signature is filler.
func fakeJWT(header, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestParseClientAssertion(t *testing.T) {
	t.Parallel()
	es := fakeJWT(`{"alg":"ES256","kid":"k1"}`, `{"iss":"app","sub":"app"}`)
	hs := fakeJWT(`{"alg":"HS256"}`, `{"iss":"app","sub":"app"}`)
	form := func(kv ...string) map[string]string {
		m := map[string]string{"client_assertion_type": ClientAssertionJWT}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name   string
		auth   string
		form   map[string]string
		want   ClientCredentials
		code   string
		status int
	}{
		{"private_key_jwt, id from sub", "", form("client_assertion", es),
			ClientCredentials{ID: "app", Assertion: es, Method: AuthPrivateKeyJWT}, "", 0},
		{"client_secret_jwt with client_id", "", form("client_assertion", hs, "client_id", "app"),
			ClientCredentials{ID: "app", Assertion: hs, Method: AuthClientSecretJWT}, "", 0},
		// A client_id differing from sub is caught when the assertion is
		// verified (iss == sub == client_id); the parser keeps client_id.
		{"client_id kept as sent", "", form("client_assertion", es, "client_id", "other"),
			ClientCredentials{ID: "other", Assertion: es, Method: AuthPrivateKeyJWT}, "", 0},
		{"assertion without type", "", map[string]string{"client_assertion": es}, ClientCredentials{}, InvalidRequest, 400},
		{"type without assertion", "", form(), ClientCredentials{}, InvalidRequest, 400},
		{"assertion and secret", "", form("client_assertion", es, "client_id", "app", "client_secret", "s"), ClientCredentials{}, InvalidRequest, 400},
		{"assertion and Basic", basic("app", "s"), form("client_assertion", es), ClientCredentials{}, InvalidRequest, 400},
		{"other assertion type", "", map[string]string{"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", "client_assertion": es}, ClientCredentials{}, InvalidClient, 401},
		{"alg none", "", form("client_assertion", fakeJWT(`{"alg":"none"}`, `{"sub":"app"}`)), ClientCredentials{}, InvalidClient, 401},
		{"alg None", "", form("client_assertion", fakeJWT(`{"alg":"None"}`, `{"sub":"app"}`)), ClientCredentials{}, InvalidClient, 401},
		{"no alg", "", form("client_assertion", fakeJWT(`{}`, `{"sub":"app"}`)), ClientCredentials{}, InvalidClient, 401},
		{"no sub and no client_id", "", form("client_assertion", fakeJWT(`{"alg":"ES256"}`, `{"iss":"app"}`)), ClientCredentials{}, InvalidClient, 401},
		{"numeric sub", "", form("client_assertion", fakeJWT(`{"alg":"ES256"}`, `{"sub":7}`)), ClientCredentials{}, InvalidClient, 401},
		{"JWE", "", form("client_assertion", "a.b.c.d.e"), ClientCredentials{}, InvalidClient, 401},
		{"not base64", "", form("client_assertion", "!!.!!.!!"), ClientCredentials{}, InvalidClient, 401},
		{"header not JSON", "", form("client_assertion", "bm90.e30.c2ln"), ClientCredentials{}, InvalidClient, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseClientCredentials(tt.auth, tt.form)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Errorf("= %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			e := wantCode(t, err, tt.code)
			if e.HTTPStatus() != tt.status {
				t.Errorf("status %d, want %d", e.HTTPStatus(), tt.status)
			}
			if tt.status == http.StatusUnauthorized && e.Challenge == "" {
				t.Errorf("401 without a challenge")
			}
			if got != (ClientCredentials{}) {
				t.Errorf("credentials %+v returned with an error", got)
			}
		})
	}
}

func TestParseClientJWKSFetched(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := func(keys ...jose.JSONWebKey) []byte {
		b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ecPub := jose.JSONWebKey{Key: ec.Public()}
	// A published set may hold keys Gatehouse cannot use; they are left out.
	got, err := ParseClientJWKS(set(ecPub, jose.JSONWebKey{Key: ec.Public(), KeyID: "enc", Use: "enc"},
		jose.JSONWebKey{Key: ed.Public(), KeyID: "ed"}), false)
	if err != nil || len(got.Keys) != 2 || got.Keys[1].KeyID != "ed" {
		t.Fatalf("ParseClientJWKS = %+v, %v; want the EC key without kid and the Ed25519 key", got, err)
	}
	if _, err := ParseClientJWKS(set(ecPub), true); err == nil {
		t.Error("registration accepted a key without kid")
	}
	for name, doc := range map[string][]byte{
		"private key":    set(jose.JSONWebKey{Key: ec, KeyID: "k"}),
		"only enc keys":  set(jose.JSONWebKey{Key: ec.Public(), KeyID: "enc", Use: "enc"}),
		"not JSON":       []byte("<html>"),
		"keys not array": []byte(`{"keys":{}}`),
	} {
		if _, err := ParseClientJWKS(doc, false); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestKeyFitsAlg(t *testing.T) {
	t.Parallel()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  jose.JSONWebKey
		alg  string
		want bool
	}{
		{jose.JSONWebKey{Key: ec.Public()}, "ES256", true},
		{jose.JSONWebKey{Key: ec.Public()}, "RS256", false},
		{jose.JSONWebKey{Key: ec.Public()}, "HS256", false},
		{jose.JSONWebKey{Key: ec.Public()}, "none", false},
		{jose.JSONWebKey{Key: ec.Public(), Algorithm: "ES256"}, "ES256", true},
		{jose.JSONWebKey{Key: rsaKey.Public()}, "RS256", true},
		{jose.JSONWebKey{Key: rsaKey.Public()}, "PS256", true},
		{jose.JSONWebKey{Key: rsaKey.Public(), Algorithm: "RS256"}, "PS256", false},
		{jose.JSONWebKey{Key: edPub}, "EdDSA", true},
		{jose.JSONWebKey{Key: edPub}, "ES256", false},
		{jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef")}, "HS256", false},
	}
	for _, tt := range tests {
		if got := KeyFitsAlg(tt.key, tt.alg); got != tt.want {
			t.Errorf("KeyFitsAlg(%T alg=%q, %s) = %v, want %v", tt.key.Key, tt.key.Algorithm, tt.alg, got, tt.want)
		}
	}
}

func TestValidateJWKSURI(t *testing.T) {
	t.Parallel()
	for uri, ok := range map[string]bool{
		"https://keys.example.com/jwks":       true,
		"https://keys.example.com:8443/jwks":  true,
		"http://127.0.0.1:9000/jwks":          true,
		"http://localhost/jwks":               true,
		"http://[::1]:9000/jwks":              true,
		"http://keys.example.com/jwks":        false,
		"http://127.0.0.1.nip.io/jwks":        false,
		"ftp://keys.example.com/jwks":         false,
		"https:///jwks":                       false,
		"/jwks":                               false,
		"https://user:pw@keys.example.com/j":  false,
		"https://keys.example.com/jwks#frag":  false,
		"file:///etc/passwd":                  false,
		"https://keys.example.com/jwks?v=1&x": true,
	} {
		if err := ValidateJWKSURI(uri); (err == nil) != ok {
			t.Errorf("ValidateJWKSURI(%q) = %v, want ok=%v", uri, err, ok)
		}
	}
}
