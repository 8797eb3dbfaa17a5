package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func newSession(id, userID string) storage.Session {
	return storage.Session{
		ID:        id,
		UserID:    userID,
		AuthTime:  at(-5 * time.Minute),
		CreatedAt: at(-10 * time.Minute),
		ExpiresAt: at(8 * time.Hour),
	}
}

func testCreateSession(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	in := newSession("c2Vzc2lvbi1oYXNo", "u1")
	wantErr(t, "CreateSession", s.CreateSession(ctx, in), nil)
	got, err := s.GetSession(ctx, in.ID, base)
	wantErr(t, "GetSession", err, nil)
	checkRecord(t, "GetSession", in, got)

	dup := newSession(in.ID, "u1")
	dup.ExpiresAt = at(24 * time.Hour)
	wantErr(t, "CreateSession(same id)", s.CreateSession(ctx, dup), storage.ErrAlreadyExists)
	got, err = s.GetSession(ctx, in.ID, base)
	wantErr(t, "GetSession after conflict", err, nil)
	checkRecord(t, "GetSession after conflict", in, got)
}

func testGetSession(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	in := newSession("s1", "u1")
	wantErr(t, "CreateSession", s.CreateSession(ctx, in), nil)
	expires := micro(in.ExpiresAt)

	// A session is valid while now is before ExpiresAt.
	tests := []struct {
		name string
		id   string
		now  time.Time
		want error
	}{
		{"long before expiry", "s1", at(-24 * time.Hour), nil},
		{"last microsecond", "s1", expires.Add(-time.Microsecond), nil},
		{"at expiry", "s1", expires, storage.ErrNotFound},
		{"after expiry", "s1", expires.Add(time.Hour), storage.ErrNotFound},
		{"absent", "s2", base, storage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.GetSession(ctx, tt.id, tt.now)
			wantErr(t, "GetSession", err, tt.want)
			if tt.want == nil {
				checkRecord(t, "GetSession", in, got)
			}
		})
	}
}

func testDeleteSession(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	keep := newSession("keep", "u1")
	gone := newSession("gone", "u1")
	wantErr(t, "CreateSession", s.CreateSession(ctx, keep), nil)
	wantErr(t, "CreateSession", s.CreateSession(ctx, gone), nil)

	wantErr(t, "DeleteSession", s.DeleteSession(ctx, gone.ID), nil)
	_, err := s.GetSession(ctx, gone.ID, base)
	wantErr(t, "GetSession(deleted)", err, storage.ErrNotFound)
	wantErr(t, "DeleteSession again", s.DeleteSession(ctx, gone.ID), nil)
	wantErr(t, "DeleteSession(absent)", s.DeleteSession(ctx, "absent"), nil)

	got, err := s.GetSession(ctx, keep.ID, base)
	wantErr(t, "GetSession(kept)", err, nil)
	checkRecord(t, "kept session", keep, got)
}

func newConsent(userID, clientID string, scopes ...string) storage.Consent {
	return storage.Consent{
		UserID:    userID,
		ClientID:  clientID,
		Scopes:    scopes,
		CreatedAt: base,
		UpdatedAt: at(time.Minute),
	}
}

func testGetConsent(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	mustClient(t, s, "c1", base)
	mustClient(t, s, "c2", base)
	in := newConsent("u1", "c1", "openid", "profile", "api:read")
	wantErr(t, "SaveConsent", s.SaveConsent(ctx, in), nil)

	got, err := s.GetConsent(ctx, "u1", "c1")
	wantErr(t, "GetConsent", err, nil)
	checkRecord(t, "GetConsent", in, got)

	for _, key := range [][2]string{{"u1", "c2"}, {"u2", "c1"}, {"c1", "u1"}, {"absent", "c1"}} {
		_, err := s.GetConsent(ctx, key[0], key[1])
		wantErr(t, "GetConsent("+key[0]+", "+key[1]+")", err, storage.ErrNotFound)
	}
}

func testSaveConsent(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	mustClient(t, s, "c1", base)
	mustClient(t, s, "c2", base)
	others := []storage.Consent{
		newConsent("u1", "c2", "openid"),
		newConsent("u2", "c1", "openid", "email"),
	}
	for _, c := range others {
		wantErr(t, "SaveConsent", s.SaveConsent(ctx, c), nil)
	}

	// Each save replaces the whole record, scopes and times alike.
	saves := []struct {
		name string
		in   storage.Consent
	}{
		{"create", newConsent("u1", "c1", "openid", "profile")},
		{"replace", storage.Consent{
			UserID:    "u1",
			ClientID:  "c1",
			Scopes:    []string{"openid", "offline_access", "api:read"},
			CreatedAt: at(time.Hour),
			UpdatedAt: at(2 * time.Hour),
		}},
		{"replace with nil scopes", storage.Consent{
			UserID:    "u1",
			ClientID:  "c1",
			CreatedAt: at(3 * time.Hour),
			UpdatedAt: at(4 * time.Hour),
		}},
	}
	for _, tt := range saves {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "SaveConsent", s.SaveConsent(ctx, tt.in), nil)
			got, err := s.GetConsent(ctx, tt.in.UserID, tt.in.ClientID)
			wantErr(t, "GetConsent", err, nil)
			checkRecord(t, "GetConsent", tt.in, got)
		})
	}

	for _, c := range others {
		got, err := s.GetConsent(ctx, c.UserID, c.ClientID)
		wantErr(t, "GetConsent(other)", err, nil)
		checkRecord(t, "untouched consent", c, got)
	}
}

func testDeleteConsent(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	mustClient(t, s, "c1", base)
	mustClient(t, s, "c2", base)
	keep := []storage.Consent{newConsent("u1", "c2", "openid"), newConsent("u2", "c1", "openid")}
	for _, c := range append(keep, newConsent("u1", "c1", "openid")) {
		wantErr(t, "SaveConsent", s.SaveConsent(ctx, c), nil)
	}

	wantErr(t, "DeleteConsent", s.DeleteConsent(ctx, "u1", "c1"), nil)
	_, err := s.GetConsent(ctx, "u1", "c1")
	wantErr(t, "GetConsent(deleted)", err, storage.ErrNotFound)
	wantErr(t, "DeleteConsent again", s.DeleteConsent(ctx, "u1", "c1"), nil)
	wantErr(t, "DeleteConsent(absent)", s.DeleteConsent(ctx, "absent", "absent"), nil)

	for _, c := range keep {
		got, err := s.GetConsent(ctx, c.UserID, c.ClientID)
		wantErr(t, "GetConsent(kept)", err, nil)
		checkRecord(t, "kept consent", c, got)
	}
}
