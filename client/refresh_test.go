package client_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gatehouse-dev/gatehouse/client"
	"github.com/gatehouse-dev/gatehouse/internal/config"
)

// TestRefresh signs in with offline_access, lets the access token expire
// and refreshes through the client's TokenSource: the rotated refresh
// token is reported, the new ID token verified, userinfo and the HTTP
// client use the new access token, and the old refresh token is refused
// with a typed invalid_grant. Once for a public client, once for a
// confidential one (client_secret_basic).
func TestRefresh(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	scopes := []string{"openid", "email", "offline_access"}
	b := f.BrowserFor(t)
	for _, tt := range []struct {
		name     string
		cfg      client.Config
		redirect string
	}{
		{"public", client.Config{Scopes: scopes}, loopback},
		{"confidential", client.Config{ClientID: f.Web.ID, ClientSecret: f.WebSecret, Scopes: scopes, RedirectURL: webRedirect}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := f.client(t, tt.cfg)
			fl := c.NewFlow(tt.redirect)
			first, err := c.Exchange(t.Context(), fl, walk(t, b.For(t), c.AuthCodeURL(fl), "approve").Location.Query())
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if first.RefreshToken == "" || first.IDToken == nil {
				t.Fatalf("first tokens = %+v, want a refresh token and an ID token", first)
			}

			// Expire the access token on the server's clock and, since
			// x/oauth2 judges expiry by the real one, on the client's.
			f.Clock.Advance(config.Default().AccessTokenTTL + time.Minute)
			expired := *first.Token
			expired.Expiry = time.Now().Add(-time.Second)
			start := *first
			start.Token = &expired

			var reported []*client.Tokens
			ts := c.TokenSource(t.Context(), &start, func(t *client.Tokens) { reported = append(reported, t) })
			tok, err := ts.Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if tok.AccessToken == first.AccessToken || !tok.Valid() {
				t.Fatalf("refreshed token = %+v", tok)
			}
			if len(reported) != 1 {
				t.Fatalf("onRefresh called %d times, want 1", len(reported))
			}
			r := reported[0]
			if r.AccessToken != tok.AccessToken || r.RefreshToken == "" || r.RefreshToken == first.RefreshToken {
				t.Errorf("reported tokens: same access %v, rotated refresh %v", r.AccessToken == tok.AccessToken, r.RefreshToken != first.RefreshToken)
			}
			if r.IDToken == nil || r.IDToken.Subject != f.User.ID || r.IDToken.Nonce != "" || !r.IDToken.IssuedAt.After(first.IDToken.IssuedAt) {
				t.Errorf("refreshed ID token = %+v, want the same subject, no nonce, a later iat (OIDC Core §12.2)", r.IDToken)
			}
			if !slices.Equal(r.Scopes, first.Scopes) {
				t.Errorf("scopes after refresh %q, before %q", r.Scopes, first.Scopes)
			}
			// A valid token is reused, not refreshed again.
			if again, err := ts.Token(); err != nil || again.AccessToken != tok.AccessToken || len(reported) != 1 {
				t.Errorf("second Token() = %v, %v; %d reports", again, err, len(reported))
			}

			info, err := c.UserInfo(t.Context(), ts)
			if err != nil || info.Subject != f.User.ID || info.Email != "alice@example.com" {
				t.Fatalf("UserInfo = %+v, %v", info, err)
			}
			resp, err := c.HTTPClient(t.Context(), ts).Get(c.Metadata().UserinfoEndpoint)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET userinfo with HTTPClient: %d", resp.StatusCode)
			}

			// The expired access token is refused with the Bearer
			// challenge's code (RFC 6750 §3.1).
			_, err = c.UserInfo(t.Context(), oauth2.StaticTokenSource(first.Token))
			var oe *client.Error
			if !errors.As(err, &oe) || oe.Code != "invalid_token" || oe.StatusCode != http.StatusUnauthorized {
				t.Errorf("UserInfo with the expired token = %v, want *Error invalid_token 401", err)
			}

			// The rotated-out refresh token is refused (RFC 9700 §4.14.2).
			_, err = c.TokenSource(t.Context(), &start, nil).Token()
			var re *oauth2.RetrieveError
			if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.StatusCode != http.StatusBadRequest || !errors.As(err, &re) {
				t.Errorf("old refresh token = %v, want *Error invalid_grant 400 wrapping the RetrieveError", err)
			}
			// Reuse revoked the sign-in: the new refresh token is dead too,
			// and HTTPClient reports the typed error.
			dead := *r.Token
			dead.Expiry = time.Now().Add(-time.Second)
			_, err = c.HTTPClient(t.Context(), c.TokenSource(t.Context(), &client.Tokens{Token: &dead}, nil)).Get(c.Metadata().UserinfoEndpoint)
			if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
				t.Errorf("HTTPClient after reuse = %v, want *Error invalid_grant", err)
			}
		})
	}
}
