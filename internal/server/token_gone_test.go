package server_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// goneStore runs gone, once armed, just before the first CreateToken: a
// deletion that lands after the token endpoint read the user and client
// but before it stored the token, which real timing hits only rarely.
type goneStore struct {
	server.Store
	armed atomic.Bool
	once  sync.Once
	gone  func(ctx context.Context, s server.Store) error
	err   error
}

func (s *goneStore) CreateToken(ctx context.Context, tok storage.Token) error {
	if s.armed.Load() {
		s.once.Do(func() { s.err = s.gone(ctx, s.Store) })
	}
	return s.Store.CreateToken(ctx, tok)
}

// TestToken_DeletedDuringExchange: a user or client deleted while its
// token request is in flight gets invalid_grant (RFC 6749 §5.2), not a
// 500 from the store's foreign keys, on both backends.
func TestToken_DeletedDuringExchange(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		t.Run("user deleted during code exchange", func(t *testing.T) {
			var st *goneStore
			opt.WrapStore = func(s server.Store) server.Store {
				st = &goneStore{Store: s}
				return st
			}
			e := registerRules(servertest.New(t, opt))
			userID := e.User.ID
			st.gone = func(ctx context.Context, s server.Store) error { return s.DeleteUser(ctx, userID) }
			_, code, pk := signedIn(t, e, e.SPA, spaRedirect)
			st.armed.Store(true)
			wantTokenError(t, exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier), http.StatusBadRequest, "invalid_grant")
			if st.err != nil {
				t.Fatalf("deleting the user: %v", st.err)
			}
		})
		t.Run("client deleted during client credentials", func(t *testing.T) {
			var st *goneStore
			opt.WrapStore = func(s server.Store) server.Store {
				st = &goneStore{Store: s}
				return st
			}
			env := servertest.New(t, opt)
			svc, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Job", Scopes: []string{"api:read"}})
			st.gone = func(ctx context.Context, s server.Store) error { return s.DeleteClient(ctx, svc.ID) }
			st.armed.Store(true)
			body := url.Values{"grant_type": {"client_credentials"}}.Encode()
			r := postToken(t, env, body, "", func(req *http.Request) { req.SetBasicAuth(svc.ID, secret) })
			wantTokenError(t, r, http.StatusBadRequest, "invalid_grant")
			if st.err != nil {
				t.Fatalf("deleting the client: %v", st.err)
			}
		})
	})
}
