package server_test

import (
	"cmp"
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestRefresh_Lifetimes_RFC9700_4_14_2 moves the clock through chains of
// refreshes. With the server's idle lifetime of 1 h and absolute lifetime
// of 3 h: each rotation restarts the idle time, an unused token lapses,
// and a chain used regularly still ends 3 h after the code exchange.
// Clients may set their own lifetimes.
func TestRefresh_Lifetimes_RFC9700_4_14_2(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{Config: func(c *config.Config) {
		c.RefreshIdleTTL, c.RefreshAbsoluteTTL = time.Hour, 3*time.Hour
	}})
	type step struct {
		after time.Duration // since the previous step
		ok    bool
	}
	m := time.Minute
	for _, tc := range []struct {
		name           string
		idle, absolute time.Duration // the client's; zero for the server's
		steps          []step
	}{
		{"used within the idle time", 0, 0, []step{{50 * m, true}, {50 * m, true}, {50 * m, true}}},
		{"unused past the idle time", 0, 0, []step{{61 * m, false}}},
		{"unused until just before the idle time", 0, 0, []step{{59 * m, true}}},
		// At 175 min the idle time would allow 60 more, the grant only 5.
		{"used regularly until the absolute time", 0, 0, []step{{55 * m, true}, {55 * m, true}, {55 * m, true}, {10 * m, true}, {6 * m, false}}},
		{"client idle time shorter than the server's", 10 * m, 0, []step{{9 * m, true}, {9 * m, true}, {11 * m, false}}},
		{"client absolute time longer than the server's", 0, 5 * time.Hour, []step{{55 * m, true}, {55 * m, true}, {55 * m, true}, {55 * m, true}, {55 * m, true}, {30 * m, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			redirect := "https://lifetimes.example.com/cb"
			c, _, err := e.Admin.CreateClient(context.Background(), admin.NewClient{Type: storage.ClientSPA, Name: "Lifetimes",
				RedirectURIs: []string{redirect}, RefreshIdleTTL: tc.idle, RefreshAbsoluteTTL: tc.absolute})
			if err != nil {
				t.Fatal(err)
			}
			// A fresh browser: the clock outruns any session.
			prev := grantWithRefresh(t, e, e.BrowserFor(t), c, "", redirect, "openid offline_access")
			idle, absolute := cmp.Or(tc.idle, time.Hour), cmp.Or(tc.absolute, 3*time.Hour)
			first := storedRefresh(t, e.Env, prev.str("refresh_token"))
			grantEnd := first.CreatedAt.Add(absolute)
			if !first.GrantExpiresAt.Equal(grantEnd) || !first.ExpiresAt.Equal(first.CreatedAt.Add(idle)) {
				t.Errorf("first refresh token: created %v, expires %v, grant expires %v; want +%v and +%v",
					first.CreatedAt, first.ExpiresAt, first.GrantExpiresAt, idle, absolute)
			}
			elapsed := time.Duration(0)
			for i, s := range tc.steps {
				e.Clock.Advance(s.after)
				elapsed += s.after
				r := refresh(t, e.Env, c, "", prev.str("refresh_token"), "")
				if !s.ok {
					if r.Status != http.StatusBadRequest || r.str("error") != "invalid_grant" {
						t.Fatalf("step %d (%v after sign-in): status %d %v; want 400 invalid_grant", i, elapsed, r.Status, r.JSON)
					}
					return
				}
				if r.Status != http.StatusOK {
					t.Fatalf("step %d (%v after sign-in): status %d %v; want 200", i, elapsed, r.Status, r.JSON)
				}
				wantRefreshed(t, r, prev)
				// The successor inherits the grant's end and lives for the
				// idle time, but never past that end.
				rec := storedRefresh(t, e.Env, r.str("refresh_token"))
				wantExp := rec.CreatedAt.Add(idle)
				if grantEnd.Before(wantExp) {
					wantExp = grantEnd
				}
				if !rec.GrantExpiresAt.Equal(grantEnd) || !rec.ExpiresAt.Equal(wantExp) {
					t.Errorf("step %d: refresh token expires %v, grant expires %v; want %v and %v",
						i, rec.ExpiresAt, rec.GrantExpiresAt, wantExp, grantEnd)
				}
				prev = r
			}
		})
	}
}

// storedRefresh returns the record of a refresh token: only its hash is
// stored.
func storedRefresh(t *testing.T, env *servertest.Env, rt string) storage.Token {
	t.Helper()
	rec, err := env.Store.GetToken(context.Background(), secret.Hash(rt))
	if err != nil || rec.Kind != storage.TokenRefresh {
		t.Fatalf("refresh token record: %+v, %v", rec, err)
	}
	return rec
}

// TestRefresh_UserGone_RFC6749_6 checks that a refresh token of a user who
// no longer exists is invalid_grant. The store cannot delete users yet, so
// a wrapper makes GetUser answer ErrNotFound for the user.
func TestRefresh_UserGone_RFC6749_6(t *testing.T) {
	t.Parallel()
	var gone *goneUserStore
	e := registerRules(servertest.New(t, servertest.Options{WrapStore: func(s server.Store) server.Store {
		gone = &goneUserStore{Store: s}
		return gone
	}}))
	r0 := grantWithRefresh(t, e, e.session(t), e.SPA, "", spaRedirect, offlineScope)
	gone.userID.Store(e.User.ID)
	wantTokenError(t, refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), ""), 400, "invalid_grant")
	gone.userID.Store("")
	wantRefreshed(t, refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), ""), r0)
}

// goneUserStore answers GetUser with ErrNotFound for userID.
type goneUserStore struct {
	server.Store
	userID atomic.Value // string
}

func (s *goneUserStore) GetUser(ctx context.Context, id string) (storage.User, error) {
	if gone, _ := s.userID.Load().(string); gone != "" && gone == id {
		return storage.User{}, storage.ErrNotFound
	}
	return s.Store.GetUser(ctx, id)
}
