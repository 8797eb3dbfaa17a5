package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// jwksHost is a client's web server publishing its keys at /jwks, counting
// fetches.
type jwksHost struct {
	*httptest.Server
	fetches atomic.Int64
	mu      sync.Mutex
	doc     []byte
}

func newJWKSHost(t *testing.T, doc []byte) *jwksHost {
	t.Helper()
	h := &jwksHost{doc: doc}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fetches.Add(1)
		h.mu.Lock()
		defer h.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(h.doc)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *jwksHost) publish(doc []byte) {
	h.mu.Lock()
	h.doc = doc
	h.mu.Unlock()
}

// jwksClient registers a private_key_jwt service client with a jwks_uri.
func jwksClient(t *testing.T, env *servertest.Env, uri string) storage.Client {
	t.Helper()
	c, _ := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Keys at " + uri, Scopes: []string{"api:read"},
		AuthMethod: oauth.AuthPrivateKeyJWT, JWKSURI: uri})
	return c
}

// TestPrivateKeyJWTJWKSURI: keys published at a jwks_uri are fetched once
// and cached; an unknown kid triggers one refetch at most every few
// seconds, which picks up a rotated key; and the cache expires.
func TestPrivateKeyJWTJWKSURI(t *testing.T) {
	t.Parallel()
	env := servertest.New(t, servertest.Options{})
	rs := newRSAKey(t, "rs-1")
	pub := rs.public()
	pub.Algorithm = "" // use sig only: RS256 and PS256 both fit
	host := newJWKSHost(t, jwkSet(t, pub))
	svc := jwksClient(t, env, host.URL+"/jwks")
	grant := func(k signingKey) tokenResponse {
		return assertionGrant(t, env, k.sign(t, claimsFor(env, svc.ID)), nil)
	}
	wantFetches := func(n int64) {
		t.Helper()
		if got := host.fetches.Load(); got != n {
			t.Errorf("jwks_uri fetched %d times, want %d", got, n)
		}
	}

	r := grant(rs)
	wantTokens(t, r)
	wantServiceToken(t, env, svc, r.str("access_token"), "api:read")
	wantTokens(t, grant(signingKey{rs.key, jose.PS256, "rs-1"}))
	wantFetches(1)

	// The client rotates to a new key. At first the cached set does not
	// know it, and a refetch so soon after the last one is not allowed.
	next := newECKey(t, "es-2")
	host.publish(jwkSet(t, next.public()))
	for range 5 {
		wantClientFailure(t, grant(next))
	}
	wantFetches(1)
	env.Clock.Advance(11 * time.Second)
	wantTokens(t, grant(next)) // unknown kid: one refetch finds it
	wantFetches(2)
	for range 5 {
		wantClientFailure(t, grant(signingKey{next.key, jose.ES256, "unknown"}))
	}
	wantFetches(2)
	wantClientFailure(t, grant(rs)) // rotated out
	env.Clock.Advance(6 * time.Minute)
	wantTokens(t, grant(next)) // the cached set expired: fetched again
	wantFetches(3)
}

// TestJWKSURIFailures: whatever a jwks_uri does — refuse connections,
// fail, hang, send too much, redirect to http, publish private keys —
// the token endpoint answers invalid_client 401, in bounded time.
func TestJWKSURIFailures(t *testing.T) {
	t.Parallel()
	env := servertest.New(t, servertest.Options{})
	es := newECKey(t, "es-1")
	good := jwkSet(t, es.public())
	serve := func(h http.HandlerFunc) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s.URL + "/jwks"
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hang := make(chan struct{})
	hanging := serve(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	})
	t.Cleanup(func() { close(hang) })

	for _, tc := range []struct {
		name string
		uri  string
	}{
		{"connection refused", closed.URL + "/jwks"},
		{"server error", serve(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) })},
		{"not JSON", serve(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>keys</html>")) })},
		{"too large", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"keys":[],"padding":"` + strings.Repeat("x", 100<<10) + `"}`))
		})},
		{"private keys published", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(jwkSet(t, jose.JSONWebKey{Key: es.key, KeyID: "es-1", Algorithm: "ES256"}))
		})},
		{"redirect to http", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://keys.example.com/jwks", http.StatusFound)
		})},
		{"endless redirects", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		})},
		{"hangs", hanging},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := jwksClient(t, env, tc.uri)
			start := time.Now()
			wantClientFailure(t, assertionGrant(t, env, es.sign(t, claimsFor(env, svc.ID)), nil))
			if d := time.Since(start); d > 7*time.Second {
				t.Errorf("the token request took %v", d)
			}
			// A failed fetch is not retried at once: the next request
			// fails fast instead of waiting again.
			start = time.Now()
			wantClientFailure(t, assertionGrant(t, env, es.sign(t, claimsFor(env, svc.ID)), nil))
			if d := time.Since(start); d > time.Second {
				t.Errorf("the second token request took %v", d)
			}
		})
	}
	t.Run("control: the same key served properly", func(t *testing.T) {
		t.Parallel()
		svc := jwksClient(t, env, serve(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(good) }))
		wantTokens(t, assertionGrant(t, env, es.sign(t, claimsFor(env, svc.ID)), nil))
	})
}
