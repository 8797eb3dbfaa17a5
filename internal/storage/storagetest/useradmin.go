package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func testUpdateUser(t *testing.T, s storage.Store) {
	ctx := t.Context()
	orig := mustUser(t, s, "u1")
	other := mustUser(t, s, "u2")

	tests := []struct {
		name   string
		change func(u *storage.User)
	}{
		{"name groups admin", func(u *storage.User) {
			u.Name, u.Groups, u.Admin = "Ada Lovelace", []string{"admins", "ünïcode"}, true
		}},
		{"empty groups, not admin", func(u *storage.User) { u.Name, u.Groups, u.Admin = "", []string{}, false }},
		{"nil groups", func(u *storage.User) { u.Groups = nil }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := orig
			tt.change(&in)
			in.UpdatedAt = at(time.Duration(i+1) * time.Hour)
			// Fields UpdateUser must leave alone.
			sent := in
			sent.Email, sent.PasswordHash, sent.CreatedAt = "changed@example.com", "changed", at(-time.Hour)
			wantErr(t, "UpdateUser", s.UpdateUser(ctx, sent), nil)
			got, err := s.GetUser(ctx, orig.ID)
			wantErr(t, "GetUser", err, nil)
			if in.Groups == nil {
				in.Groups = []string{}
			}
			checkRecord(t, "GetUser after UpdateUser", wantUser(in), got)
		})
	}
	got, err := s.GetUser(ctx, other.ID)
	wantErr(t, "GetUser(other)", err, nil)
	checkRecord(t, "the other user", wantUser(other), got)

	for _, id := range []string{"absent", "", "nul\x00id", "\xff"} {
		err := s.UpdateUser(ctx, storage.User{ID: id, Name: "x", UpdatedAt: base})
		wantErr(t, "UpdateUser(unknown)", err, storage.ErrNotFound)
	}
}

// testDeleteUser deletes one of two users that each have a session, a
// consent, a code and tokens, and checks only the deleted user's records
// are gone, its tokens included.
func testDeleteUser(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustClient(t, s, "c1", base)
	type owned struct {
		session storage.Session
		consent storage.Consent
		code    storage.AuthCode
		tokens  []storage.Token
	}
	records := map[string]owned{}
	for _, id := range []string{"gone", "kept"} {
		mustUser(t, s, id)
		o := owned{
			session: newSession("session-"+id, id),
			consent: newConsent(id, "c1", "openid"),
			code:    newCode("code-"+id, "c1", id, "grant-"+id),
			tokens: []storage.Token{
				newToken("access-"+id, storage.TokenAccess, "grant-"+id, "c1", id),
				newToken("refresh-"+id, storage.TokenRefresh, "grant-"+id, "c1", id),
			},
		}
		wantErr(t, "CreateSession", s.CreateSession(ctx, o.session), nil)
		wantErr(t, "SaveConsent", s.SaveConsent(ctx, o.consent), nil)
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, o.code), nil)
		for _, tok := range o.tokens {
			wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
		}
		records[id] = o
	}
	service := newToken("service", storage.TokenAccess, "grant-cc", "c1", "")
	wantErr(t, "CreateToken(service)", s.CreateToken(ctx, service), nil)

	wantErr(t, "DeleteUser", s.DeleteUser(ctx, "gone"), nil)

	gone, kept := records["gone"], records["kept"]
	_, err := s.GetUser(ctx, "gone")
	wantErr(t, "GetUser(gone)", err, storage.ErrNotFound)
	_, err = s.GetUserByEmail(ctx, "gone@example.com")
	wantErr(t, "GetUserByEmail(gone)", err, storage.ErrNotFound)
	_, err = s.GetSession(ctx, gone.session.ID, base)
	wantErr(t, "GetSession(gone)", err, storage.ErrNotFound)
	_, err = s.GetConsent(ctx, "gone", "c1")
	wantErr(t, "GetConsent(gone)", err, storage.ErrNotFound)
	_, err = s.ConsumeAuthCode(ctx, gone.code.Hash, base)
	wantErr(t, "ConsumeAuthCode(gone)", err, storage.ErrNotFound)
	for _, tok := range gone.tokens {
		_, err := s.GetToken(ctx, tok.ID)
		wantErr(t, "GetToken("+tok.ID+")", err, storage.ErrNotFound)
	}

	_, err = s.GetUser(ctx, "kept")
	wantErr(t, "GetUser(kept)", err, nil)
	_, err = s.GetSession(ctx, kept.session.ID, base)
	wantErr(t, "GetSession(kept)", err, nil)
	_, err = s.GetConsent(ctx, "kept", "c1")
	wantErr(t, "GetConsent(kept)", err, nil)
	_, err = s.ConsumeAuthCode(ctx, kept.code.Hash, base)
	wantErr(t, "ConsumeAuthCode(kept)", err, nil)
	for _, tok := range append(kept.tokens, service) {
		got, err := s.GetToken(ctx, tok.ID)
		wantErr(t, "GetToken("+tok.ID+")", err, nil)
		checkRecord(t, "GetToken("+tok.ID+")", tok, got)
	}
	users, err := s.ListUsers(ctx)
	wantErr(t, "ListUsers", err, nil)
	if len(users) != 1 || users[0].ID != "kept" {
		t.Errorf("ListUsers after DeleteUser: got %d users, want only kept", len(users))
	}

	for _, id := range []string{"gone", "absent", "", "nul\x00id", "\xff"} {
		wantErr(t, "DeleteUser(unknown)", s.DeleteUser(ctx, id), storage.ErrNotFound)
	}
}
