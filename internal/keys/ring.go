package keys

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Store is the part of storage.Store the ring needs.
type Store interface {
	CreateSigningKey(ctx context.Context, k storage.SigningKey) error
	ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error)
}

// Key is a decrypted key pair.
type Key struct {
	ID        string
	Alg       string
	Public    jose.JSONWebKey
	Private   crypto.Signer
	CreatedAt time.Time
	NotAfter  time.Time
}

// ErrUnknownKey means no key in the ring has the requested ID.
var ErrUnknownKey = errors.New("keys: unknown key ID")

// Options tune a Ring; zero values take the defaults.
type Options struct {
	Now func() time.Time
	// Lifetime is how long a new key signs (default 90 days).
	Lifetime time.Duration
	// Refresh is how often the ring rereads the store (default 1 minute), so
	// that keys created by another replica are used and published.
	Refresh time.Duration
}

// Ring caches the store's signing keys.
type Ring struct {
	store    Store
	sealer   *sealer
	now      func() time.Time
	lifetime time.Duration
	refresh  time.Duration

	mu       sync.Mutex
	keys     []Key // ordered by creation time
	loadedAt time.Time
}

// NewRing builds a ring whose private keys are encrypted under master.
func NewRing(store Store, master []byte, opt Options) (*Ring, error) {
	s, err := newSealer(master)
	if err != nil {
		return nil, err
	}
	r := &Ring{store: store, sealer: s, now: opt.Now, lifetime: opt.Lifetime, refresh: opt.Refresh}
	if r.now == nil {
		r.now = time.Now
	}
	if r.lifetime == 0 {
		r.lifetime = 90 * 24 * time.Hour
	}
	if r.refresh == 0 {
		r.refresh = time.Minute
	}
	return r, nil
}

// Ensure makes sure every supported algorithm has a key that may sign now,
// generating and storing any that are missing.
func (r *Ring) Ensure(ctx context.Context) error {
	if err := r.reload(ctx); err != nil {
		return err
	}
	created := false
	for _, alg := range Algorithms {
		if _, ok := r.activeKey(alg); ok {
			continue
		}
		rec, err := newRecord(alg, r.sealer, r.now().UTC(), r.lifetime)
		if err != nil {
			return err
		}
		if err := r.store.CreateSigningKey(ctx, rec); err != nil {
			return fmt.Errorf("store %s key: %w", alg, err)
		}
		created = true
	}
	if created {
		return r.reload(ctx)
	}
	return nil
}

// Signer returns the key that signs with alg now: the oldest key of that
// algorithm still within its signing period, so replicas agree.
func (r *Ring) Signer(ctx context.Context, alg string) (Key, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return Key{}, err
	}
	if k, ok := r.activeKey(alg); ok {
		return k, nil
	}
	if err := r.Ensure(ctx); err != nil {
		return Key{}, err
	}
	if k, ok := r.activeKey(alg); ok {
		return k, nil
	}
	return Key{}, fmt.Errorf("no %s signing key", alg)
}

// Verifier returns the key with the given ID, rereading the store once when
// the ID is unknown (another replica may have just created it).
func (r *Ring) Verifier(ctx context.Context, kid string) (Key, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return Key{}, err
	}
	if k, ok := r.byID(kid); ok {
		return k, nil
	}
	if err := r.maybeReload(ctx, true); err != nil {
		return Key{}, err
	}
	if k, ok := r.byID(kid); ok {
		return k, nil
	}
	return Key{}, ErrUnknownKey
}

// JWKS returns the public keys of the ring.
func (r *Ring) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(r.keys))}
	for _, k := range r.keys {
		set.Keys = append(set.Keys, k.Public)
	}
	return set, nil
}

func (r *Ring) activeKey(alg string) (Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for _, k := range r.keys {
		if k.Alg == alg && !now.Before(k.CreatedAt) && now.Before(k.NotAfter) {
			return k, true
		}
	}
	return Key{}, false
}

func (r *Ring) byID(kid string) (Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.keys {
		if k.ID == kid {
			return k, true
		}
	}
	return Key{}, false
}

// minForcedReload rate-limits rereads caused by unknown key IDs, so a flood
// of tokens with made-up kids cannot turn into a flood of queries.
const minForcedReload = 5 * time.Second

func (r *Ring) maybeReload(ctx context.Context, force bool) error {
	r.mu.Lock()
	age := r.now().Sub(r.loadedAt)
	stale := r.loadedAt.IsZero() || age >= r.refresh || (force && age >= minForcedReload)
	r.mu.Unlock()
	if !stale {
		return nil
	}
	return r.reload(ctx)
}

func (r *Ring) reload(ctx context.Context) error {
	recs, err := r.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	keys := make([]Key, 0, len(recs))
	for _, rec := range recs {
		k, err := decode(rec, r.sealer)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	r.mu.Lock()
	r.keys, r.loadedAt = keys, r.now()
	r.mu.Unlock()
	return nil
}
