package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/cache"
)

// cachedServerStore puts the in-memory client cache in front of the
// server's store, as production does; Env.Store and Env.Admin stay
// outside it, like the CLI or another replica.
type cachedServerStore struct {
	*cache.Store
	inner server.Store
}

func (c cachedServerStore) Migrate(ctx context.Context) error { return c.inner.Migrate(ctx) }

// TestAdminEditDoesNotRestoreRotatedSecret: a secret rotated outside the
// server (the CLI, another replica), with no overlap because it leaked,
// must stay revoked when an administrator edits the same client through
// the server within the cache's TTL. The edit reads the client, changes
// it and writes the whole record back: read from the cache, that record
// still holds the old secret hash, and the leaked secret would work again
// for good, not just for the TTL the cache documents.
func TestAdminEditDoesNotRestoreRotatedSecret(t *testing.T) {
	env := servertest.New(t, servertest.Options{WrapStore: func(s server.Store) server.Store {
		// A TTL far beyond the test's duration: the cache is certainly
		// still serving what it read.
		return cachedServerStore{Store: cache.New(s, cache.Options{TTL: time.Hour}), inner: s}
	}})
	_, adminToken := serviceToken(t, env, oauth.ScopeAdmin)
	svc, oldSecret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Leaky"})
	grant := url.Values{"grant_type": {"client_credentials"}}.Encode()
	if r := postToken(t, env, grant, "", basicAuth(svc.ID, oldSecret)); r.Status != http.StatusOK {
		t.Fatalf("old secret before rotation: status %d, %v", r.Status, r.JSON)
	} // the server has now cached the client

	_, newSecret, err := env.Admin.RotateSecret(context.Background(), svc.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := env.Store.GetClient(context.Background(), svc.ID)
	if err != nil {
		t.Fatal(err)
	}

	callAdmin(t, env, adminToken, http.MethodPatch, "/clients/"+svc.ID, map[string]any{"name": "Renamed"}).want(t, http.StatusOK)

	stored, err := env.Store.GetClient(context.Background(), svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "Renamed" {
		t.Errorf("name after the edit: %q, want Renamed", stored.Name)
	}
	if stored.SecretHash != rotated.SecretHash || stored.PreviousSecretHash != "" {
		t.Errorf("the edit wrote back a stale secret: hash changed %v, previous hash %q",
			stored.SecretHash != rotated.SecretHash, stored.PreviousSecretHash)
	}
	if r := postToken(t, env, grant, "", basicAuth(svc.ID, oldSecret)); r.Status != http.StatusUnauthorized {
		t.Errorf("rotated-out secret after the edit: status %d, want 401", r.Status)
	}
	if r := postToken(t, env, grant, "", basicAuth(svc.ID, newSecret)); r.Status != http.StatusOK {
		t.Errorf("new secret after the edit: status %d, %v", r.Status, r.JSON)
	}
}
