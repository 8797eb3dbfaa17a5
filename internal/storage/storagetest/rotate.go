package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// testRotateRefreshToken covers each outcome of a rotation (RFC 9700
// §4.14.2): success, reuse, inactivity, and the cases that are not refresh
// tokens at all.
func testRotateRefreshToken(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	earlier := at(-time.Minute)
	refresh := func(id string, edit func(*storage.Token)) storage.Token {
		tok := newToken(id, storage.TokenRefresh, "g-"+id, "c1", "u1")
		if edit != nil {
			edit(&tok)
		}
		wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
		return tok
	}
	tests := []struct {
		name string
		old  storage.Token // stored before the call
		id   string        // the ID rotated
		now  time.Time
		want error
	}{
		{"active", refresh("active", nil), "active", at(time.Minute), nil},
		{"last microsecond", refresh("last", nil), "last", at(time.Hour - time.Microsecond), nil},
		{"at expiry", refresh("expiry", nil), "expiry", at(time.Hour), storage.ErrInactive},
		{"past grant expiry", refresh("grant-expiry", func(tok *storage.Token) {
			tok.GrantExpiresAt = at(time.Minute)
		}), "grant-expiry", at(time.Minute), storage.ErrInactive},
		{"revoked", refresh("revoked", func(tok *storage.Token) { tok.RevokedAt = &earlier }),
			"revoked", at(time.Minute), storage.ErrInactive},
		{"rotated", refresh("rotated", func(tok *storage.Token) { tok.RotatedAt = &earlier }),
			"rotated", at(time.Minute), storage.ErrAlreadyConsumed},
		// Reuse takes precedence: the caller must revoke the grant.
		{"rotated, revoked and expired", refresh("all", func(tok *storage.Token) {
			tok.RotatedAt, tok.RevokedAt = &earlier, &earlier
		}), "all", at(2 * time.Hour), storage.ErrAlreadyConsumed},
		{"access token", func() storage.Token {
			tok := newToken("access", storage.TokenAccess, "g-access", "c1", "u1")
			wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
			return tok
		}(), "access", at(time.Minute), storage.ErrNotFound},
		{"absent", storage.Token{}, "absent", at(time.Minute), storage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := newToken(tt.id+"-next", storage.TokenRefresh, tt.old.GrantID, "c1", "u1")
			next.CreatedAt, next.ExpiresAt = tt.now, tt.now.Add(time.Hour)
			got, err := s.RotateRefreshToken(ctx, tt.id, next, tt.now)
			wantErr(t, "RotateRefreshToken", err, tt.want)

			wantOld := tt.old
			if tt.want == nil {
				wantOld.RotatedAt = &tt.now
			}
			if tt.want != storage.ErrNotFound {
				checkRecord(t, "RotateRefreshToken result", wantOld, got)
			}
			if tt.old.ID != "" {
				stored, err := s.GetToken(ctx, tt.id)
				wantErr(t, "GetToken(old)", err, nil)
				checkRecord(t, "stored old token", wantOld, stored)
			}
			stored, err := s.GetToken(ctx, next.ID)
			if tt.want != nil {
				wantErr(t, "GetToken(next) after a refused rotation", err, storage.ErrNotFound)
				return
			}
			wantErr(t, "GetToken(next)", err, nil)
			checkRecord(t, "stored next token", next, stored)
			// The successor rotates in turn; the old token is reuse now.
			_, err = s.RotateRefreshToken(ctx, next.ID, newToken(next.ID+"2", storage.TokenRefresh, next.GrantID, "c1", "u1"), tt.now)
			wantErr(t, "RotateRefreshToken(next)", err, nil)
			_, err = s.RotateRefreshToken(ctx, tt.id, newToken(tt.id+"-again", storage.TokenRefresh, next.GrantID, "c1", "u1"), tt.now)
			wantErr(t, "RotateRefreshToken(old) again", err, storage.ErrAlreadyConsumed)
		})
	}

	t.Run("next ID taken", func(t *testing.T) {
		old := refresh("clash", nil)
		taken := newToken("taken", storage.TokenAccess, "g-taken", "c1", "u1")
		wantErr(t, "CreateToken", s.CreateToken(ctx, taken), nil)
		next := newToken("taken", storage.TokenRefresh, old.GrantID, "c1", "u1")
		_, err := s.RotateRefreshToken(ctx, old.ID, next, at(time.Minute))
		wantErr(t, "RotateRefreshToken", err, storage.ErrAlreadyExists)
		// Nothing happened: the old token is not rotated and rotates later.
		for _, want := range []storage.Token{old, taken} {
			got, err := s.GetToken(ctx, want.ID)
			wantErr(t, "GetToken", err, nil)
			checkRecord(t, "GetToken("+want.ID+")", want, got)
		}
		next.ID = "clash-next"
		_, err = s.RotateRefreshToken(ctx, old.ID, next, at(time.Minute))
		wantErr(t, "RotateRefreshToken with a free ID", err, nil)
	})

	t.Run("grant revoked", func(t *testing.T) {
		old := refresh("doomed", nil)
		revokedAt := at(time.Second)
		// next's grant is revoked already. (Were it old's, old would be
		// revoked too; a revocation of the grant between the rotation's
		// commit and its check is what this stands for.)
		n, err := s.RevokeGrant(ctx, "g-next-doomed", revokedAt)
		wantErr(t, "RevokeGrant", err, nil)
		if n != 0 {
			t.Fatalf("RevokeGrant = %d, want 0", n)
		}
		next := newToken("doomed-next", storage.TokenRefresh, "g-next-doomed", "c1", "u1")
		now := at(time.Minute)
		got, err := s.RotateRefreshToken(ctx, old.ID, next, now)
		wantErr(t, "RotateRefreshToken", err, storage.ErrGrantRevoked)
		wantOld := old
		wantOld.RotatedAt = &now
		checkRecord(t, "RotateRefreshToken result", wantOld, got)
		stored, err := s.GetToken(ctx, next.ID)
		wantErr(t, "GetToken(next)", err, nil)
		next.RevokedAt = &revokedAt
		checkRecord(t, "stored next token", next, stored)
	})
}

