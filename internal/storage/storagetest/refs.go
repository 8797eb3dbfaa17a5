package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// refTests are Run's tests of records that refer to a user or client that
// is gone: a user or client deleted while a code of theirs was being
// exchanged must make the token endpoint answer invalid_grant, so the
// store reports storage.ErrNotFound, not the driver's foreign-key error.
var refTests = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"CreateTokenMissingRefs", testCreateTokenMissingRefs},
	{"RotateRefreshTokenMissingRefs", testRotateRefreshTokenMissingRefs},
}

// wantNotFoundRef fails unless err is ErrNotFound and not also reported
// as something else the token endpoint reacts to.
func wantNotFoundRef(t *testing.T, op string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("%s: got error %v, want storage.ErrNotFound", op, err)
	}
	if errors.Is(err, storage.ErrAlreadyExists) || errors.Is(err, storage.ErrGrantRevoked) {
		t.Fatalf("%s: error %v also matches another sentinel", op, err)
	}
}

func testCreateTokenMissingRefs(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "deleted-user")
	mustClient(t, s, "c1", base)
	mustClient(t, s, "deleted-client", base)
	wantErr(t, "DeleteUser", s.DeleteUser(ctx, "deleted-user"), nil)
	wantErr(t, "DeleteClient", s.DeleteClient(ctx, "deleted-client"), nil)
	tests := []struct {
		name string
		tok  storage.Token
	}{
		{"deleted user", newToken("t-user", storage.TokenAccess, "g1", "c1", "deleted-user")},
		{"deleted user, refresh", newToken("t-user-r", storage.TokenRefresh, "g1", "c1", "deleted-user")},
		{"deleted client", newToken("t-client", storage.TokenAccess, "g2", "deleted-client", "u1")},
		{"deleted client, client credentials", newToken("t-cc", storage.TokenAccess, "g3", "deleted-client", "")},
		{"never existed", newToken("t-none", storage.TokenAccess, "g4", "no-client", "no-user")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantNotFoundRef(t, "CreateToken", s.CreateToken(ctx, tt.tok))
			_, err := s.GetToken(ctx, tt.tok.ID)
			wantErr(t, "GetToken after the refused CreateToken", err, storage.ErrNotFound)
		})
	}
	// The refusal left the store working: a valid token still goes in.
	wantErr(t, "CreateToken", s.CreateToken(ctx, newToken("t-ok", storage.TokenAccess, "g5", "c1", "u1")), nil)
}

// testRotateRefreshTokenMissingRefs: a successor naming a missing user is
// refused with ErrNotFound, and the whole rotation undone, so the old
// token can still be rotated once.
func testRotateRefreshTokenMissingRefs(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	old := newToken("old", storage.TokenRefresh, "g1", "c1", "u1")
	wantErr(t, "CreateToken", s.CreateToken(ctx, old), nil)
	now := at(time.Minute)
	for _, next := range []storage.Token{
		newToken("next-user", storage.TokenRefresh, "g1", "c1", "gone-user"),
		newToken("next-client", storage.TokenRefresh, "g1", "gone-client", "u1"),
	} {
		_, err := s.RotateRefreshToken(ctx, old.ID, next, now)
		wantNotFoundRef(t, "RotateRefreshToken("+next.ID+")", err)
	}
	got, err := s.GetToken(ctx, old.ID)
	wantErr(t, "GetToken", err, nil)
	if got.RotatedAt != nil {
		t.Fatalf("refused rotation left the old token rotated at %v", got.RotatedAt)
	}
	_, err = s.RotateRefreshToken(ctx, old.ID, newToken("next-ok", storage.TokenRefresh, "g1", "c1", "u1"), now)
	wantErr(t, "RotateRefreshToken after refusals", err, nil)
}
