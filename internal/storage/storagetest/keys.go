package storagetest

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// everyByte holds each byte value once, so binary columns that mangle
// NUL, invalid UTF-8 or high bytes show up.
var everyByte = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func newKey(id string, created time.Time) storage.SigningKey {
	return storage.SigningKey{
		ID:          id,
		Alg:         "ES256",
		PublicJWK:   []byte(`{"kty":"EC","crv":"P-256","kid":"` + id + `","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`),
		PrivateKey:  everyByte,
		CreatedAt:   created,
		ActivatesAt: created.Add(24 * time.Hour),
		NotAfter:    created.Add(90 * 24 * time.Hour),
	}
}

func testCreateSigningKey(t *testing.T, s storage.Store) {
	ctx := t.Context()
	keys := []struct {
		name string
		in   storage.SigningKey
	}{
		{"every field", newKey("kid-1", base)},
		{"nil key material", storage.SigningKey{ID: "kid-2", Alg: "EdDSA", CreatedAt: at(time.Hour), NotAfter: at(2 * time.Hour)}},
		{"empty key material", storage.SigningKey{ID: "kid-3", Alg: "RS256", PublicJWK: []byte{}, PrivateKey: []byte{}, CreatedAt: at(2 * time.Hour), NotAfter: at(3 * time.Hour)}},
	}
	var want []storage.SigningKey
	for _, tt := range keys {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "CreateSigningKey", s.CreateSigningKey(ctx, tt.in), nil)
			want = append(want, tt.in)
			got, err := s.ListSigningKeys(ctx)
			wantErr(t, "ListSigningKeys", err, nil)
			checkRecords(t, "ListSigningKeys", want, got)
		})
	}

	t.Run("same id", func(t *testing.T) {
		dup := newKey("kid-1", at(-time.Hour))
		dup.Alg = "RS256"
		wantErr(t, "CreateSigningKey", s.CreateSigningKey(ctx, dup), storage.ErrAlreadyExists)
		got, err := s.ListSigningKeys(ctx)
		wantErr(t, "ListSigningKeys", err, nil)
		checkRecords(t, "ListSigningKeys after conflict", want, got)
	})
}

func testListSigningKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	got, err := s.ListSigningKeys(ctx)
	wantErr(t, "ListSigningKeys on empty store", err, nil)
	if len(got) != 0 {
		t.Fatalf("ListSigningKeys on empty store: got %d keys", len(got))
	}

	// Ties on the creation time are broken by ID, byte by byte.
	var want []storage.SigningKey
	for _, k := range []storage.SigningKey{
		newKey("kid-b", base),
		newKey("kid-newest", at(30*24*time.Hour)),
		newKey("kid-a", base),
		newKey("KID-c", at(999*time.Nanosecond)),
		newKey("kid-oldest", at(-30*24*time.Hour)),
		newKey("kid_d", base),
	} {
		wantErr(t, "CreateSigningKey", s.CreateSigningKey(ctx, k), nil)
		want = append(want, k)
	}
	slices.SortFunc(want, func(a, b storage.SigningKey) int {
		return cmp.Or(micro(a.CreatedAt).Compare(micro(b.CreatedAt)), strings.Compare(a.ID, b.ID))
	})

	got, err = s.ListSigningKeys(ctx)
	wantErr(t, "ListSigningKeys", err, nil)
	checkRecords(t, "ListSigningKeys", want, got)
}

func testUpdateSigningKey(t *testing.T, s storage.Store) {
	ctx := t.Context()
	keys := []storage.SigningKey{newKey("kid-1", base), newKey("kid-2", at(time.Hour))}
	for _, k := range keys {
		wantErr(t, "CreateSigningKey", s.CreateSigningKey(ctx, k), nil)
	}
	updates := []struct {
		name                  string
		activatesAt, notAfter time.Time
	}{
		{"retire", keys[0].ActivatesAt, at(48*time.Hour + time.Nanosecond)},
		{"activate now", at(time.Minute), at(100 * 24 * time.Hour)},
		{"zero times", time.Time{}, time.Time{}},
	}
	for _, tt := range updates {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "UpdateSigningKey", s.UpdateSigningKey(ctx, "kid-1", tt.activatesAt, tt.notAfter), nil)
			want := []storage.SigningKey{keys[0], keys[1]}
			want[0].ActivatesAt, want[0].NotAfter = tt.activatesAt, tt.notAfter
			got, err := s.ListSigningKeys(ctx)
			wantErr(t, "ListSigningKeys", err, nil)
			checkRecords(t, "ListSigningKeys", want, got)
		})
	}
	err := s.UpdateSigningKey(ctx, "absent", base, base)
	wantErr(t, "UpdateSigningKey(absent)", err, storage.ErrNotFound)
}

func testDeleteSigningKey(t *testing.T, s storage.Store) {
	ctx := t.Context()
	keys := []storage.SigningKey{newKey("kid-1", base), newKey("kid-2", at(time.Hour)), newKey("kid-3", at(2*time.Hour))}
	for _, k := range keys {
		wantErr(t, "CreateSigningKey", s.CreateSigningKey(ctx, k), nil)
	}
	wantErr(t, "DeleteSigningKey", s.DeleteSigningKey(ctx, "kid-2"), nil)
	got, err := s.ListSigningKeys(ctx)
	wantErr(t, "ListSigningKeys", err, nil)
	checkRecords(t, "ListSigningKeys", []storage.SigningKey{keys[0], keys[2]}, got)
	wantErr(t, "DeleteSigningKey again", s.DeleteSigningKey(ctx, "kid-2"), storage.ErrNotFound)
	wantErr(t, "DeleteSigningKey(absent)", s.DeleteSigningKey(ctx, "absent"), storage.ErrNotFound)
	// The ID is free again.
	wantErr(t, "CreateSigningKey", s.CreateSigningKey(ctx, keys[1]), nil)
}
