package resource_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// audience is the API's identifier in these tests.
const audience = "https://api.example.com"

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// issuer is a stand-in authorization server: discovery, a JWK set that the
// test controls, and an introspection endpoint answering from a table.
type issuer struct {
	t     testing.TB
	srv   *httptest.Server
	clock *clock

	mu           sync.Mutex
	private      map[string]jose.JSONWebKey // every key, by kid
	published    []string                   // kids in the JWK set
	cacheControl string
	jwksStatus   int    // 0 means 200
	jwksBody     []byte // replaces the set when not nil
	jwksDelay    time.Duration
	introspected map[string]string // token → JSON answer

	jwksFetches    atomic.Int32
	introspections atomic.Int32
}

// Introspection client credentials, with characters that must be
// form-encoded in the Basic header (RFC 6749 §2.3.1).
const (
	introClientID     = "orders api"
	introClientSecret = "s3cr:t/+%"
)

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	is := &issuer{
		t:            t,
		clock:        &clock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
		private:      map[string]jose.JSONWebKey{},
		introspected: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q,"introspection_endpoint":%q}`, is.srv.URL, is.srv.URL+"/jwks", is.srv.URL+"/introspect")
	})
	mux.HandleFunc("GET /jwks", is.serveJWKS)
	mux.HandleFunc("POST /introspect", is.serveIntrospect)
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	is.addKey("k1", jose.ES256, true)
	return is
}

func (is *issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	is.jwksFetches.Add(1)
	is.mu.Lock()
	delay, status, body, cc := is.jwksDelay, is.jwksStatus, is.jwksBody, is.cacheControl
	var set jose.JSONWebKeySet
	for _, kid := range is.published {
		k := is.private[kid]
		set.Keys = append(set.Keys, k.Public())
	}
	is.mu.Unlock()
	time.Sleep(delay)
	if status != 0 {
		http.Error(w, "unavailable", status)
		return
	}
	if body == nil {
		body, _ = json.Marshal(set)
	}
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(body)
}

func (is *issuer) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	is.introspections.Add(1)
	id, secret, ok := r.BasicAuth()
	if !ok || id != "orders+api" || secret != "s3cr%3At%2F%2B%25" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	if r.PostFormValue("token_type_hint") != "access_token" {
		http.Error(w, "no hint", http.StatusBadRequest)
		return
	}
	is.mu.Lock()
	answer, ok := is.introspected[r.PostFormValue("token")]
	is.mu.Unlock()
	if !ok {
		answer = `{"active":false}`
	}
	if answer == "500" {
		http.Error(w, "broken", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, answer)
}

// addKey makes a signing key, published in the JWK set or not.
func (is *issuer) addKey(kid string, alg jose.SignatureAlgorithm, publish bool) {
	is.t.Helper()
	var key crypto.Signer
	var err error
	switch alg {
	case jose.ES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.RS256, jose.PS256:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.EdDSA:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		is.t.Fatal(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.private[kid] = jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: string(alg), Use: "sig"}
	if publish {
		is.published = append(is.published, kid)
	}
}

func (is *issuer) publish(kid string) {
	is.mu.Lock()
	is.published = append(is.published, kid)
	is.mu.Unlock()
}

func (is *issuer) set(f func(is *issuer)) {
	is.mu.Lock()
	f(is)
	is.mu.Unlock()
}

// claims are a valid access token's claims (RFC 9068 §2.2).
func (is *issuer) claims() map[string]any {
	now := is.clock.Now()
	return map[string]any{
		"iss": is.srv.URL, "sub": "user-1", "aud": audience, "client_id": "spa-1",
		"scope": "orders:read profile", "groups": []string{"staff"}, "jti": "jti-1",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
}

// token signs the valid claims, changed by edit, with key k1 and typ at+jwt.
func (is *issuer) token(edit func(map[string]any)) string {
	c := is.claims()
	if edit != nil {
		edit(c)
	}
	return is.sign("k1", "at+jwt", c)
}

// sign signs claims with the named key; typ "" leaves the header out.
func (is *issuer) sign(kid, typ string, claims map[string]any) string {
	is.t.Helper()
	is.mu.Lock()
	k := is.private[kid]
	is.mu.Unlock()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Algorithm), Key: k}, opts)
	if err != nil {
		is.t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		is.t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		is.t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		is.t.Fatal(err)
	}
	return raw
}

// config is a Verifier configuration for this issuer, found by discovery.
func (is *issuer) config() resource.Config {
	return resource.Config{
		Issuer:     is.srv.URL,
		Audience:   audience,
		HTTPClient: is.srv.Client(),
		Now:        is.clock.Now,
		Logger:     slog.New(slog.DiscardHandler),
	}
}

// verifier makes a Verifier with config, as edit changes it.
func (is *issuer) verifier(edit func(*resource.Config)) *resource.Verifier {
	is.t.Helper()
	cfg := is.config()
	if edit != nil {
		edit(&cfg)
	}
	v, err := resource.New(is.t.Context(), cfg)
	if err != nil {
		is.t.Fatalf("resource.New: %v", err)
	}
	return v
}
