package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// newToken returns a token with every field that suits its kind set: a
// user's tokens have an AuthTime, refresh tokens a GrantExpiresAt.
func newToken(id string, kind storage.TokenKind, grantID, clientID, userID string) storage.Token {
	t := storage.Token{
		ID:        id,
		Kind:      kind,
		GrantID:   grantID,
		ClientID:  clientID,
		UserID:    userID,
		Scopes:    []string{"openid", "api:read"},
		CreatedAt: base,
		ExpiresAt: at(time.Hour),
	}
	if userID != "" {
		t.AuthTime = at(-time.Minute)
	}
	if kind == storage.TokenRefresh {
		t.GrantExpiresAt = at(30 * 24 * time.Hour)
	}
	return t
}

func testCreateToken(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	revoked := at(10 * time.Minute)

	tokens := []struct {
		name string
		in   storage.Token
	}{
		{"access", newToken("jti-1", storage.TokenAccess, "grant-1", "c1", "u1")},
		{"refresh revoked", func() storage.Token {
			tok := newToken("refresh-hash-1", storage.TokenRefresh, "grant-1", "c1", "u1")
			tok.RevokedAt = &revoked
			return tok
		}()},
		{"refresh rotated", func() storage.Token {
			tok := newToken("refresh-hash-2", storage.TokenRefresh, "grant-1", "c1", "u1")
			tok.RotatedAt = &revoked
			return tok
		}()},
		// Client-credentials tokens have no user (RFC 6749 §4.4).
		{"no user nil scopes", storage.Token{
			ID:        "jti-2",
			Kind:      storage.TokenAccess,
			GrantID:   "grant-2",
			ClientID:  "c1",
			CreatedAt: base,
			ExpiresAt: at(5 * time.Minute),
		}},
	}
	for _, tt := range tokens {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "CreateToken", s.CreateToken(ctx, tt.in), nil)
			got, err := s.GetToken(ctx, tt.in.ID)
			wantErr(t, "GetToken", err, nil)
			checkRecord(t, "GetToken", tt.in, got)
		})
	}

	t.Run("same id", func(t *testing.T) {
		dup := newToken("jti-1", storage.TokenRefresh, "grant-3", "c1", "")
		wantErr(t, "CreateToken", s.CreateToken(ctx, dup), storage.ErrAlreadyExists)
		got, err := s.GetToken(ctx, dup.ID)
		wantErr(t, "GetToken", err, nil)
		checkRecord(t, "GetToken after conflict", tokens[0].in, got)
	})
}

func testGetToken(t *testing.T, s storage.Store) {
	mustClient(t, s, "c1", base)
	wantErr(t, "CreateToken", s.CreateToken(t.Context(), newToken("present", storage.TokenAccess, "g", "c1", "")), nil)
	_, err := s.GetToken(t.Context(), "absent")
	wantErr(t, "GetToken(absent)", err, storage.ErrNotFound)
}

func testRevokeGrant(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	mustClient(t, s, "c2", base)
	earlier := at(-time.Hour)
	revokedEarlier := newToken("t3", storage.TokenRefresh, "g1", "c1", "u1")
	revokedEarlier.RevokedAt = &earlier
	tokens := []storage.Token{
		newToken("t1", storage.TokenAccess, "g1", "c1", "u1"),
		newToken("t2", storage.TokenRefresh, "g1", "c1", "u1"),
		revokedEarlier,
		newToken("t4", storage.TokenAccess, "g2", "c1", "u1"),
		newToken("t5", storage.TokenAccess, "g3", "c2", ""),
	}
	for _, tok := range tokens {
		wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
	}

	first, second := at(time.Minute), at(2*time.Minute)
	calls := []struct {
		name  string
		grant string
		now   time.Time
		n     int
		// revokedAt is each token's RevokedAt after the call.
		revokedAt map[string]*time.Time
	}{
		{"unrevoked tokens of the grant", "g1", first, 2,
			map[string]*time.Time{"t1": &first, "t2": &first, "t3": &earlier, "t4": nil, "t5": nil}},
		{"again", "g1", second, 0,
			map[string]*time.Time{"t1": &first, "t2": &first, "t3": &earlier, "t4": nil, "t5": nil}},
		{"absent grant", "g-absent", second, 0,
			map[string]*time.Time{"t1": &first, "t2": &first, "t3": &earlier, "t4": nil, "t5": nil}},
		{"other grant", "g2", second, 1,
			map[string]*time.Time{"t1": &first, "t2": &first, "t3": &earlier, "t4": &second, "t5": nil}},
		{"grant without user", "g3", second, 1,
			map[string]*time.Time{"t1": &first, "t2": &first, "t3": &earlier, "t4": &second, "t5": &second}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.RevokeGrant(ctx, tt.grant, tt.now)
			wantErr(t, "RevokeGrant", err, nil)
			if n != tt.n {
				t.Errorf("RevokeGrant(%q) = %d, want %d", tt.grant, n, tt.n)
			}
			for _, tok := range tokens {
				got, err := s.GetToken(ctx, tok.ID)
				wantErr(t, "GetToken", err, nil)
				want := tok
				want.RevokedAt = tt.revokedAt[tok.ID]
				checkRecord(t, "GetToken("+tok.ID+")", want, got)
			}
		})
	}
}

// revokeGrantRace races goroutines revoking one grant, spread over stores
// that share one database: together they must report each token revoked
// exactly once.
func revokeGrantRace(t *testing.T, stores []storage.Store) {
	const tokens, goroutines = 30, 10
	ctx := t.Context()
	s := stores[0]
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	for i := range tokens {
		tok := newToken(fmt.Sprintf("t%d", i), storage.TokenRefresh, "g1", "c1", "u1")
		wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
	}

	counts := make([]int, goroutines)
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			<-start
			counts[i], errs[i] = stores[i%len(stores)].RevokeGrant(ctx, "g1", at(time.Duration(i)*time.Second))
		})
	}
	close(start)
	wg.Wait()

	total := 0
	for i := range goroutines {
		wantErr(t, fmt.Sprintf("RevokeGrant in goroutine %d", i), errs[i], nil)
		total += counts[i]
	}
	if total != tokens {
		t.Errorf("RevokeGrant calls reported %d tokens revoked in total, want %d", total, tokens)
	}
	for i := range tokens {
		got, err := stores[len(stores)-1].GetToken(ctx, fmt.Sprintf("t%d", i))
		wantErr(t, "GetToken", err, nil)
		if got.RevokedAt == nil {
			t.Errorf("token t%d not revoked", i)
		}
	}
}
