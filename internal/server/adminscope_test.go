package server_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAdminScopeOnConsentPage: the consent page asks an administrator to
// approve the admin scope, and never shows it to anyone else, whose grant
// simply goes on without it.
func TestAdminScopeOnConsentPage(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	console := consoleClient(t, env)
	const description = "Administer Gatehouse"
	for _, tt := range []struct {
		email   string
		isAdmin bool
	}{
		{"root@example.com", true},
		{"pat@example.com", false},
	} {
		t.Run(tt.email, func(t *testing.T) {
			addUser(t, env, tt.email, tt.isAdmin)
			b := env.BrowserFor(t)
			params, _ := authzParams(console.ID, consoleRedir)
			params.Set("scope", "openid "+oauth.ScopeAdmin)
			p := b.Get(env.URL + "/authorize?" + params.Encode())
			p = b.Submit(p, "/login", map[string]string{"email": tt.email, "password": adminPassword}, "", "")
			if !p.HasForm("/consent") {
				t.Fatalf("after login: status %d, no consent form:\n%s", p.Status, excerpt(p.Body))
			}
			if got := strings.Contains(p.Body, description); got != tt.isAdmin {
				t.Errorf("consent page shows the admin scope: %v, want %v", got, tt.isAdmin)
			}
		})
	}
}
