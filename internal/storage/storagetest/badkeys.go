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
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	session := newSession("s1", "u1")
	wantErr(t, "CreateSession", s.CreateSession(ctx, session), nil)
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

		client := fullClient(key)
		wantErr(t, "UpdateClient", s.UpdateClient(ctx, client), storage.ErrNotFound)
		wantErr(t, "UpdateUserPassword", s.UpdateUserPassword(ctx, key, "hash", base), storage.ErrNotFound)
		sessions, err := s.ListSessions(ctx, key, base)
		wantErr(t, "ListSessions", err, nil)
		consents, err := s.ListConsents(ctx, key)
		wantErr(t, "ListConsents", err, nil)
		if len(sessions) != 0 || len(consents) != 0 {
			t.Errorf("ListSessions(%q), ListConsents(%q): %d, %d records", key, key, len(sessions), len(consents))
		}
		// No session has the ID key, so no exception applies to u1.
		for _, tt := range []struct {
			user, except string
			n            int
		}{{key, "", 0}, {key, key, 0}, {"u1", key, 1}, {key, "s1", 0}} {
			n, err := s.DeleteUserSessions(ctx, tt.user, tt.except)
			wantErr(t, "DeleteUserSessions", err, nil)
			if n != tt.n {
				t.Errorf("DeleteUserSessions(%q, %q) = %d, want %d", tt.user, tt.except, n, tt.n)
			}
			if n > 0 {
				wantErr(t, "CreateSession", s.CreateSession(ctx, session), nil)
			}
		}
		_, err = s.RevokeToken(ctx, key, base)
		wantErr(t, "RevokeToken", err, storage.ErrNotFound)
		_, err = s.RotateRefreshToken(ctx, key, newToken("next", storage.TokenRefresh, "g", "c1", "u1"), base)
		wantErr(t, "RotateRefreshToken", err, storage.ErrNotFound)
		for _, pair := range [][2]string{{key, "c1"}, {"u1", key}} {
			n, err := s.RevokeUserClient(ctx, pair[0], pair[1], base)
			wantErr(t, "RevokeUserClient", err, nil)
			if n != 0 {
				t.Errorf("RevokeUserClient(%q, %q) = %d", pair[0], pair[1], n)
			}
		}
		wantErr(t, "UseAssertionID", s.UseAssertionID(ctx, key, "jti", at(time.Hour)), storage.ErrAlreadyExists)
		wantErr(t, "UseAssertionID", s.UseAssertionID(ctx, "c1", key, at(time.Hour)), storage.ErrAlreadyExists)
		wantErr(t, "UpdateSigningKey", s.UpdateSigningKey(ctx, key, base, base), storage.ErrNotFound)
		wantErr(t, "DeleteSigningKey", s.DeleteSigningKey(ctx, key), storage.ErrNotFound)
	}
}
