package keys

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

type memStore struct {
	mu   sync.Mutex
	keys []storage.SigningKey
}

func (m *memStore) CreateSigningKey(_ context.Context, k storage.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

func (m *memStore) ListSigningKeys(context.Context) ([]storage.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.keys), nil
}

var master = []byte(strings.Repeat("m", 32))

func newRing(t *testing.T, s Store, now func() time.Time) *Ring {
	t.Helper()
	r, err := NewRing(s, master, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEnsureCreatesOneKeyPerAlgorithm(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	r := newRing(t, store, nil)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if len(store.keys) != len(Algorithms) {
		t.Fatalf("store has %d keys, want %d", len(store.keys), len(Algorithms))
	}
	for _, alg := range Algorithms {
		k, err := r.Signer(ctx, alg)
		if err != nil || k.Alg != alg {
			t.Errorf("Signer(%s) = %v, %v", alg, k.Alg, err)
		}
	}
}

func TestPrivateKeysAreEncryptedAndPublished(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	r := newRing(t, store, nil)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	set, err := r.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != len(Algorithms) {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	body, _ := json.Marshal(set)
	for _, private := range []string{`"d":`, `"p":`, `"q":`} {
		if strings.Contains(string(body), private) {
			t.Fatalf("JWKS leaks private key material %s: %s", private, body)
		}
	}
	for _, k := range store.keys {
		if strings.Contains(string(k.PrivateKey), "PRIVATE") || len(k.PrivateKey) < 40 {
			t.Fatalf("key %s stored unencrypted or empty", k.ID)
		}
	}
	other, err := NewRing(store, []byte(strings.Repeat("x", 32)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Ensure(ctx); err == nil {
		t.Fatal("a ring with another master secret decrypted the keys")
	}
}

func TestReplicasAgreeOnSigner(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	a, b := newRing(t, store, nil), newRing(t, store, nil)
	// Both "start" at once: each generates keys before seeing the other's.
	var wg sync.WaitGroup
	for _, r := range []*Ring{a, b} {
		wg.Go(func() {
			if err := r.Ensure(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Force both to see everything in the store.
	for _, r := range []*Ring{a, b} {
		if err := r.reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, alg := range Algorithms {
		ka, _ := a.Signer(ctx, alg)
		kb, _ := b.Signer(ctx, alg)
		if ka.ID != kb.ID {
			t.Errorf("%s: replicas sign with different keys %s and %s", alg, ka.ID, kb.ID)
		}
	}
}

func TestVerifierFindsKeyCreatedElsewhere(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	store := &memStore{}
	a := newRing(t, store, func() time.Time { return clock })
	if err := a.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	b := newRing(t, &memStore{}, nil)
	if err := b.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	kb, _ := b.Signer(ctx, ES256)
	// The key b made is not in a's store: unknown.
	if _, err := a.Verifier(ctx, kb.ID); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	// Now a replica adds a key to a's store; a finds it after the forced
	// reload interval.
	rec, err := newRecord(ES256, a.sealer, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSigningKey(ctx, rec); err != nil {
		t.Fatal(err)
	}
	clock = now.Add(minForcedReload)
	if _, err := a.Verifier(ctx, rec.ID); err != nil {
		t.Fatalf("new key not found: %v", err)
	}
}

func TestExpiredKeyIsReplaced(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	store := &memStore{}
	r, err := NewRing(store, master, Options{Now: func() time.Time { return clock }, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := r.Signer(ctx, ES256)
	clock = now.Add(2 * time.Hour)
	k, err := r.Signer(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID == old.ID {
		t.Fatal("expired key still signs")
	}
	if _, err := r.Verifier(ctx, old.ID); err != nil {
		t.Fatalf("old key no longer verifies: %v", err)
	}
}
