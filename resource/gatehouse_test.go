package resource_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/resource"
)

// TestGatehouse checks the kit against a real Gatehouse: a service
// client's access token (client credentials, RFC 6749 §4.4) is accepted
// by its JWT and by introspection, as the API's Require sees it, and a
// revoked token is refused by introspection once the cache entry expires.
// (Only tests may import the server; the kit itself does not.)
func TestGatehouse(t *testing.T) {
	t.Parallel()
	env := servertest.New(t, servertest.Options{})
	svc, svcSecret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Billing job", Scopes: []string{"orders:read", "orders:write"}})
	api, apiSecret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Orders API"})
	api.ResourceServer = true
	env.UpdateClient(api)

	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, env.Server.Client())
	cc := clientcredentials.Config{ClientID: svc.ID, ClientSecret: svcSecret, TokenURL: env.URL + "/token", Scopes: []string{"orders:read"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}

	base := resource.Config{Issuer: env.URL, Audience: env.URL, HTTPClient: env.Server.Client(), Now: env.Clock.Now}
	byJWKS, err := resource.New(t.Context(), base) // keys found by discovery
	if err != nil {
		t.Fatalf("resource.New: %v", err)
	}
	withIntrospection := base
	withIntrospection.Introspection = &resource.Introspection{ClientID: api.ID, ClientSecret: apiSecret, Always: true}
	byIntrospection, err := resource.New(t.Context(), withIntrospection)
	if err != nil {
		t.Fatalf("resource.New with introspection: %v", err)
	}

	for name, v := range map[string]*resource.Verifier{"jwks": byJWKS, "introspection": byIntrospection} {
		t.Run(name, func(t *testing.T) {
			c, err := v.Verify(t.Context(), tok.AccessToken)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.Subject != svc.ID || c.ClientID != svc.ID || c.Issuer != env.URL || !slices.Equal(c.Scopes, []string{"orders:read"}) ||
				!slices.Contains(c.Audience, env.URL) || c.ID == "" || c.ExpiresAt.Sub(tok.Expiry).Abs() > 5*time.Second {
				t.Errorf("claims %+v; want the service client's token with scope orders:read", c)
			}
			for scope, want := range map[string]int{"orders:read": http.StatusOK, "orders:write": http.StatusForbidden} {
				h := v.Require(scope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
				r := httptest.NewRequest(http.MethodGet, "/orders", nil)
				r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != want {
					t.Errorf("Require(%s): status %d, want %d (%s)", scope, w.Code, want, w.Header().Get("WWW-Authenticate"))
				}
			}
		})
	}

	// Revocation (RFC 7009) shows through introspection, not through the
	// self-contained JWT.
	form := url.Values{"token": {tok.AccessToken}}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(svc.ID, svcSecret)
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %s", resp.Status)
	}
	if _, err := byIntrospection.Verify(t.Context(), tok.AccessToken); err != nil {
		t.Errorf("within the cache TTL: Verify error %v, want the cached answer", err)
	}
	env.Clock.Advance(31 * time.Second)
	if _, err := byIntrospection.Verify(t.Context(), tok.AccessToken); !errors.Is(err, resource.ErrInvalidToken) {
		t.Errorf("revoked, after the cache TTL: Verify error %v, want ErrInvalidToken", err)
	}
	if _, err := byJWKS.Verify(t.Context(), tok.AccessToken); err != nil {
		t.Errorf("a revoked JWT is still valid by its signature until exp: %v", err)
	}
}
