package tokenapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

const testIssuer = "https://id.example.com"

func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestAssertionAlgAllowList: the algorithms an assertion may use follow
// from the client's registered method alone. Even if the method check
// before it were skipped, an HMAC assertion keyed with a private_key_jwt
// client's public key, or an asymmetric one for a client_secret_jwt
// client, does not verify.
func TestAssertionAlgAllowList(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	secrets, err := secret.NewClientSecrets([]byte(strings.Repeat("m", 32)))
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubJWK, err := json.Marshal(jose.JSONWebKey{Key: key.Public(), KeyID: "k1", Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	pkj := storage.Client{ID: "pkj", Name: "pkj", Type: storage.ClientService, AuthMethod: oauth.AuthPrivateKeyJWT,
		JWKS: []byte(`{"keys":[` + string(pubJWK) + `]}`), CreatedAt: now, UpdatedAt: now}
	const hmacSecret = "0123456789abcdef0123456789abcdef0123456789a"
	sealed, err := secrets.Seal("csj", []string{hmacSecret})
	if err != nil {
		t.Fatal(err)
	}
	csj := storage.Client{ID: "csj", Name: "csj", Type: storage.ClientService, AuthMethod: oauth.AuthClientSecretJWT,
		SecretHash: secrets.Hash("csj", hmacSecret), SealedSecret: sealed, CreatedAt: now, UpdatedAt: now}
	for _, c := range []storage.Client{pkj, csj} {
		if err := st.CreateClient(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	a := NewClientAuth(ClientAuthOptions{Store: st, Secrets: secrets, Issuer: testIssuer})
	claims := func(id string) map[string]any {
		return map[string]any{"iss": id, "sub": id, "aud": testIssuer, "jti": secret.NewID(), "exp": time.Now().Add(time.Minute).Unix()}
	}
	tests := []struct {
		name      string
		client    storage.Client
		method    string
		assertion string
		ok        bool
	}{
		{"private_key_jwt ES256", pkj, oauth.AuthPrivateKeyJWT, sign(t, jose.ES256, key, claims("pkj")), true},
		{"HS256 keyed with the public JWK", pkj, oauth.AuthPrivateKeyJWT, sign(t, jose.HS256, pubJWK, claims("pkj")), false},
		{"client_secret_jwt HS256", csj, oauth.AuthClientSecretJWT, sign(t, jose.HS256, []byte(hmacSecret), claims("csj")), true},
		{"ES256 for client_secret_jwt", csj, oauth.AuthClientSecretJWT, sign(t, jose.ES256, key, claims("csj")), false},
		{"HS384 with the secret", csj, oauth.AuthClientSecretJWT, sign(t, jose.HS384, []byte(hmacSecret+hmacSecret), claims("csj")), false},
	}
	for _, tt := range tests {
		creds := oauth.ClientCredentials{ID: tt.client.ID, Assertion: tt.assertion, Method: tt.method}
		err := a.verifyAssertion(t.Context(), tt.client, creds)
		var oe *oauth.Error
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && (!errors.As(err, &oe) || oe.Code != oauth.InvalidClient):
			t.Errorf("%s: error %v, want invalid_client", tt.name, err)
		}
	}
}

// TestJWKSCache: one fetch serves concurrent requests and then the TTL; a
// refresh is rate limited; a failed refetch keeps a fresh set in use.
func TestJWKSCache(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		time.Sleep(20 * time.Millisecond) // let concurrent callers pile up
		if failing.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k", Use: "sig"}}})
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	c := newJWKSCache(newJWKSClient(), now)
	uri := srv.URL + "/jwks"
	want := func(n int64) {
		t.Helper()
		if got := fetches.Load(); got != n {
			t.Fatalf("%d fetches, want %d", got, n)
		}
	}

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.get(t.Context(), uri, false); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want(1)
	first, _ := c.get(t.Context(), uri, true) // refresh within jwksMinRefetch: cached
	want(1)
	advance(jwksMinRefetch)
	second, _ := c.get(t.Context(), uri, true)
	want(2)
	if first.Keys[0].Key.(*ecdsa.PublicKey).Equal(second.Keys[0].Key) {
		t.Error("refresh returned the cached set")
	}
	advance(jwksTTL - jwksMinRefetch)
	if _, err := c.get(t.Context(), uri, false); err != nil {
		t.Fatal(err)
	}
	want(2)
	advance(jwksMinRefetch)
	if _, err := c.get(t.Context(), uri, false); err != nil {
		t.Fatal(err)
	}
	want(3)

	failing.Store(true)
	advance(jwksMinRefetch)
	if _, err := c.get(t.Context(), uri, true); err != nil {
		t.Errorf("a failed refresh dropped a fresh set: %v", err)
	}
	want(4)
	advance(jwksTTL)
	if _, err := c.get(t.Context(), uri, false); err == nil {
		t.Error("an expired set was used after its refetch failed")
	}
	want(5)
	if _, err := c.get(t.Context(), uri, false); err == nil {
		t.Error("a failure was forgotten at once")
	}
	want(5) // not retried within jwksMinRefetch
}
