package cache

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// The writes below drop the record after writing, whatever the outcome
// (a failed write may still have committed), so this process sees its own
// changes at once.

func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	defer s.Invalidate("client:" + c.ID)
	return s.Store.CreateClient(ctx, c)
}

func (s *Store) UpdateClient(ctx context.Context, c storage.Client) error {
	defer s.Invalidate("client:" + c.ID)
	return s.Store.UpdateClient(ctx, c)
}

func (s *Store) DeleteClient(ctx context.Context, id string) error {
	defer s.Invalidate("client:" + id)
	return s.Store.DeleteClient(ctx, id)
}

func (s *Store) CreateAPI(ctx context.Context, a storage.API) error {
	defer s.Invalidate("api:" + a.ID)
	return s.Store.CreateAPI(ctx, a)
}

func (s *Store) UpdateAPI(ctx context.Context, a storage.API) error {
	defer s.Invalidate("api:" + a.ID)
	return s.Store.UpdateAPI(ctx, a)
}

func (s *Store) DeleteAPI(ctx context.Context, id string) error {
	defer s.Invalidate("api:" + id)
	return s.Store.DeleteAPI(ctx, id)
}

func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	defer s.Invalidate(KeyKeys)
	return s.Store.CreateSigningKey(ctx, k)
}

func (s *Store) UpdateSigningKey(ctx context.Context, id string, activatesAt, notAfter time.Time) error {
	defer s.Invalidate(KeyKeys)
	return s.Store.UpdateSigningKey(ctx, id, activatesAt, notAfter)
}

func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	defer s.Invalidate(KeyKeys)
	return s.Store.DeleteSigningKey(ctx, id)
}

// cloneClient copies c's slices, so no caller can change the cached record.
func cloneClient(c storage.Client) storage.Client {
	c.SealedSecret = slices.Clone(c.SealedSecret)
	c.JWKS = slices.Clone(c.JWKS)
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.RedirectURIPatterns = slices.Clone(c.RedirectURIPatterns)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	c.Scopes = slices.Clone(c.Scopes)
	c.APIs = slices.Clone(c.APIs)
	return c
}

// cloneAPI copies a's scopes.
func cloneAPI(a storage.API) storage.API {
	a.Scopes = slices.Clone(a.Scopes)
	return a
}
