package keys

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Store is the part of storage.Store the ring needs to sign, verify,
// publish and create keys.
type Store interface {
	CreateSigningKey(ctx context.Context, k storage.SigningKey) error
	ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error)
}

// ManagedStore is what rotating keys and deleting retired ones need as
// well; storage.Store implements it. Over a plain Store the ring still
// creates the keys it lacks and stops publishing retired ones, but leaves
// them in the store, and Rotate fails.
type ManagedStore interface {
	Store
	UpdateSigningKey(ctx context.Context, id string, activatesAt, notAfter time.Time) error
	DeleteSigningKey(ctx context.Context, id string) error
}

// Key is a key of the ring. Private is nil in keys that only describe.
type Key struct {
	ID          string
	Alg         string
	Public      jose.JSONWebKey
	Private     crypto.Signer
	CreatedAt   time.Time // published since
	ActivatesAt time.Time // signs from
	NotAfter    time.Time // signs until
}

// ErrUnknownKey means no published key has the requested ID.
var ErrUnknownKey = errors.New("keys: unknown key ID")

// Defaults of Options.
const (
	DefaultPeriod    = 30 * 24 * time.Hour
	DefaultRetention = 24 * time.Hour
	DefaultRefresh   = time.Minute
)

// Options tune a Ring; zero values take the defaults.
type Options struct {
	Now func() time.Time
	// Period is how long a key signs: the rotation period. A key is
	// published for one period before it signs, as the next key.
	Period time.Duration
	// Retention is how long a key keeps verifying, and stays published,
	// after it stops signing: at least the longest lifetime of a token it
	// signs plus the verifiers' clock leeway. The ring adds Refresh to
	// it, because a replica that has not yet seen a rotation keeps
	// signing with the old key for up to that long.
	Retention time.Duration
	// Refresh is how often the ring rereads the store, so that keys and
	// rotations made by another replica or the CLI are used and published.
	Refresh time.Duration
	// Log receives what maintenance did; nil discards it.
	Log *slog.Logger
	// Audit records every key created, rotated, retired or deleted; nil
	// records nothing.
	Audit *audit.Recorder
}

// Ring caches the store's signing keys and keeps them rotating.
type Ring struct {
	store     Store
	managed   ManagedStore // nil when store cannot update or delete
	sealer    *sealer
	now       func() time.Time
	period    time.Duration
	retention time.Duration // Options.Retention + refresh
	refresh   time.Duration
	log       *slog.Logger
	audit     *audit.Recorder
	algs      []string // the algorithms kept signing: Algorithms

	maintain sync.Mutex // one maintenance step at a time per process

	mu       sync.Mutex
	keys     []Key // oldest first
	loadedAt time.Time
}

// NewRing builds a ring whose private keys are encrypted under master.
func NewRing(store Store, master []byte, opt Options) (*Ring, error) {
	s, err := newSealer(master)
	if err != nil {
		return nil, err
	}
	r := &Ring{store: store, sealer: s, now: opt.Now, period: opt.Period, refresh: opt.Refresh, log: opt.Log, audit: opt.Audit, algs: Algorithms}
	r.managed, _ = store.(ManagedStore)
	if r.now == nil {
		r.now = time.Now
	}
	if r.period <= 0 {
		r.period = DefaultPeriod
	}
	if r.refresh <= 0 {
		r.refresh = DefaultRefresh
	}
	if opt.Retention <= 0 {
		opt.Retention = DefaultRetention
	}
	r.retention = opt.Retention + r.refresh
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// Retention is how long a key stays published after it stops signing.
func (r *Ring) Retention() time.Duration { return r.retention }

// Signer returns the key that signs with alg now: the oldest key of that
// algorithm within its signing period, so replicas agree. When there is
// none (a fresh store, or no maintenance for over a period) it runs Ensure.
func (r *Ring) Signer(ctx context.Context, alg string) (Key, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return Key{}, err
	}
	if k, ok := r.current(alg); ok {
		return k, nil
	}
	if err := r.Ensure(ctx); err != nil {
		return Key{}, err
	}
	if k, ok := r.current(alg); ok {
		return k, nil
	}
	return Key{}, fmt.Errorf("no %s signing key", alg)
}

// Verifier returns the published key with the given ID, rereading the
// store once when the ID is unknown (another replica or the CLI may have
// just created it). Retired keys are unknown.
func (r *Ring) Verifier(ctx context.Context, kid string) (Key, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return Key{}, err
	}
	if k, ok := r.published(kid); ok {
		return k, nil
	}
	if err := r.maybeReload(ctx, true); err != nil {
		return Key{}, err
	}
	if k, ok := r.published(kid); ok {
		return k, nil
	}
	return Key{}, ErrUnknownKey
}

// JWKS returns the public halves of the next, current and previous keys
// (RFC 7517 §5), so that a relying party's cached copy already holds the
// key of any token it is shown, and still holds it until that token expires.
func (r *Ring) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(r.keys))}
	for _, k := range r.keys {
		if r.isPublished(k, now) {
			set.Keys = append(set.Keys, k.Public)
		}
	}
	return set, nil
}

// Keys describes the ring's keys at now, retired ones included until they
// are deleted.
func (r *Ring) Keys(ctx context.Context) ([]Info, error) {
	if err := r.maybeReload(ctx, false); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return describe(r.keys, r.now(), r.retention), nil
}

func (r *Ring) current(alg string) (Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := classify(r.keys, alg, r.now(), r.retention)
	if v.current == nil {
		return Key{}, false
	}
	return *v.current, true
}

func (r *Ring) published(kid string) (Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for _, k := range r.keys {
		if k.ID == kid && r.isPublished(k, now) {
			return k, true
		}
	}
	return Key{}, false
}

// isPublished: every state but retired.
func (r *Ring) isPublished(k Key, now time.Time) bool {
	return now.Before(k.NotAfter.Add(r.retention))
}

// minForcedReload rate-limits rereads caused by unknown key IDs, so a flood
// of tokens with made-up kids cannot turn into a flood of queries.
const minForcedReload = 5 * time.Second

func (r *Ring) maybeReload(ctx context.Context, force bool) error {
	r.mu.Lock()
	age := r.now().Sub(r.loadedAt)
	stale := r.loadedAt.IsZero() || age >= r.refresh || age < 0 || (force && age >= minForcedReload)
	r.mu.Unlock()
	if !stale {
		return nil
	}
	return r.reload(ctx)
}

// reload rereads every key. Private keys already decrypted are reused
// (a key's material never changes, only its times do).
func (r *Ring) reload(ctx context.Context) error {
	recs, err := r.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	r.mu.Lock()
	known := make(map[string]Key, len(r.keys))
	for _, k := range r.keys {
		known[k.ID] = k
	}
	r.mu.Unlock()
	keys := make([]Key, 0, len(recs))
	for _, rec := range recs {
		k := keyTimes(rec)
		if old, ok := known[rec.ID]; ok && old.Alg == rec.Alg {
			k.Public, k.Private = old.Public, old.Private
		} else if k, err = decode(rec, r.sealer); err != nil {
			return err
		}
		keys = append(keys, k)
	}
	keys = sortedKeys(keys)
	r.mu.Lock()
	r.keys, r.loadedAt = keys, r.now()
	r.mu.Unlock()
	return nil
}
