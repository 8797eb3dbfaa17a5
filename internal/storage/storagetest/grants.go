package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// testCreateTokenAfterRevokeGrant: a revoked grant stays revoked for
// tokens created later (a replayed code revokes what its first, slower
// redemption is still issuing).
func testCreateTokenAfterRevokeGrant(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	revokedAt := at(time.Minute)
	n, err := s.RevokeGrant(ctx, "g1", revokedAt)
	wantErr(t, "RevokeGrant", err, nil)
	if n != 0 {
		t.Errorf("RevokeGrant of a grant without tokens = %d, want 0", n)
	}
	tok := newToken("late", storage.TokenAccess, "g1", "c1", "u1")
	wantErr(t, "CreateToken", s.CreateToken(ctx, tok), storage.ErrGrantRevoked)
	got, err := s.GetToken(ctx, "late")
	wantErr(t, "GetToken", err, nil)
	want := tok
	want.RevokedAt = &revokedAt
	checkRecord(t, "GetToken(late)", want, got)

	// Other grants are unaffected.
	other := newToken("other", storage.TokenAccess, "g2", "c1", "u1")
	wantErr(t, "CreateToken", s.CreateToken(ctx, other), nil)
	got, err = s.GetToken(ctx, "other")
	wantErr(t, "GetToken", err, nil)
	checkRecord(t, "GetToken(other)", other, got)
}

// issueRevokeRace creates tokens for one grant while other goroutines,
// spread over stores sharing one database, revoke it. Afterwards every
// token must be revoked: whichever way the calls interleave, a revocation
// never misses a token being issued.
func issueRevokeRace(t *testing.T, stores []storage.Store) {
	const rounds = 20
	ctx := t.Context()
	mustUser(t, stores[0], "u1")
	mustClient(t, stores[0], "c1", base)
	for r := range rounds {
		grant := fmt.Sprintf("g%d", r)
		id := fmt.Sprintf("t%d", r)
		start := make(chan struct{})
		var wg sync.WaitGroup
		var createErr, revokeErr error
		wg.Go(func() {
			<-start
			createErr = stores[r%len(stores)].CreateToken(ctx, newToken(id, storage.TokenAccess, grant, "c1", "u1"))
		})
		wg.Go(func() {
			<-start
			_, revokeErr = stores[(r+1)%len(stores)].RevokeGrant(ctx, grant, at(time.Minute))
		})
		close(start)
		wg.Wait()
		wantErr(t, "RevokeGrant", revokeErr, nil)
		if createErr != nil && !errors.Is(createErr, storage.ErrGrantRevoked) {
			t.Fatalf("CreateToken: %v", createErr)
		}
		got, err := stores[0].GetToken(ctx, id)
		wantErr(t, "GetToken", err, nil)
		if got.RevokedAt == nil {
			t.Errorf("round %d: token issued during the revocation of its grant survived", r)
		}
	}
}
