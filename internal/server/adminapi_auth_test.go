package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAdminAPIAuthorization: the admin API wants a live Gatehouse access
// token with the gatehouse:admin scope (RFC 6750 answers otherwise), from
// client credentials or an administrator's sign-in.
func TestAdminAPIAuthorization(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		ctx := context.Background()
		_, adminTok := serviceToken(t, env, oauth.ScopeAdmin)
		_, otherTok := serviceToken(t, env, "api:read")
		console := consoleClient(t, env)
		root := addUser(t, env, "root@example.com", true)
		addUser(t, env, "pat@example.com", false)

		rootResp := userToken(t, env, console, root.Email)
		if !strings.Contains(rootResp.str("scope"), oauth.ScopeAdmin) {
			t.Errorf("an administrator's token response scope = %q, want it to hold %s", rootResp.str("scope"), oauth.ScopeAdmin)
		}
		patResp := userToken(t, env, console, "pat@example.com")
		if strings.Contains(patResp.str("scope"), oauth.ScopeAdmin) {
			t.Errorf("a non-administrator got scope %q", patResp.str("scope"))
		}
		_, patClaims := jwtParts(t, patResp.str("access_token"))
		if strings.Contains(patClaims["scope"].(string), oauth.ScopeAdmin) {
			t.Errorf("a non-administrator's access token has scope %v", patClaims["scope"])
		}

		tests := []struct {
			name, token string
			status      int
			code        string // error member; "" for the bare challenge or success
		}{
			{"no token", "", http.StatusUnauthorized, ""},
			{"not a JWT", "garbage", http.StatusUnauthorized, "invalid_token"},
			{"client token without the scope", otherTok, http.StatusForbidden, "insufficient_scope"},
			{"non-admin user", patResp.str("access_token"), http.StatusForbidden, "insufficient_scope"},
			{"ID token instead of access token", rootResp.str("id_token"), http.StatusUnauthorized, "invalid_token"},
			{"client credentials admin", adminTok, http.StatusOK, ""},
			{"admin user", rootResp.str("access_token"), http.StatusOK, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := callAdmin(t, env, tt.token, http.MethodGet, "/projects", nil)
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
				}
				if tt.status == http.StatusOK {
					return
				}
				ch := r.Header.Get("WWW-Authenticate")
				if !strings.HasPrefix(ch, "Bearer") || (tt.code != "" && !strings.Contains(ch, `error="`+tt.code+`"`)) {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge with error %q", ch, tt.code)
				}
				if tt.code != "" && r.json(t)["error"] != tt.code {
					t.Errorf("body %s, want error %q", r.Body, tt.code)
				}
			})
		}

		t.Run("revoked token refused at once", func(t *testing.T) {
			_, tok := serviceToken(t, env, oauth.ScopeAdmin)
			callAdmin(t, env, tok, http.MethodGet, "/users", nil).want(t, http.StatusOK)
			_, claims := jwtParts(t, tok)
			if _, err := env.Store.RevokeToken(ctx, claims["jti"].(string), env.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			r := callAdmin(t, env, tok, http.MethodGet, "/users", nil)
			if r.Status != http.StatusUnauthorized || !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
				t.Errorf("revoked token: status %d, challenge %q", r.Status, r.Header.Get("WWW-Authenticate"))
			}
		})

		t.Run("revoked through /revoke", func(t *testing.T) {
			c, secret := env.AddClient(admin.NewClient{Type: "service", Name: "Ops", Scopes: []string{oauth.ScopeAdmin}})
			r := postToken(t, env, url.Values{"grant_type": {"client_credentials"}}.Encode(), "", basicAuth(c.ID, secret))
			tok := r.str("access_token")
			callAdmin(t, env, tok, http.MethodGet, "/keys", nil).want(t, http.StatusOK)
			rv := postBack(t, env, "/revoke", url.Values{"token": {tok}}.Encode(), "", basicAuth(c.ID, secret))
			if rv.Status != http.StatusOK {
				t.Fatalf("revoke: %d", rv.Status)
			}
			callAdmin(t, env, tok, http.MethodGet, "/keys", nil).want(t, http.StatusUnauthorized)
		})

		t.Run("demoted administrator refused at once", func(t *testing.T) {
			boss := addUser(t, env, "boss@example.com", true)
			tok := userToken(t, env, console, boss.Email).str("access_token")
			callAdmin(t, env, tok, http.MethodGet, "/users/"+boss.ID, nil).want(t, http.StatusOK)
			no := false
			if _, err := env.Admin.UpdateUser(ctx, boss.ID, admin.UserUpdate{Admin: &no}); err != nil {
				t.Fatal(err)
			}
			callAdmin(t, env, tok, http.MethodGet, "/users/"+boss.ID, nil).wantError(t, http.StatusForbidden, "insufficient_scope", "")
		})

		t.Run("OpenAPI document needs no token", func(t *testing.T) {
			r := callAdmin(t, env, "", http.MethodGet, "/openapi.json", nil).want(t, http.StatusOK)
			if v, _ := r.json(t)["openapi"].(string); !strings.HasPrefix(v, "3.") {
				t.Errorf("openapi = %q", v)
			}
		})

		t.Run("unknown path and method", func(t *testing.T) {
			callAdmin(t, env, adminTok, http.MethodGet, "/nothing-here", nil).wantError(t, http.StatusNotFound, "not_found", "")
			r := callAdmin(t, env, adminTok, http.MethodPut, "/projects", "{}")
			r.wantError(t, http.StatusMethodNotAllowed, "method_not_allowed", "")
			if !strings.Contains(r.Header.Get("Allow"), "GET") {
				t.Errorf("Allow = %q", r.Header.Get("Allow"))
			}
		})
	})
}
