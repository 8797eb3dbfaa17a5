package server

import (
	"context"
	"log/slog"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/storage/cache"
)

// cachedStore is a store whose clients and APIs are cached in memory
// (package cache); Migrate still reaches the database.
type cachedStore struct {
	*cache.Store
	inner Store
}

func (c cachedStore) Migrate(ctx context.Context) error { return c.inner.Migrate(ctx) }

// withCache puts the in-memory cache in front of s. On PostgreSQL the
// cache listens for the invalidations every writer's transaction sends
// (so replicas and the CLI are seen at once); on SQLite only its TTL
// (cache.DefaultTTL) bounds how long a CLI change goes unseen.
func withCache(s Store, log *slog.Logger) Store {
	opt := cache.Options{Log: log}
	if src, ok := s.(cache.Source); ok {
		opt.Source = src
	}
	return cachedStore{Store: cache.New(s, opt), inner: s}
}

// followKeyChanges makes the ring reread the signing keys as soon as the
// database announces a change (a rotation on another replica or by the
// CLI), instead of after its refresh interval.
func followKeyChanges(s Store, ring *keys.Ring) {
	if c, ok := s.(cachedStore); ok {
		c.Subscribe(func(key string) {
			if key == cache.KeyKeys || key == cache.KeyAll {
				ring.Invalidate()
			}
		})
	}
}
