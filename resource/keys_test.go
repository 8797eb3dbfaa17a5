package resource_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// TestUnknownKeyRefetch: a token signed with a key the cached set does not
// hold makes the verifier fetch the set again, once, and not again within
// KeyRefetchInterval; a key the issuer adds later is accepted after that.
func TestUnknownKeyRefetch(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	is.addKey("k2", jose.ES256, false)
	v := is.verifier(func(c *resource.Config) { c.KeyRefetchInterval = 10 * time.Second })
	k2 := func() string { return is.sign("k2", "at+jwt", is.claims()) }
	k3 := resign(t, is, "k2", "k3", jose.ES256)

	steps := []struct {
		name    string
		before  func()
		token   func() string
		ok      bool
		fetches int32 // JWK set fetches so far
	}{
		{"the first token fetches the set", nil, func() string { return is.token(nil) }, true, 1},
		{"an unknown kid within the interval does not fetch", nil, k2, false, 1},
		{"an unknown kid later fetches it once more, then fails", func() { is.clock.Advance(11 * time.Second) }, k2, false, 2},
		{"another unknown kid right after does not fetch", nil, func() string { return k3 }, false, 2},
		{"a key published within the interval is not seen yet", func() { is.publish("k2") }, k2, false, 2},
		{"after the interval the new key is fetched and accepted", func() { is.clock.Advance(11 * time.Second) }, k2, true, 3},
		{"then it is served from the cache", nil, k2, true, 3},
		{"the old key still works", nil, func() string { return is.token(nil) }, true, 3},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		_, err := v.Verify(t.Context(), s.token())
		if s.ok && err != nil || !s.ok && !errors.Is(err, resource.ErrInvalidToken) {
			t.Errorf("%s: Verify error %v, want ok=%v", s.name, err, s.ok)
		}
		if got := is.jwksFetches.Load(); got != s.fetches {
			t.Errorf("%s: %d fetches, want %d", s.name, got, s.fetches)
		}
	}
}

// TestKeyCacheLifetime: the set is used for the response's Cache-Control
// max-age, kept between one minute and twelve hours, or five minutes
// without one.
func TestKeyCacheLifetime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cacheControl string
		after        time.Duration
		fetches      int32
	}{
		{"", 4*time.Minute + 59*time.Second, 1},
		{"", 5 * time.Minute, 2},
		{"public, max-age=120", 119 * time.Second, 1},
		{"public, max-age=120", 120 * time.Second, 2},
		{"max-age=5", 59 * time.Second, 1},
		{"max-age=5", time.Minute, 2},
		{"no-store", time.Minute, 2},
		{"max-age=999999999", 11 * time.Hour, 1},
		{"max-age=999999999", 12 * time.Hour, 2},
	} {
		t.Run(tc.cacheControl+"/"+tc.after.String(), func(t *testing.T) {
			t.Parallel()
			is := newIssuer(t)
			is.set(func(is *issuer) { is.cacheControl = tc.cacheControl })
			v := is.verifier(nil)
			if _, err := v.Verify(t.Context(), is.token(nil)); err != nil {
				t.Fatal(err)
			}
			is.clock.Advance(tc.after)
			if _, err := v.Verify(t.Context(), is.token(nil)); err != nil {
				t.Fatal(err)
			}
			if got := is.jwksFetches.Load(); got != tc.fetches {
				t.Errorf("%d fetches, want %d", got, tc.fetches)
			}
		})
	}
}

