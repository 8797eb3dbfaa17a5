package storagetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func testUseAssertionID(t *testing.T, s storage.Store) {
	ctx := t.Context()
	exp := at(5 * time.Minute)
	calls := []struct {
		name, client, jti string
		want              error
	}{
		{"first use", "c1", "jti-1", nil},
		{"replay", "c1", "jti-1", storage.ErrAlreadyExists},
		{"another jti", "c1", "jti-2", nil},
		// jti values are unique per issuer, that is per client.
		{"same jti, another client", "c2", "jti-1", nil},
		{"replay by the other client", "c2", "jti-1", storage.ErrAlreadyExists},
		{"case matters", "c1", "JTI-1", nil},
		// A key that cannot be recorded is refused, never accepted.
		{"NUL in jti", "c1", "jti\x00", storage.ErrAlreadyExists},
		{"invalid UTF-8 in jti", "c1", "jti\xff", storage.ErrAlreadyExists},
		{"invalid UTF-8 in client", "c\xc3", "jti-3", storage.ErrAlreadyExists},
		{"empty jti", "c1", "", nil},
		{"empty jti again", "c1", "", storage.ErrAlreadyExists},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "UseAssertionID", s.UseAssertionID(ctx, tt.client, tt.jti, exp), tt.want)
		})
	}
	// Once the janitor has removed it, an expired jti is free again.
	n, err := s.DeleteExpired(ctx, exp, 100)
	wantErr(t, "DeleteExpired", err, nil)
	if n != 5 {
		t.Errorf("DeleteExpired = %d, want the 5 assertion IDs", n)
	}
	wantErr(t, "UseAssertionID after expiry", s.UseAssertionID(ctx, "c1", "jti-1", at(time.Hour)), nil)

	// A limit above the backends' internal batch size (a few hundred
	// rows) is still honoured exactly; jti-1 has not expired.
	const rows, limit = 600, 550
	for i := range rows {
		wantErr(t, "UseAssertionID", s.UseAssertionID(ctx, "c3", fmt.Sprint(i), exp), nil)
	}
	for _, want := range []int{limit, rows - limit, 0} {
		n, err := s.DeleteExpired(ctx, exp, limit)
		wantErr(t, "DeleteExpired", err, nil)
		if n != want {
			t.Errorf("DeleteExpired(limit %d) = %d, want %d", limit, n, want)
		}
	}
	wantErr(t, "UseAssertionID(unexpired)", s.UseAssertionID(ctx, "c1", "jti-1", at(time.Hour)), storage.ErrAlreadyExists)
}

