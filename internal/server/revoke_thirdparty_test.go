package server_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// backChannelMetadata is what discovery says about revocation and
// introspection (RFC 8414 §2).
type backChannelMetadata struct {
	TokenEndpointAuthMethods         []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthAlgs            []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	RevocationEndpoint               string   `json:"revocation_endpoint"`
	RevocationEndpointAuthMethods    []string `json:"revocation_endpoint_auth_methods_supported"`
	RevocationEndpointAuthAlgs       []string `json:"revocation_endpoint_auth_signing_alg_values_supported"`
	IntrospectionEndpoint            string   `json:"introspection_endpoint"`
	IntrospectionEndpointAuthMethods []string `json:"introspection_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthAlgs    []string `json:"introspection_endpoint_auth_signing_alg_values_supported"`
}

// TestRevocationIntrospectionThirdParty signs in with golang.org/x/oauth2
// (endpoints from go-oidc discovery) on each backend, then, with the
// tokens x/oauth2 obtained, introspects and revokes at the endpoints
// discovery announces, authenticating as x/oauth2 does (Basic with
// form-urlencoded credentials): an access token is active, then revoked,
// inactive and refused by userinfo; a refresh token is active until
// x/oauth2 refreshes with it, and revoking its successor takes the whole
// grant, so that x/oauth2 can no longer refresh.
func TestRevocationIntrospectionThirdParty(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newBackEnv(t, opt)
		ctx := oidc.ClientContext(context.Background(), e.Server.Client())
		provider, err := oidc.NewProvider(ctx, e.URL)
		if err != nil {
			t.Fatalf("go-oidc discovery: %v", err)
		}
		var meta backChannelMetadata
		if err := provider.Claims(&meta); err != nil {
			t.Fatal(err)
		}
		if meta.RevocationEndpoint != e.URL+"/revoke" || meta.IntrospectionEndpoint != e.URL+"/introspect" {
			t.Fatalf("discovery: revocation_endpoint %q, introspection_endpoint %q", meta.RevocationEndpoint, meta.IntrospectionEndpoint)
		}
		cfg := oauth2.Config{ClientID: e.Web.ID, ClientSecret: e.WebSecret, Endpoint: provider.Endpoint(),
			RedirectURL: webRedirect, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}

		sign := func(cfg oauth2.Config) *oauth2.Token {
			verifier := oauth2.GenerateVerifier()
			state := "st-" + randomString()[:10]
			b := e.session(t)
			p := b.Get(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
			if p.HasForm("/consent") {
				p = b.Submit(p, "/consent", nil, "decision", "approve")
			}
			q := p.Callback(t, webRedirect)
			tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("x/oauth2 exchange: %v", err)
			}
			return tok
		}
		// call posts token to an endpoint found in discovery, as the web app.
		call := func(endpoint, token string) (int, []byte) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{"token": {token}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
			resp, err := e.Server.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body json.RawMessage
			_ = json.NewDecoder(resp.Body).Decode(&body)
			return resp.StatusCode, body
		}
		introspect := func(token string) map[string]any {
			status, body := call(meta.IntrospectionEndpoint, token)
			var m map[string]any
			if err := json.Unmarshal(body, &m); status != http.StatusOK || err != nil {
				t.Fatalf("introspection: status %d, body %s", status, body)
			}
			return m
		}

		t.Run("access token", func(t *testing.T) {
			tok := sign(cfg)
			got := introspect(tok.AccessToken)
			// x/oauth2 computes Expiry from expires_in on arrival.
			exp, _ := got["exp"].(float64)
			if got["active"] != true || got["sub"] != e.User.ID || got["client_id"] != e.Web.ID || got["token_type"] != "Bearer" ||
				got["username"] != ruleEmail || math.Abs(exp-float64(tok.Expiry.Unix())) > 2 {
				t.Errorf("introspection of x/oauth2's token = %v (expiry %v)", got, tok.Expiry)
			}
			if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
				t.Fatalf("userinfo before revocation: %v", err)
			}
			if status, body := call(meta.RevocationEndpoint, tok.AccessToken); status != http.StatusOK || len(body) != 0 {
				t.Fatalf("revocation: status %d, body %s; want 200, empty", status, body)
			}
			wantInactive(t, introspect(tok.AccessToken))
			if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil || !strings.Contains(err.Error(), "401") {
				t.Errorf("userinfo after revocation: %v, want a 401", err)
			}
		})
		t.Run("refresh token takes its grant", func(t *testing.T) {
			offline := cfg
			offline.Scopes = append(slices.Clone(cfg.Scopes), oidc.ScopeOfflineAccess)
			first := sign(offline)
			if first.RefreshToken == "" {
				t.Fatalf("no refresh token for offline_access: %+v", first)
			}
			if got := introspect(first.RefreshToken); got["active"] != true || got["client_id"] != e.Web.ID || got["sub"] != e.User.ID {
				t.Fatalf("refresh token introspection = %v, want active", got)
			}
			// x/oauth2 refreshes an expired token; the used refresh token
			// is rotated and so inactive from then on.
			expired := *first
			expired.Expiry = time.Now().Add(-time.Minute)
			second, err := offline.TokenSource(ctx, &expired).Token()
			if err != nil {
				t.Fatalf("x/oauth2 refresh: %v", err)
			}
			if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
				t.Fatalf("refresh did not rotate: %+v", second)
			}
			wantInactive(t, introspect(first.RefreshToken))
			if got := introspect(second.AccessToken); got["active"] != true {
				t.Fatalf("refreshed access token introspection = %v, want active", got)
			}

			if status, body := call(meta.RevocationEndpoint, second.RefreshToken); status != http.StatusOK || len(body) != 0 {
				t.Fatalf("revocation: status %d, body %s; want 200, empty", status, body)
			}
			for name, tok := range map[string]string{"refresh token": second.RefreshToken,
				"its access token": second.AccessToken, "the grant's first access token": first.AccessToken} {
				if got := introspect(tok); len(got) != 1 || got["active"] != false {
					t.Errorf("%s after revocation: %v, want exactly {\"active\":false}", name, got)
				}
			}
			if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(second)); err == nil {
				t.Errorf("userinfo with an access token of the revoked grant succeeded")
			}
			if _, err := offline.TokenSource(ctx, &oauth2.Token{RefreshToken: second.RefreshToken}).Token(); err == nil {
				t.Errorf("x/oauth2 refreshed with a revoked refresh token")
			}
		})
	})
}

// TestDiscoveryBackChannel checks what discovery announces for the back
// channel (RFC 8414 §2), in both documents: the revocation and
// introspection endpoints; revocation accepts what the token endpoint
// accepts; introspection the same but "none" (public clients cannot
// introspect); and a *_auth_signing_alg_values_supported list exactly
// where an endpoint accepts a JWT client assertion (RFC 7523), never with
// "none".
func TestDiscoveryBackChannel(t *testing.T) {
	t.Parallel()
	env := servertest.New(t, servertest.Options{})
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		t.Run(path, func(t *testing.T) {
			resp, err := env.Server.Client().Get(env.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m backChannelMetadata
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
				t.Fatal(err)
			}
			if m.RevocationEndpoint != env.URL+"/revoke" || m.IntrospectionEndpoint != env.URL+"/introspect" {
				t.Errorf("revocation_endpoint %q, introspection_endpoint %q", m.RevocationEndpoint, m.IntrospectionEndpoint)
			}
			if len(m.TokenEndpointAuthMethods) == 0 || !slices.Contains(m.TokenEndpointAuthMethods, "none") {
				t.Fatalf("token_endpoint_auth_methods_supported = %v", m.TokenEndpointAuthMethods)
			}
			if !slices.Equal(m.RevocationEndpointAuthMethods, m.TokenEndpointAuthMethods) {
				t.Errorf("revocation_endpoint_auth_methods_supported = %v, want the token endpoint's %v", m.RevocationEndpointAuthMethods, m.TokenEndpointAuthMethods)
			}
			noNone := slices.DeleteFunc(slices.Clone(m.TokenEndpointAuthMethods), func(s string) bool { return s == "none" })
			if !slices.Equal(m.IntrospectionEndpointAuthMethods, noNone) {
				t.Errorf("introspection_endpoint_auth_methods_supported = %v, want %v", m.IntrospectionEndpointAuthMethods, noNone)
			}
			for name, pair := range map[string]struct{ methods, algs []string }{
				"token":         {m.TokenEndpointAuthMethods, m.TokenEndpointAuthAlgs},
				"revocation":    {m.RevocationEndpointAuthMethods, m.RevocationEndpointAuthAlgs},
				"introspection": {m.IntrospectionEndpointAuthMethods, m.IntrospectionEndpointAuthAlgs},
			} {
				jwtAuth := slices.Contains(pair.methods, "private_key_jwt") || slices.Contains(pair.methods, "client_secret_jwt")
				if jwtAuth && (len(pair.algs) == 0 || slices.Contains(pair.algs, "none")) || !jwtAuth && pair.algs != nil {
					t.Errorf("%s endpoint: auth methods %v but signing algs %v (RFC 8414 §2)", name, pair.methods, pair.algs)
				}
			}
		})
	}
}
