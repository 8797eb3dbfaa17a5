package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestAdminScopeDroppedOnRefreshAfterDemotion: the admin scope is granted
// to administrators only (authorize.grantableScopes); a refresh token
// obtained while the user was one must not keep minting access tokens
// with it once the user is demoted. The refresh still works, without the
// admin scope (RFC 6749 §3.3: the server may grant less).
func TestAdminScopeDroppedOnRefreshAfterDemotion(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	console := consoleClient(t, env)
	for _, tt := range []struct {
		name      string
		demote    bool
		wantAdmin bool
	}{
		{"still admin", false, true},
		{"demoted", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			email := strings.ReplaceAll(tt.name, " ", "-") + "@example.com"
			u := addUser(t, env, email, true)
			params, pk := authzParams(console.ID, consoleRedir)
			params.Set("scope", "openid offline_access "+oauth.ScopeAdmin)
			q := env.BrowserFor(t).Authorize(params, email, adminPassword).Callback(t, consoleRedir)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "client_id": {console.ID},
				"redirect_uri": {consoleRedir}, "code_verifier": {pk.Verifier}}
			r := postToken(t, env, form.Encode(), "", nil)
			if r.Status != http.StatusOK || r.str("refresh_token") == "" {
				t.Fatalf("code exchange: status %d, %v", r.Status, r.JSON)
			}
			if !slices.Contains(strings.Fields(r.str("scope")), oauth.ScopeAdmin) {
				t.Fatalf("an administrator's grant lacks the admin scope: %q", r.str("scope"))
			}
			if tt.demote {
				no := false
				if _, err := env.Admin.UpdateUser(context.Background(), u.ID, admin.UserUpdate{Admin: &no}); err != nil {
					t.Fatal(err)
				}
			}
			rr := refresh(t, env, console, "", r.str("refresh_token"), "")
			if rr.Status != http.StatusOK || rr.str("access_token") == "" {
				t.Fatalf("refresh: status %d, %v", rr.Status, rr.JSON)
			}
			if got := slices.Contains(strings.Fields(rr.str("scope")), oauth.ScopeAdmin); got != tt.wantAdmin {
				t.Errorf("refreshed scope %q: admin scope %v, want %v", rr.str("scope"), got, tt.wantAdmin)
			}
		})
	}
}

// TestRefreshDropsScopesTheClientLost: a scope removed from a client's
// registration is not minted again by refresh tokens granted before the
// change; the refresh still works with what remains (RFC 6749 §3.3, §6).
func TestRefreshDropsScopesTheClientLost(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	c, _ := env.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Shop",
		RedirectURIs: []string{consoleRedir}, Scopes: []string{"orders:read", "orders:write"}})
	addUser(t, env, "shopper@example.com", false)
	params, pk := authzParams(c.ID, consoleRedir)
	params.Set("scope", "openid offline_access orders:read orders:write")
	q := env.BrowserFor(t).Authorize(params, "shopper@example.com", adminPassword).Callback(t, consoleRedir)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "client_id": {c.ID},
		"redirect_uri": {consoleRedir}, "code_verifier": {pk.Verifier}}
	r := postToken(t, env, form.Encode(), "", nil)
	if r.Status != http.StatusOK || !slices.Contains(strings.Fields(r.str("scope")), "orders:write") {
		t.Fatalf("code exchange: status %d, %v", r.Status, r.JSON)
	}
	in := admin.ClientInput(c)
	in.Scopes = []string{"orders:read"}
	if _, err := env.Admin.UpdateClient(context.Background(), c.ID, in); err != nil {
		t.Fatal(err)
	}
	rr := refresh(t, env, c, "", r.str("refresh_token"), "")
	if rr.Status != http.StatusOK {
		t.Fatalf("refresh: status %d, %v", rr.Status, rr.JSON)
	}
	got := strings.Fields(rr.str("scope"))
	if slices.Contains(got, "orders:write") || !slices.Contains(got, "orders:read") || !slices.Contains(got, "offline_access") {
		t.Errorf("refreshed scope %q, want orders:write dropped and the rest kept", got)
	}
}
