package storagetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// These tests cover what the account page uses: a user's password, their
// signed-in sessions and the consents they gave.

func testUpdateUserPassword(t *testing.T, s storage.Store) {
	ctx := t.Context()
	u := mustUser(t, s, "u1")
	other := mustUser(t, s, "u2")
	now := at(time.Hour)

	wantErr(t, "UpdateUserPassword", s.UpdateUserPassword(ctx, u.ID, "$argon2id$new", now), nil)
	got, err := s.GetUser(ctx, u.ID)
	wantErr(t, "GetUser", err, nil)
	want := u
	want.PasswordHash, want.UpdatedAt = "$argon2id$new", now
	checkRecord(t, "GetUser after UpdateUserPassword", wantUser(want), got)

	err = s.UpdateUserPassword(ctx, "absent", "$argon2id$x", now)
	wantErr(t, "UpdateUserPassword(absent)", err, storage.ErrNotFound)
	if _, err := s.GetUser(ctx, "absent"); err == nil {
		t.Error("UpdateUserPassword(absent) created a user")
	}
	got, err = s.GetUser(ctx, other.ID)
	wantErr(t, "GetUser(other)", err, nil)
	checkRecord(t, "untouched user", wantUser(other), got)
}

func testListSessions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	session := func(id, user string, created, expires time.Duration) storage.Session {
		return storage.Session{ID: id, UserID: user, AuthTime: at(created), CreatedAt: at(created), ExpiresAt: at(expires)}
	}
	all := []storage.Session{
		session("s-old", "u1", -3*time.Hour, 5*time.Hour),
		session("s-new", "u1", -time.Minute, 8*time.Hour),
		// Same creation microsecond: ordered by ID, byte by byte.
		session("s_b", "u1", -time.Hour, 8*time.Hour),
		session("s-B", "u1", -time.Hour+100*time.Nanosecond, 8*time.Hour),
		session("s-a", "u1", -time.Hour, 8*time.Hour),
		session("s-expired", "u1", -9*time.Hour, -time.Hour),
		session("s-at-now", "u1", -2*time.Hour, 0),
		session("s-other", "u2", -time.Minute, 8*time.Hour),
	}
	for _, sess := range all {
		wantErr(t, "CreateSession", s.CreateSession(ctx, sess), nil)
	}
	// valid lists the user's sessions valid at now, newest first.
	valid := func(user string, now time.Time) []storage.Session {
		var out []storage.Session
		for _, sess := range all {
			if sess.UserID == user && now.Before(sess.ExpiresAt) {
				out = append(out, sess)
			}
		}
		slices.SortFunc(out, func(a, b storage.Session) int {
			return cmp.Or(micro(b.CreatedAt).Compare(micro(a.CreatedAt)), strings.Compare(a.ID, b.ID))
		})
		return out
	}
	tests := []struct {
		user string
		now  time.Time
		n    int
	}{
		{"u1", base, 5},
		{"u1", at(-time.Hour - time.Microsecond), 7},
		{"u1", at(6 * time.Hour), 4},
		{"u1", at(8 * time.Hour), 0},
		{"u2", base, 1},
		{"absent", base, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s at %v", tt.user, tt.now.Sub(base)), func(t *testing.T) {
			got, err := s.ListSessions(ctx, tt.user, tt.now)
			wantErr(t, "ListSessions", err, nil)
			if got == nil {
				t.Error("ListSessions returned a nil slice")
			}
			want := valid(tt.user, tt.now)
			if len(want) != tt.n {
				t.Fatalf("test expects %d sessions, fixture gives %d", tt.n, len(want))
			}
			checkRecords(t, "ListSessions", want, got)
		})
	}
}

func testDeleteUserSessions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	expired := newSession("u1-expired", "u1")
	expired.ExpiresAt = at(-time.Hour)
	for _, sess := range []storage.Session{
		newSession("u1-a", "u1"), newSession("u1-b", "u1"), newSession("u1-c", "u1"), expired,
		newSession("u2-a", "u2"),
	} {
		wantErr(t, "CreateSession", s.CreateSession(ctx, sess), nil)
	}
	calls := []struct {
		name, user, except string
		n                  int
		left               []string // u1's sessions valid at base afterwards
	}{
		{"all but current", "u1", "u1-b", 3, []string{"u1-b"}},
		{"again", "u1", "u1-b", 0, []string{"u1-b"}},
		{"other user's session as exception", "u2", "u1-b", 1, []string{"u1-b"}},
		{"absent user", "absent", "", 0, []string{"u1-b"}},
		{"no exception", "u1", "", 1, nil},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.DeleteUserSessions(ctx, tt.user, tt.except)
			wantErr(t, "DeleteUserSessions", err, nil)
			if n != tt.n {
				t.Errorf("DeleteUserSessions(%q, %q) = %d, want %d", tt.user, tt.except, n, tt.n)
			}
			got, err := s.ListSessions(ctx, "u1", at(-2*time.Hour))
			wantErr(t, "ListSessions", err, nil)
			var ids []string
			for _, sess := range got {
				ids = append(ids, sess.ID)
			}
			if !slices.Equal(ids, tt.left) {
				t.Errorf("u1's sessions after DeleteUserSessions: %q, want %q", ids, tt.left)
			}
		})
	}
	got, err := s.ListSessions(ctx, "u2", base)
	wantErr(t, "ListSessions(u2)", err, nil)
	if len(got) != 0 {
		t.Errorf("u2 still has %d sessions", len(got))
	}
}

func testListConsents(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	consent := func(user, client string, updated time.Duration) storage.Consent {
		c := newConsent(user, client, "openid", client)
		c.UpdatedAt = at(updated)
		return c
	}
	all := []storage.Consent{
		consent("u1", "c-old", -time.Hour),
		consent("u1", "c-new", time.Hour),
		// Same update microsecond: ordered by client ID, byte by byte.
		consent("u1", "c_b", 0),
		consent("u1", "c-B", 100*time.Nanosecond),
		consent("u1", "c-a", 0),
		consent("u2", "c-a", 2*time.Hour),
	}
	for _, c := range all {
		if _, err := s.GetClient(ctx, c.ClientID); err != nil {
			mustClient(t, s, c.ClientID, base)
		}
		wantErr(t, "SaveConsent", s.SaveConsent(ctx, c), nil)
	}
	for _, user := range []string{"u1", "u2", "absent"} {
		t.Run(user, func(t *testing.T) {
			var want []storage.Consent
			for _, c := range all {
				if c.UserID == user {
					want = append(want, c)
				}
			}
			slices.SortFunc(want, func(a, b storage.Consent) int {
				return cmp.Or(micro(b.UpdatedAt).Compare(micro(a.UpdatedAt)), strings.Compare(a.ClientID, b.ClientID))
			})
			got, err := s.ListConsents(ctx, user)
			wantErr(t, "ListConsents", err, nil)
			if got == nil {
				t.Error("ListConsents returned a nil slice")
			}
			checkRecords(t, "ListConsents", want, got)
		})
	}
}