// testDeleteExpired fills every kind of expiring record, some expired and
// some not, and checks calls remove at most limit rows of each kind until
// every expired row, and nothing else, is gone.
func testDeleteExpired(t *testing.T, s storage.Store) {
	const expired, kept, limit = 25, 2, 10 // rows of each kind, and the limit per call
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	now := at(time.Hour)
	type row struct {
		suffix  string
		expires time.Time
	}
	var rows []row
	for i := range expired {
		// At now is expired: a record is valid while now is before it.
		rows = append(rows, row{fmt.Sprintf("x%d", i), now.Add(-time.Duration(i) * time.Second)})
	}
	for i := range kept {
		rows = append(rows, row{fmt.Sprintf("k%d", i), now.Add(time.Microsecond + time.Duration(i)*time.Second)})
	}
	for _, r := range rows {
		code := newCode("code-"+r.suffix, "c1", "u1", "g-code-"+r.suffix)
		code.ExpiresAt = r.expires
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, code), nil)
		tok := newToken("tok-"+r.suffix, storage.TokenRefresh, "g-tok-"+r.suffix, "c1", "u1")
		tok.ExpiresAt = r.expires
		wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
		sess := newSession("sess-"+r.suffix, "u1")
		sess.ExpiresAt = r.expires
		wantErr(t, "CreateSession", s.CreateSession(ctx, sess), nil)
		wantErr(t, "UseAssertionID", s.UseAssertionID(ctx, "c1", "jti-"+r.suffix, r.expires), nil)
	}
	// Revoked grants go an hour after their revocation, once no token or
	// code of theirs remains: g-old at once, the grants of expired rows
	// once those have gone; the others stay.
	grants := []struct {
		id   string
		at   time.Time
		gone bool
	}{
		{"g-old", now.Add(-time.Hour - time.Microsecond), true},
		{"g-recent", now.Add(-time.Hour), false},
		{"g-tok-x0", now.Add(-2 * time.Hour), true},
		{"g-code-x1", now.Add(-2 * time.Hour), true},
		{"g-tok-k0", now.Add(-2 * time.Hour), false},
		{"g-code-k0", now.Add(-2 * time.Hour), false},
	}
	for _, g := range grants {
		_, err := s.RevokeGrant(ctx, g.id, g.at)
		wantErr(t, "RevokeGrant", err, nil)
	}

	n, err := s.DeleteExpired(ctx, now, limit)
	wantErr(t, "DeleteExpired", err, nil)
	// A full batch of each kind, g-old, and maybe the grants of the
	// expired token and code if the batches took those.
	if n < 4*limit+1 || n > 4*limit+3 {
		t.Errorf("first call deleted %d rows, want %d to %d", n, 4*limit+1, 4*limit+3)
	}
	left := map[string]int{}
	for _, r := range rows[:expired] {
		if _, err := s.GetToken(ctx, "tok-"+r.suffix); err == nil {
			left["tokens"]++
		}
		if _, err := s.GetSession(ctx, "sess-"+r.suffix, at(-time.Hour)); err == nil {
			left["sessions"]++
		}
		if _, err := s.ConsumeAuthCode(ctx, "code-"+r.suffix, now); err == nil {
			left["codes"]++
		}
	}
	for _, kind := range []string{"tokens", "sessions", "codes"} {
		if left[kind] != expired-limit {
			t.Errorf("after one call %d expired %s are left, want %d", left[kind], kind, expired-limit)
		}
	}

	total := n
	for call := 1; n > 0; call++ {
		if call > 5 {
			t.Fatalf("DeleteExpired still deleting after %d calls", call)
		}
		n, err = s.DeleteExpired(ctx, now, limit)
		wantErr(t, "DeleteExpired", err, nil)
		if n > 5*limit {
			t.Fatalf("call %d deleted %d rows, more than %d for 5 kinds", call, n, 5*limit)
		}
		total += n
	}
	if want := 4*expired + 3; total != want {
		t.Errorf("DeleteExpired removed %d rows in all, want %d", total, want)
	}

	// Only the kept rows remain.
	for i, r := range rows {
		gone := i < expired
		check := func(what string, err error) {
			t.Helper()
			if gone {
				wantErr(t, what+"("+r.suffix+")", err, storage.ErrNotFound)
			} else {
				wantErr(t, what+"("+r.suffix+")", err, nil)
			}
		}
		_, err := s.GetToken(ctx, "tok-"+r.suffix)
		check("GetToken", err)
		_, err = s.GetSession(ctx, "sess-"+r.suffix, at(-time.Hour))
		check("GetSession", err)
		_, err = s.ConsumeAuthCode(ctx, "code-"+r.suffix, now)
		if !gone && errors.Is(err, storage.ErrAlreadyConsumed) {
			err = nil // consumed when counting above
		}
		check("ConsumeAuthCode", err)
		err = s.UseAssertionID(ctx, "c1", "jti-"+r.suffix, now)
		if !gone {
			wantErr(t, "UseAssertionID(kept)", err, storage.ErrAlreadyExists)
		} else {
			wantErr(t, "UseAssertionID(deleted)", err, nil)
		}
	}
	// Revoked grants that remain still revoke tokens created later.
	for _, g := range grants {
		want := storage.ErrGrantRevoked
		if g.gone {
			want = nil
		}
		err := s.CreateToken(ctx, newToken("late-"+g.id, storage.TokenAccess, g.id, "c1", "u1"))
		wantErr(t, "CreateToken(grant "+g.id+")", err, want)
	}

	for _, limit := range []int{0, -1} {
		n, err := s.DeleteExpired(ctx, at(1000*time.Hour), limit)
		wantErr(t, "DeleteExpired", err, nil)
		if n != 0 {
			t.Errorf("DeleteExpired with limit %d deleted %d rows", limit, n)
		}
	}
}
