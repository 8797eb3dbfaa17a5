package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// The console's own OAuth client.
const (
	// ConsoleClientID is the client_id of the console's built-in client.
	ConsoleClientID = "gatehouse-console"
	// AdminScope is the scope the console asks for and requires.
	AdminScope = "gatehouse:admin"
	// PathCallback is the console's redirect URI, relative to the issuer.
	PathCallback = "/console/callback"
)

// EnsureClient registers the console's client if it is missing and
// points its redirect URI at issuer, which may have changed since the last
// start. It is a public client (RFC 6749 §2.1): the console runs in the
// server but redeems its codes with PKCE alone, as any SPA would. The
// record is written directly because its ID is fixed, unlike the random
// IDs admin.Service.CreateClient assigns.
func EnsureClient(ctx context.Context, store storage.Store, issuer string, now func() time.Time) error {
	redirect := issuer + PathCallback
	ts := now().UTC().Truncate(time.Microsecond)
	c, err := store.GetClient(ctx, ConsoleClientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		c = storage.Client{
			ID: ConsoleClientID, Name: "Gatehouse console", Type: storage.ClientSPA,
			RedirectURIs: []string{redirect}, DefaultRedirectURI: redirect,
			RedirectURIPatterns: []string{}, PostLogoutRedirectURIs: []string{},
			Scopes: []string{AdminScope}, APIs: []string{},
			CreatedAt: ts, UpdatedAt: ts,
		}
		if err := store.CreateClient(ctx, c); err != nil && !errors.Is(err, storage.ErrAlreadyExists) {
			return fmt.Errorf("console: register client: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("console: get client: %w", err)
	}
	if slices.Equal(c.RedirectURIs, []string{redirect}) && c.DefaultRedirectURI == redirect && slices.Contains(c.Scopes, AdminScope) {
		return nil
	}
	c.RedirectURIs, c.DefaultRedirectURI = []string{redirect}, redirect
	if !slices.Contains(c.Scopes, AdminScope) {
		c.Scopes = append(c.Scopes, AdminScope)
	}
	c.UpdatedAt = ts
	if err := store.UpdateClient(ctx, c); err != nil {
		return fmt.Errorf("console: update client: %w", err)
	}
	return nil
}
