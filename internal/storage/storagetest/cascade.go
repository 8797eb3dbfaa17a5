package storagetest

import (
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// testDeleteClient deletes one of two clients that each have a consent,
// codes and tokens, and checks only the deleted client's records are gone.
func testDeleteClient(t *testing.T, s storage.Store) {
	ctx := t.Context()
	user := mustUser(t, s, "u1")
	type owned struct {
		consent storage.Consent
		code    storage.AuthCode
		tokens  []storage.Token
	}
	records := map[string]owned{}
	for _, id := range []string{"gone", "kept"} {
		mustClient(t, s, id, base)
		o := owned{
			consent: newConsent(user.ID, id, "openid"),
			code:    newCode("code-"+id, id, user.ID, "grant-"+id),
			tokens: []storage.Token{
				newToken("access-"+id, storage.TokenAccess, "grant-"+id, id, user.ID),
				newToken("refresh-"+id, storage.TokenRefresh, "grant-"+id, id, user.ID),
				newToken("service-"+id, storage.TokenAccess, "grant-cc-"+id, id, ""),
			},
		}
		wantErr(t, "SaveConsent", s.SaveConsent(ctx, o.consent), nil)
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, o.code), nil)
		for _, tok := range o.tokens {
			wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
		}
		records[id] = o
	}

	wantErr(t, "DeleteClient", s.DeleteClient(ctx, "gone"), nil)

	t.Run("deleted", func(t *testing.T) {
		_, err := s.GetClient(ctx, "gone")
		wantErr(t, "GetClient", err, storage.ErrNotFound)
		_, err = s.GetConsent(ctx, user.ID, "gone")
		wantErr(t, "GetConsent", err, storage.ErrNotFound)
		_, err = s.ConsumeAuthCode(ctx, records["gone"].code.Hash, base)
		wantErr(t, "ConsumeAuthCode", err, storage.ErrNotFound)
		for _, tok := range records["gone"].tokens {
			_, err := s.GetToken(ctx, tok.ID)
			wantErr(t, "GetToken("+tok.ID+")", err, storage.ErrNotFound)
		}
		n, err := s.RevokeGrant(ctx, "grant-gone", base)
		wantErr(t, "RevokeGrant", err, nil)
		if n != 0 {
			t.Errorf("RevokeGrant of the deleted client's grant revoked %d tokens", n)
		}
	})

	t.Run("kept", func(t *testing.T) {
		kept := records["kept"]
		_, err := s.GetClient(ctx, "kept")
		wantErr(t, "GetClient", err, nil)
		got, err := s.GetConsent(ctx, user.ID, "kept")
		wantErr(t, "GetConsent", err, nil)
		checkRecord(t, "GetConsent", kept.consent, got)
		for _, tok := range kept.tokens {
			got, err := s.GetToken(ctx, tok.ID)
			wantErr(t, "GetToken("+tok.ID+")", err, nil)
			checkRecord(t, "GetToken", tok, got)
		}
		code, err := s.ConsumeAuthCode(ctx, kept.code.Hash, base)
		wantErr(t, "ConsumeAuthCode", err, nil)
		want := kept.code
		want.ConsumedAt = &base
		checkRecord(t, "ConsumeAuthCode", want, code)
		_, err = s.GetUser(ctx, user.ID)
		wantErr(t, "GetUser", err, nil)
	})

	t.Run("again", func(t *testing.T) {
		wantErr(t, "DeleteClient", s.DeleteClient(ctx, "gone"), storage.ErrNotFound)
		wantErr(t, "DeleteClient(absent)", s.DeleteClient(ctx, "absent"), storage.ErrNotFound)
	})

	t.Run("recreate", func(t *testing.T) {
		// Nothing of the old client lingers to clash with a new one.
		mustClient(t, s, "gone", base)
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, records["gone"].code), nil)
		for _, tok := range records["gone"].tokens {
			// "grant-gone" was revoked above, and revoked grants stay
			// revoked (see CreateTokenAfterRevokeGrant): use a new grant.
			tok.GrantID += "-new"
			wantErr(t, "CreateToken", s.CreateToken(ctx, tok), nil)
		}
		wantErr(t, "SaveConsent", s.SaveConsent(ctx, records["gone"].consent), nil)
	})
}
