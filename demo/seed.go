package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/demo/api"
	"github.com/gatehouse-dev/gatehouse/demo/spa"
	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Login is a demo user and the password to sign in with.
type Login struct {
	Email    string
	Name     string
	Password string // a fixed, published demo password: never use these users outside development
	Groups   []string
	Admin    bool // may sign in to the developer console (/console)
}

// Logins are the demo users. Their passwords are public by design.
var Logins = []Login{
	{Email: "editor@example.com", Name: "Erin Editor", Password: "editor-demo-password", Groups: []string{api.GroupEditor}},
	{Email: "viewer@example.com", Name: "Victor Viewer", Password: "viewer-demo-password", Groups: []string{api.GroupViewer}},
	{Email: "admin@example.com", Name: "Ada Admin", Password: "admin-demo-password", Admin: true},
}

// SPAClientName names the sample app's client; seeding finds it by this
// name, so the client ID stays the same across runs on one database.
const SPAClientName = "Assets demo app"

// SPAScopes are what the sample app asks for: the OpenID scopes for the
// user's name, offline_access for a refresh token (the SDK rotates it,
// RFC 9700 §4.14.2) and every scope of the demo API.
var SPAScopes = append([]string{"openid", "profile", "email", "offline_access"}, api.Scopes...)

// Seeded is what Seed made or found.
type Seeded struct {
	ClientID string
	Logins   []Login
	// Warnings name seeded records that differ from the demo's and could
	// not be changed, e.g. a demo user missing its group.
	Warnings []string
}

// Seed makes the demo users and the sample app's client exist, whatever
// the database holds already: it creates what is missing and brings
// existing demo records back to the demo settings (passwords, and the
// client's URIs for the app's origin, which changes with its port), so
// that running `gatehouse dev` again on the same database works.
func Seed(ctx context.Context, store storage.Store, spaOrigin string, now func() time.Time) (Seeded, error) {
	if now == nil {
		now = time.Now
	}
	out := Seeded{Logins: Logins}
	svc := admin.New(store, nil, now)
	for _, l := range Logins {
		warn, err := seedUser(ctx, store, svc, l, now)
		if err != nil {
			return Seeded{}, err
		}
		if warn != "" {
			out.Warnings = append(out.Warnings, warn)
		}
	}
	id, err := seedClient(ctx, store, svc, spaOrigin, now)
	if err != nil {
		return Seeded{}, err
	}
	out.ClientID = id
	return out, nil
}

func seedUser(ctx context.Context, store storage.Store, svc *admin.Service, l Login, now func() time.Time) (string, error) {
	u, err := store.GetUserByEmail(ctx, l.Email)
	if errors.Is(err, storage.ErrNotFound) {
		_, err = svc.CreateUser(ctx, admin.NewUser{Email: l.Email, Name: l.Name, Groups: l.Groups, Password: l.Password, Admin: l.Admin})
		if err != nil {
			return "", fmt.Errorf("seed user %s: %w", l.Email, err)
		}
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("seed user %s: %w", l.Email, err)
	}
	// Someone may have changed the password (on /account): the printed
	// demo password must work.
	if ok, err := secret.CheckPassword(u.PasswordHash, l.Password); err != nil || !ok {
		if err := store.UpdateUserPassword(ctx, u.ID, secret.HashPassword(l.Password), now().UTC()); err != nil {
			return "", fmt.Errorf("seed user %s: reset password: %w", l.Email, err)
		}
	}
	if l.Admin && !u.Admin {
		return fmt.Sprintf("user %s exists without administrator rights: it cannot sign in to the console", l.Email), nil
	}
	for _, g := range l.Groups {
		if !slices.Contains(u.Groups, g) {
			return fmt.Sprintf("user %s exists without group %q: the demo API will treat them by their groups %q", l.Email, g, u.Groups), nil
		}
	}
	return "", nil
}

func seedClient(ctx context.Context, store storage.Store, svc *admin.Service, origin string, now func() time.Time) (string, error) {
	clients, err := store.ListClients(ctx)
	if err != nil {
		return "", fmt.Errorf("seed client: %w", err)
	}
	redirect, logout := spa.RedirectURI(origin), spa.PostLogoutRedirectURI(origin)
	scopes := api.Scopes
	for _, c := range clients {
		if c.Type != storage.ClientSPA || c.Name != SPAClientName {
			continue
		}
		if slices.Equal(c.RedirectURIs, []string{redirect}) && slices.Equal(c.PostLogoutRedirectURIs, []string{logout}) &&
			slices.Equal(c.Scopes, scopes) && len(c.RedirectURIPatterns) == 0 && c.DefaultRedirectURI == "" {
			return c.ID, nil
		}
		// Same client, new origin (another port): keep the client ID and
		// the users' consents, register the app's current URIs.
		c.RedirectURIs, c.PostLogoutRedirectURIs, c.Scopes = []string{redirect}, []string{logout}, slices.Clone(scopes)
		c.RedirectURIPatterns, c.DefaultRedirectURI = []string{}, ""
		c.UpdatedAt = now().UTC().Truncate(time.Microsecond)
		if err := store.UpdateClient(ctx, c); err != nil {
			return "", fmt.Errorf("seed client: %w", err)
		}
		return c.ID, nil
	}
	c, _, err := svc.CreateClient(ctx, admin.NewClient{
		Type: storage.ClientSPA, Name: SPAClientName,
		RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{logout}, Scopes: scopes,
	})
	if err != nil {
		return "", fmt.Errorf("seed client: %w", err)
	}
	return c.ID, nil
}
