package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func testRevokeToken(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	tok := newToken("t1", storage.TokenRefresh, "g1", "c1", "u1")
	sibling := newToken("t2", storage.TokenAccess, "g1", "c1", "u1")
	for _, in := range []storage.Token{tok, sibling} {
		wantErr(t, "CreateToken", s.CreateToken(ctx, in), nil)
	}
	first := at(time.Minute)
	want := tok
	want.RevokedAt = &first
	calls := []struct {
		name string
		id   string
		now  time.Time
		err  error
	}{
		{"first", "t1", first, nil},
		{"again keeps the first time", "t1", at(2 * time.Minute), nil},
		{"absent", "absent", first, storage.ErrNotFound},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.RevokeToken(ctx, tt.id, tt.now)
			wantErr(t, "RevokeToken", err, tt.err)
			if tt.err != nil {
				return
			}
			checkRecord(t, "RevokeToken result", want, got)
			stored, err := s.GetToken(ctx, tt.id)
			wantErr(t, "GetToken", err, nil)
			checkRecord(t, "stored token", want, stored)
		})
	}
	// Only the token itself is revoked, not its grant.
	got, err := s.GetToken(ctx, sibling.ID)
	wantErr(t, "GetToken(sibling)", err, nil)
	checkRecord(t, "sibling token", sibling, got)
	wantErr(t, "CreateToken(same grant)", s.CreateToken(ctx, newToken("t3", storage.TokenAccess, "g1", "c1", "u1")), nil)
}

func testRevokeUserClient(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for _, u := range []string{"u1", "u2"} {
		mustUser(t, s, u)
	}
	for _, c := range []string{"c1", "c2"} {
		mustClient(t, s, c, base)
	}
	earlier, now := at(-time.Hour), at(time.Minute)
	revokedEarlier := newToken("t3", storage.TokenRefresh, "g1", "c1", "u1")
	revokedEarlier.RevokedAt = &earlier
	tokens := []storage.Token{
		newToken("t1", storage.TokenAccess, "g1", "c1", "u1"),
		newToken("t2", storage.TokenRefresh, "g1", "c1", "u1"),
		revokedEarlier,
		newToken("t4", storage.TokenAccess, "g2", "c1", "u1"),
		newToken("t5", storage.TokenAccess, "g3", "c2", "u1"), // other client
		newToken("t6", storage.TokenAccess, "g4", "c1", "u2"), // other user
		newToken("t7", storage.TokenAccess, "g5", "c1", ""),   // client credentials
	}
	for _, tok := range tokens {
		wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
	}
	consumed := newCode("code-in-flight", "c1", "u1", "g7")
	codes := []storage.AuthCode{
		newCode("code-pending", "c1", "u1", "g6"),
		consumed,
		newCode("code-other-client", "c2", "u1", "g8"),
		newCode("code-other-user", "c1", "u2", "g9"),
	}
	for _, c := range codes {
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, c), nil)
	}
	// The redemption of code-in-flight has begun: the code is consumed,
	// its tokens not yet stored.
	_, err := s.ConsumeAuthCode(ctx, consumed.Hash, base)
	wantErr(t, "ConsumeAuthCode", err, nil)

	n, err := s.RevokeUserClient(ctx, "u1", "c1", now)
	wantErr(t, "RevokeUserClient", err, nil)
	if n != 3 {
		t.Errorf("RevokeUserClient = %d, want 3", n)
	}
	revokedAt := map[string]*time.Time{"t1": &now, "t2": &now, "t3": &earlier, "t4": &now}
	for _, tok := range tokens {
		got, err := s.GetToken(ctx, tok.ID)
		wantErr(t, "GetToken", err, nil)
		tok.RevokedAt = revokedAt[tok.ID]
		checkRecord(t, "GetToken("+tok.ID+")", tok, got)
	}

	// Tokens issued later for any grant of the pair, the code in flight
	// included, are revoked; other pairs' grants are not.
	for _, tt := range []struct {
		grant, client, user string
		want                error
	}{
		{"g1", "c1", "u1", storage.ErrGrantRevoked},
		{"g6", "c1", "u1", storage.ErrGrantRevoked},
		{"g7", "c1", "u1", storage.ErrGrantRevoked},
		{"g3", "c2", "u1", nil},
		{"g4", "c1", "u2", nil},
		{"g5", "c1", "", nil},
	} {
		tok := newToken("late-"+tt.grant, storage.TokenAccess, tt.grant, tt.client, tt.user)
		err := s.CreateToken(ctx, tok)
		wantErr(t, "CreateToken(grant "+tt.grant+")", err, tt.want)
		got, err := s.GetToken(ctx, tok.ID)
		wantErr(t, "GetToken", err, nil)
		if (got.RevokedAt != nil) != (tt.want != nil) {
			t.Errorf("token issued later for grant %s: RevokedAt = %v", tt.grant, got.RevokedAt)
		}
	}

	// The pair's unconsumed code is gone; the consumed one and other
	// pairs' codes remain.
	for _, tt := range []struct {
		hash string
		want error
	}{
		{"code-pending", storage.ErrNotFound},
		{"code-in-flight", storage.ErrAlreadyConsumed},
		{"code-other-client", nil},
		{"code-other-user", nil},
	} {
		_, err := s.ConsumeAuthCode(ctx, tt.hash, now)
		wantErr(t, "ConsumeAuthCode("+tt.hash+")", err, tt.want)
	}

	for _, pair := range [][2]string{{"u1", "c1"}, {"absent", "c1"}, {"u1", "absent"}} {
		n, err := s.RevokeUserClient(ctx, pair[0], pair[1], at(time.Hour))
		wantErr(t, "RevokeUserClient again", err, nil)
		if n != 0 {
			t.Errorf("RevokeUserClient(%q, %q) = %d, want 0", pair[0], pair[1], n)
		}
	}
}

// issueRevokeUserClientRace stores the token of a code redemption in
// flight while another goroutine, on another store, revokes everything the
// user gave the client: the token must end up revoked.
func issueRevokeUserClientRace(t *testing.T, stores []storage.Store) {
	const rounds = 20
	ctx := t.Context()
	mustUser(t, stores[0], "u1")
	mustClient(t, stores[0], "c1", base)
	for r := range rounds {
		code := newCode(fmt.Sprintf("code%d", r), "c1", "u1", fmt.Sprintf("g%d", r))
		wantErr(t, "CreateAuthCode", stores[0].CreateAuthCode(ctx, code), nil)
		_, err := stores[0].ConsumeAuthCode(ctx, code.Hash, base)
		wantErr(t, "ConsumeAuthCode", err, nil)
		tok := newToken(fmt.Sprintf("t%d", r), storage.TokenRefresh, code.GrantID, "c1", "u1")
		start := make(chan struct{})
		var wg sync.WaitGroup
		var createErr, revokeErr error
		wg.Go(func() {
			<-start
			createErr = stores[r%len(stores)].CreateToken(ctx, tok)
		})
		wg.Go(func() {
			<-start
			_, revokeErr = stores[(r+1)%len(stores)].RevokeUserClient(ctx, "u1", "c1", at(time.Minute))
		})
		close(start)
		wg.Wait()
		wantErr(t, "RevokeUserClient", revokeErr, nil)
		if createErr != nil && !errors.Is(createErr, storage.ErrGrantRevoked) {
			t.Fatalf("CreateToken: %v", createErr)
		}
		got, err := stores[0].GetToken(ctx, tok.ID)
		wantErr(t, "GetToken", err, nil)
		if got.RevokedAt == nil {
			t.Errorf("round %d: token issued during RevokeUserClient survived", r)
		}
	}
}