// TestConcurrentRequestsShareAFetch: requests that arrive while the set is
// being fetched wait for that fetch instead of starting their own.
func TestConcurrentRequestsShareAFetch(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	is.set(func(is *issuer) { is.jwksDelay = 100 * time.Millisecond })
	v := is.verifier(nil)
	tok := is.token(nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := v.Verify(t.Context(), tok)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := is.jwksFetches.Load(); got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
}

// TestIssuerUnreachable: when the set cannot be fetched the token is not
// declared invalid (it may be fine); a set fetched before keeps serving
// after it expires while the issuer is down.
func TestIssuerUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("never fetched", func(t *testing.T) {
		t.Parallel()
		is := newIssuer(t)
		is.set(func(is *issuer) { is.jwksStatus = http.StatusServiceUnavailable })
		v := is.verifier(nil)
		for range 2 { // the second try is rate limited and reports the same
			_, err := v.Verify(t.Context(), is.token(nil))
			if err == nil || errors.Is(err, resource.ErrInvalidToken) || !strings.Contains(err.Error(), "503") {
				t.Errorf("Verify error %v; want a fetch failure, not an invalid token", err)
			}
		}
		if got := is.jwksFetches.Load(); got != 1 {
			t.Errorf("%d fetches, want 1", got)
		}
	})
	t.Run("stale keys serve", func(t *testing.T) {
		t.Parallel()
		is := newIssuer(t)
		v := is.verifier(nil)
		if _, err := v.Verify(t.Context(), is.token(nil)); err != nil {
			t.Fatal(err)
		}
		is.set(func(is *issuer) { is.jwksStatus = http.StatusInternalServerError })
		is.clock.Advance(6 * time.Minute)
		if _, err := v.Verify(t.Context(), is.token(nil)); err != nil {
			t.Errorf("Verify with the issuer down and a stale set: %v", err)
		}
		if got := is.jwksFetches.Load(); got != 2 {
			t.Errorf("%d fetches, want 2 (the refresh was tried)", got)
		}
	})
	t.Run("oversized or malformed set", func(t *testing.T) {
		t.Parallel()
		for _, body := range []string{`{"keys":[` + strings.Repeat(" ", 1<<20) + `]}`, `{"keys":`, `{}`, `[]`} {
			is := newIssuer(t)
			is.set(func(is *issuer) { is.jwksBody = []byte(body) })
			v := is.verifier(nil)
			if _, err := v.Verify(t.Context(), is.token(nil)); err == nil || errors.Is(err, resource.ErrInvalidToken) {
				t.Errorf("set %.20q...: Verify error %v; want a fetch failure", body, err)
			}
		}
	})
	t.Run("unusable keys are skipped", func(t *testing.T) {
		t.Parallel()
		is := newIssuer(t)
		v := is.verifier(nil)
		is.mu.Lock()
		k := is.private["k1"]
		pub, _ := k.Public().MarshalJSON()
		is.mu.Unlock()
		is.set(func(is *issuer) {
			is.jwksBody = []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"k1"},{"kty":"XYZ","kid":"k1"},` + string(pub) + `]}`)
		})
		if _, err := v.Verify(t.Context(), is.token(nil)); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}

// TestDiscovery: New finds the JWK set (and the introspection endpoint)
// in the issuer's metadata, at the OpenID Connect location or else the
// RFC 8414 one, and refuses metadata about another issuer.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/evil/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":"https://evil.example.com","jwks_uri":"https://evil.example.com/jwks"}`)
		case "/.well-known/oauth-authorization-server/tenant":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, srv.URL+"/tenant", srv.URL+"/jwks")
		case "/nokeys/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q}`, srv.URL+"/nokeys")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := func(issuer string) resource.Config {
		return resource.Config{Issuer: srv.URL + issuer, Audience: audience, HTTPClient: srv.Client()}
	}
	if _, err := resource.New(t.Context(), cfg("/tenant")); err != nil {
		t.Errorf("New with RFC 8414 metadata: %v", err)
	}
	for _, tc := range []struct {
		name string
		cfg  resource.Config
		want string
	}{
		{"metadata about another issuer", cfg("/evil"), "is about issuer"},
		{"no metadata", cfg("/none"), "no metadata"},
		{"no jwks_uri", cfg("/nokeys"), "no jwks_uri"},
		{"no introspection endpoint", func() resource.Config {
			c := cfg("/tenant")
			c.Introspection = &resource.Introspection{ClientID: "a", ClientSecret: "b"}
			return c
		}(), "no introspection endpoint"},
		{"no issuer", resource.Config{Audience: audience}, "issuer must be"},
		{"relative issuer", resource.Config{Issuer: "id.example.com", Audience: audience}, "issuer must be"},
		{"no audience", resource.Config{Issuer: "https://id.example.com"}, "audience is required"},
		{"introspection without a secret", resource.Config{Issuer: "https://id.example.com", Audience: audience,
			Introspection: &resource.Introspection{ClientID: "x"}}, "client ID and secret"},
	} {
		if _, err := resource.New(t.Context(), tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}
