package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/demo"
	"github.com/gatehouse-dev/gatehouse/demo/api"
	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func demoClients(t *testing.T, s storage.Store) []storage.Client {
	t.Helper()
	all, err := s.ListClients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(all, func(c storage.Client) bool { return c.Name != demo.SPAClientName })
}

// TestSeedIsIdempotent: seeding again, as every start of gatehouse dev
// does, keeps one client with one ID, follows the app to a new origin and
// restores the demo passwords.
func TestSeedIsIdempotent(t *testing.T) {
	ctx := context.Background()
	env := servertest.New(t, servertest.Options{})
	first, err := demo.Seed(ctx, env.Store, "http://localhost:8082", env.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Warnings) != 0 {
		t.Errorf("warnings on a new database: %q", first.Warnings)
	}
	clients := demoClients(t, env.Store)
	if len(clients) != 1 || clients[0].ID != first.ClientID {
		t.Fatalf("clients %+v, want one with ID %s", clients, first.ClientID)
	}
	c := clients[0]
	if c.Type != storage.ClientSPA || !slices.Equal(c.RedirectURIs, []string{"http://localhost:8082/callback"}) ||
		!slices.Equal(c.PostLogoutRedirectURIs, []string{"http://localhost:8082/"}) || !slices.Equal(c.Scopes, api.Scopes) {
		t.Errorf("client %+v", c)
	}
	for _, l := range demo.Logins {
		u, err := env.Store.GetUserByEmail(ctx, l.Email)
		if err != nil {
			t.Fatalf("user %s: %v", l.Email, err)
		}
		if !slices.Equal(u.Groups, l.Groups) || u.Name != l.Name {
			t.Errorf("user %+v, want name %q and groups %q", u, l.Name, l.Groups)
		}
	}

	// Someone changed the editor's password; the app moved to port 9000.
	editor, _ := env.Store.GetUserByEmail(ctx, "editor@example.com")
	if err := env.Store.UpdateUserPassword(ctx, editor.ID, secret.HashPassword("changed on the account page"), env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	again, err := demo.Seed(ctx, env.Store, "http://localhost:9000", env.Clock.Now)
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if again.ClientID != first.ClientID {
		t.Errorf("client ID changed from %s to %s", first.ClientID, again.ClientID)
	}
	clients = demoClients(t, env.Store)
	if len(clients) != 1 || !slices.Equal(clients[0].RedirectURIs, []string{"http://localhost:9000/callback"}) ||
		!slices.Equal(clients[0].PostLogoutRedirectURIs, []string{"http://localhost:9000/"}) {
		t.Errorf("after moving the app: %+v", clients)
	}
	editor, _ = env.Store.GetUserByEmail(ctx, "editor@example.com")
	if ok, err := secret.CheckPassword(editor.PasswordHash, demo.Logins[0].Password); err != nil || !ok {
		t.Errorf("the demo password does not work after reseeding (ok %v, err %v)", ok, err)
	}
	users, _ := env.Store.ListUsers(ctx)
	if len(users) != len(demo.Logins) {
		t.Errorf("%d users after two seeds, want %d", len(users), len(demo.Logins))
	}

	// The seeded login works on the real login page, and the app's client
	// accepts the API's scopes.
	const redirect = "http://localhost:9000/callback"
	params := map[string][]string{
		"response_type": {"code"}, "client_id": {again.ClientID}, "redirect_uri": {redirect},
		"scope": {strings.Join(demo.SPAScopes, " ")}, "state": {"s"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
	}
	q := env.Browser().Authorize(params, demo.Logins[0].Email, demo.Logins[0].Password).Callback(t, redirect)
	if q.Get("code") == "" {
		t.Errorf("no code in %v", q)
	}
}

// TestSeedWarnsAboutAUserWithoutItsGroup: a demo email taken by a user of
// another group is kept, and reported.
func TestSeedWarnsAboutAUserWithoutItsGroup(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	if _, err := env.Admin.CreateUser(context.Background(), admin.NewUser{Email: "editor@example.com", Password: "some password", Groups: []string{"staff"}}); err != nil {
		t.Fatal(err)
	}
	s, err := demo.Seed(context.Background(), env.Store, "http://localhost:8082", env.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], `"editor"`) {
		t.Errorf("warnings %q, want one about the missing editor group", s.Warnings)
	}
}
