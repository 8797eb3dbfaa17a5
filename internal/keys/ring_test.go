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

// memStore is an in-memory ManagedStore that keeps the storage contract
// (listing oldest first, ErrNotFound, ErrAlreadyExists).
type memStore struct {
	mu   sync.Mutex
	keys []storage.SigningKey
	// beforeCreate, when set, runs before each create (outside the lock).
	beforeCreate func()
}

func (m *memStore) CreateSigningKey(_ context.Context, k storage.SigningKey) error {
	if m.beforeCreate != nil {
		m.beforeCreate()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.keys {
		if o.ID == k.ID {
			return storage.ErrAlreadyExists
		}
	}
	m.keys = append(m.keys, k)
	return nil
}

func (m *memStore) ListSigningKeys(context.Context) ([]storage.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.keys)
	slices.SortStableFunc(out, func(a, b storage.SigningKey) int { return compareKeys(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out, nil
}

func (m *memStore) UpdateSigningKey(_ context.Context, id string, activatesAt, notAfter time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.keys {
		if m.keys[i].ID == id {
			m.keys[i].ActivatesAt, m.keys[i].NotAfter = activatesAt, notAfter
			return nil
		}
	}
	return storage.ErrNotFound
}

func (m *memStore) DeleteSigningKey(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.keys {
		if m.keys[i].ID == id {
			m.keys = slices.Delete(m.keys, i, i+1)
			return nil
		}
	}
	return storage.ErrNotFound
}

func (m *memStore) get(id string) (storage.SigningKey, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.keys {
		if k.ID == id {
			return k, true
		}
	}
	return storage.SigningKey{}, false
}

func (m *memStore) count(alg string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, k := range m.keys {
		if k.Alg == alg {
			n++
		}
	}
	return n
}

// plainStore can only create and list, like a read-mostly test double.
type plainStore struct{ m *memStore }

func (p plainStore) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	return p.m.CreateSigningKey(ctx, k)
}

func (p plainStore) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	return p.m.ListSigningKeys(ctx)
}

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var master = []byte(strings.Repeat("m", 32))

// The test rings rotate hourly and retain keys 10 minutes (plus the
// 1-minute refresh) after they stop signing.
const (
	testPeriod    = time.Hour
	testRetention = 10 * time.Minute
	effRetention  = testRetention + DefaultRefresh
)

// newRing returns a ring over s; with algs it keeps only those (RSA key
// generation is slow, and most rules do not depend on the algorithm).
func newRing(t *testing.T, s Store, clk *clock, algs ...string) *Ring {
	t.Helper()
	r, err := NewRing(s, master, Options{Now: clk.Now, Period: testPeriod, Retention: testRetention})
	if err != nil {
		t.Fatal(err)
	}
	if len(algs) > 0 {
		r.algs = algs
	}
	return r
}

func TestEnsureCreatesCurrentAndNextPerAlgorithm(t *testing.T) {
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk)
	for range 2 {
		if err := r.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, alg := range Algorithms {
		if n := store.count(alg); n != 2 {
			t.Errorf("%s: store has %d keys, want current and next", alg, n)
		}
		k, err := r.Signer(ctx, alg)
		if err != nil || k.Alg != alg || !k.ActivatesAt.Equal(t0) || !k.NotAfter.Equal(t0.Add(testPeriod)) {
			t.Errorf("Signer(%s) = %+v, %v", alg, k, err)
		}
	}
	infos, err := r.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range infos {
		want := StateCurrent
		if i.ActivatesAt.Equal(t0.Add(testPeriod)) {
			want = StateNext
			if !i.NotAfter.Equal(t0.Add(2*testPeriod)) || !i.CreatedAt.Equal(t0) {
				t.Errorf("next key %s: %+v", i.ID, i)
			}
		}
		if i.State != want || !i.RetiresAt.Equal(i.NotAfter.Add(effRetention)) {
			t.Errorf("key %s (%s): state %s, retires %v; want %s, NotAfter+%v", i.ID, i.Alg, i.State, i.RetiresAt, want, effRetention)
		}
	}
}

func TestPrivateKeysAreEncryptedAndPublished(t *testing.T) {
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	set, err := r.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2*len(Algorithms) {
		t.Fatalf("JWKS has %d keys, want current and next of each algorithm", len(set.Keys))
	}
	body, _ := json.Marshal(set)
	for _, private := range []string{`"d":`, `"p":`, `"q":`} {
		if strings.Contains(string(body), private) {
			t.Fatalf("JWKS leaks private key material %s: %s", private, body)
		}
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Use != "sig" || k.KeyID == "" || !SupportedAlg(k.Algorithm) {
			t.Errorf("published key %+v: want a public signing key with kid and alg", k)
		}
	}
	for _, k := range store.keys {
		if strings.Contains(string(k.PrivateKey), "PRIVATE") || len(k.PrivateKey) < 40 {
			t.Fatalf("key %s stored unencrypted or empty", k.ID)
		}
	}
	other, err := NewRing(store, []byte(strings.Repeat("x", 32)), Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Ensure(ctx); err == nil {
		t.Fatal("a ring with another master secret decrypted the keys")
	}
	// A key's ciphertext moved to another row does not decrypt.
	store.keys[0].PrivateKey, store.keys[1].PrivateKey = store.keys[1].PrivateKey, store.keys[0].PrivateKey
	if err := newRing(t, store, clk).Ensure(ctx); err == nil {
		t.Fatal("swapped ciphertexts decrypted")
	}
}

func TestVerifierFindsKeyCreatedElsewhere(t *testing.T) {
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	a := newRing(t, store, clk, ES256)
	if err := a.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	b := newRing(t, &memStore{}, clk, ES256)
	kb, err := b.Signer(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	// The key b made is not in a's store: unknown.
	if _, err := a.Verifier(ctx, kb.ID); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	// Now a replica adds a key to a's store; a finds it after the forced
	// reload interval, not before.
	rec, err := newRecord(ES256, a.sealer, t0, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSigningKey(ctx, rec); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(minForcedReload - time.Second))
	if _, err := a.Verifier(ctx, rec.ID); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("before the forced-reload interval: err = %v, want ErrUnknownKey", err)
	}
	clk.Set(t0.Add(minForcedReload))
	if _, err := a.Verifier(ctx, rec.ID); err != nil {
		t.Fatalf("new key not found: %v", err)
	}
}

func TestPlainStoreStillSigns(t *testing.T) {
	// A store that cannot update or delete (as some tests use): keys are
	// created and retired keys unpublished, but nothing is deleted and
	// Rotate says why it cannot.
	ctx := context.Background()
	m, clk := &memStore{}, newClock()
	r := newRing(t, plainStore{m}, clk, ES256)
	first, err := r.Signer(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rotate(ctx, ES256); !errors.Is(err, ErrCannotRotate) {
		t.Errorf("Rotate over a plain store: %v, want ErrCannotRotate", err)
	}
	clk.Set(t0.Add(2*testPeriod + effRetention))
	k, err := r.Signer(ctx, ES256)
	if err != nil || k.ID == first.ID {
		t.Fatalf("Signer after two periods = %s, %v; want a new key", k.ID, err)
	}
	if _, err := r.Verifier(ctx, first.ID); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("retired key still verifies: %v", err)
	}
	if _, ok := m.get(first.ID); !ok {
		t.Errorf("plain store lost a key it cannot delete")
	}
}

func TestLegacyKeyWithoutActivationTime(t *testing.T) {
	// Rows stored before keys had ActivatesAt sign from their creation.
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	rec, err := newRecord(ES256, r.sealer, t0.Add(-time.Hour), time.Time{}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSigningKey(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	k, err := r.Signer(ctx, ES256)
	if err != nil || k.ID != rec.ID {
		t.Fatalf("Signer = %s, %v; want the legacy key %s", k.ID, err, rec.ID)
	}
	infos := Describe(store.keys, t0, 0)
	if len(infos) != 2 || infos[0].State != StateCurrent || infos[1].State != StateNext || !infos[1].ActivatesAt.Equal(rec.NotAfter) {
		t.Errorf("Describe = %+v; want the legacy key current and a next key from its NotAfter", infos)
	}
}
