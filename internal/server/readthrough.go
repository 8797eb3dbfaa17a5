package server

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/cache"
)

// readThroughStore is the store of the admin service (admin API and
// console): its client and API reads skip the in-memory cache
// (cache.ReadThrough), since every change it makes writes back a whole
// record it has just read. Its writes still go through the cache, which
// drops what they change.
type readThroughStore struct{ storage.Store }

func (s readThroughStore) GetClient(ctx context.Context, id string) (storage.Client, error) {
	return s.Store.GetClient(cache.ReadThrough(ctx), id)
}

func (s readThroughStore) GetAPI(ctx context.Context, id string) (storage.API, error) {
	return s.Store.GetAPI(cache.ReadThrough(ctx), id)
}
