package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// testUnstorableKeys: lookups by keys no record can have (invalid UTF-8,
// NUL bytes), as an attacker may send them, find nothing rather than fail.
func testUnstorableKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for _, key := range []string{"\xff\xfe", "a\x00b", "\xc3"} {
		_, err := s.GetUser(ctx, key)
		wantErr(t, "GetUser", err, storage.ErrNotFound)
		_, err = s.GetUserByEmail(ctx, key+"@example.com")
		wantErr(t, "GetUserByEmail", err, storage.ErrNotFound)
		_, err = s.GetClient(ctx, key)
		wantErr(t, "GetClient", err, storage.ErrNotFound)
		wantErr(t, "DeleteClient", s.DeleteClient(ctx, key), storage.ErrNotFound)
		_, err = s.GetSession(ctx, key, base)
		wantErr(t, "GetSession", err, storage.ErrNotFound)
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, key), nil)
		_, err = s.GetConsent(ctx, key, key)
		wantErr(t, "GetConsent", err, storage.ErrNotFound)
		wantErr(t, "DeleteConsent", s.DeleteConsent(ctx, key, key), nil)
		_, err = s.ConsumeAuthCode(ctx, key, at(time.Second))
		wantErr(t, "ConsumeAuthCode", err, storage.ErrNotFound)
		_, err = s.GetToken(ctx, key)
		wantErr(t, "GetToken", err, storage.ErrNotFound)
		n, err := s.RevokeGrant(ctx, key, base)
		wantErr(t, "RevokeGrant", err, nil)
		if n != 0 {
			t.Errorf("RevokeGrant(%q) = %d", key, n)
		}
	}
}
