package storagetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// CheckMigratedV2 checks rows stored at schema version 2 read back whole
// after the later migrations, with the fields those added at their
// defaults: signing keys activate at their creation, new client and token
// fields are zero. Before migrating, the backend's test must have stored,
// with every time at created:
//
//   - user u1 (any email, no groups);
//   - client c1: name "C", type web, secret hash "sh", empty lists and
//     strings, both booleans false;
//   - refresh token t1 of grant g1 for c1 and u1, no scopes, unrevoked,
//     expiring at created;
//   - signing key k1, ES256, public JWK "{}", private key one NUL byte,
//     NotAfter a second after created.
func CheckMigratedV2(t *testing.T, s storage.Store, created time.Time) {
	t.Helper()
	ctx := t.Context()
	keys, err := s.ListSigningKeys(ctx)
	wantKeys := []storage.SigningKey{{ID: "k1", Alg: "ES256", PublicJWK: []byte("{}"), PrivateKey: []byte{0},
		CreatedAt: created, ActivatesAt: created, NotAfter: created.Add(time.Second)}}
	if err != nil || !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("ListSigningKeys = %+v, %v; want %+v", keys, err, wantKeys)
	}
	client, err := s.GetClient(ctx, "c1")
	wantClient := storage.Client{ID: "c1", Name: "C", Type: storage.ClientWeb, SecretHash: "sh",
		SealedSecret: []byte{}, JWKS: []byte{}, RedirectURIs: []string{}, RedirectURIPatterns: []string{},
		PostLogoutRedirectURIs: []string{}, Scopes: []string{}, APIs: []string{}, CreatedAt: created, UpdatedAt: created}
	if err != nil || !reflect.DeepEqual(client, wantClient) {
		t.Errorf("GetClient = %+v, %v; want %+v", client, err, wantClient)
	}
	tok, err := s.GetToken(ctx, "t1")
	wantToken := storage.Token{ID: "t1", Kind: storage.TokenRefresh, GrantID: "g1", ClientID: "c1", UserID: "u1",
		Scopes: []string{}, CreatedAt: created, ExpiresAt: created}
	if err != nil || !reflect.DeepEqual(tok, wantToken) {
		t.Errorf("GetToken = %+v, %v; want %+v", tok, err, wantToken)
	}
}