// rotateRace races goroutines rotating one refresh token, each with its own
// successor, spread over stores sharing one database: exactly one
// succeeds, every other gets ErrAlreadyConsumed with the rotated record,
// and only the winner's successor is stored.
func rotateRace(t *testing.T, stores []storage.Store) {
	const rounds, goroutines = 3, 20
	ctx := t.Context()
	mustUser(t, stores[0], "u1")
	mustClient(t, stores[0], "c1", base)
	for round := range rounds {
		old := newToken(fmt.Sprintf("rt%d", round), storage.TokenRefresh, fmt.Sprintf("g%d", round), "c1", "u1")
		wantErr(t, "CreateToken", stores[0].CreateToken(ctx, old), nil)
		results := make([]storage.Token, goroutines)
		errs := make([]error, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				<-start
				next := newToken(fmt.Sprintf("%s-%d", old.ID, i), storage.TokenRefresh, old.GrantID, "c1", "u1")
				results[i], errs[i] = stores[i%len(stores)].RotateRefreshToken(ctx, old.ID, next, at(time.Duration(i)*time.Second))
			})
		}
		close(start)
		wg.Wait()

		winner, consumed := -1, 0
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: goroutines %d and %d both rotated the token", round, winner, i)
			case err == nil:
				winner = i
			case errors.Is(err, storage.ErrAlreadyConsumed):
				consumed++
			default:
				t.Fatalf("round %d: goroutine %d: %v, want nil or ErrAlreadyConsumed", round, i, err)
			}
		}
		if winner < 0 || consumed != goroutines-1 {
			t.Fatalf("round %d: winner %d, %d ErrAlreadyConsumed; want one winner and %d", round, winner, consumed, goroutines-1)
		}
		won := at(time.Duration(winner) * time.Second)
		want := old
		want.RotatedAt = &won
		for i, got := range results {
			checkRecord(t, fmt.Sprintf("round %d: result of goroutine %d", round, i), want, got)
			_, err := stores[0].GetToken(ctx, fmt.Sprintf("%s-%d", old.ID, i))
			if i == winner {
				wantErr(t, "GetToken(winner's successor)", err, nil)
			} else {
				wantErr(t, "GetToken(loser's successor)", err, storage.ErrNotFound)
			}
		}
	}
}

// rotateRevokeRace rotates a refresh token while another goroutine, on
// another store, revokes its grant: whichever way they interleave, no
// unrevoked token of the grant survives.
func rotateRevokeRace(t *testing.T, stores []storage.Store) {
	const rounds = 20
	ctx := t.Context()
	mustUser(t, stores[0], "u1")
	mustClient(t, stores[0], "c1", base)
	for r := range rounds {
		grant := fmt.Sprintf("g%d", r)
		old := newToken(fmt.Sprintf("rt%d", r), storage.TokenRefresh, grant, "c1", "u1")
		next := newToken(old.ID+"-next", storage.TokenRefresh, grant, "c1", "u1")
		wantErr(t, "CreateToken", stores[0].CreateToken(ctx, old), nil)
		start := make(chan struct{})
		var wg sync.WaitGroup
		var rotateErr, revokeErr error
		wg.Go(func() {
			<-start
			_, rotateErr = stores[r%len(stores)].RotateRefreshToken(ctx, old.ID, next, at(time.Second))
		})
		wg.Go(func() {
			<-start
			_, revokeErr = stores[(r+1)%len(stores)].RevokeGrant(ctx, grant, at(time.Minute))
		})
		close(start)
		wg.Wait()
		wantErr(t, "RevokeGrant", revokeErr, nil)
		switch {
		case rotateErr == nil, errors.Is(rotateErr, storage.ErrGrantRevoked):
			got, err := stores[0].GetToken(ctx, next.ID)
			wantErr(t, "GetToken(next)", err, nil)
			if got.RevokedAt == nil {
				t.Errorf("round %d: successor issued during the revocation of its grant survived", r)
			}
		case errors.Is(rotateErr, storage.ErrInactive):
			_, err := stores[0].GetToken(ctx, next.ID)
			wantErr(t, "GetToken(next) after a refused rotation", err, storage.ErrNotFound)
		default:
			t.Fatalf("round %d: RotateRefreshToken: %v", r, rotateErr)
		}
		got, err := stores[0].GetToken(ctx, old.ID)
		wantErr(t, "GetToken(old)", err, nil)
		if got.RevokedAt == nil {
			t.Errorf("round %d: old token of the revoked grant not revoked", r)
		}
	}
}
