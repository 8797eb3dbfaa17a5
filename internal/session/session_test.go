package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/session"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

func newStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// withCookies returns a request carrying the cookies rec set.
func withCookies(rec *httptest.ResponseRecorder) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range rec.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

func TestStartCurrentEnd(t *testing.T) {
	store := newStore(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	u := storage.User{ID: "u1", Email: "ada@example.com", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	for _, secure := range []bool{false, true} {
		m := session.New(store, secure, time.Hour, clock)
		wantName := map[bool]string{false: "gatehouse_session", true: "__Host-gatehouse_session"}[secure]
		if m.CookieName() != wantName {
			t.Errorf("secure=%v: cookie %q, want %q", secure, m.CookieName(), wantName)
		}

		// No cookie: not signed in.
		if s, _, err := m.Current(httptest.NewRequest(http.MethodGet, "/", nil)); s != nil || err != nil {
			t.Fatalf("no cookie: session %v, err %v", s, err)
		}
		rec := httptest.NewRecorder()
		started, err := m.Start(rec, httptest.NewRequest(http.MethodGet, "/", nil), u)
		if err != nil {
			t.Fatal(err)
		}
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("got %d cookies", len(cookies))
		}
		c := cookies[0]
		if c.Name != wantName || !c.HttpOnly || c.Secure != secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != 3600 {
			t.Errorf("cookie %+v", c)
		}
		if c.Value == started.ID {
			t.Errorf("the store must keep the hash, not the cookie value")
		}
		r := withCookies(rec)
		got, user, err := m.Current(r)
		if err != nil || got == nil || got.ID != started.ID || user.ID != u.ID || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("Current = %v, %v, %v; want session %s", got, user.ID, err, started.ID)
		}

		// A second sign-in in the same browser replaces the session.
		rec2 := httptest.NewRecorder()
		again, err := m.Start(rec2, r, u)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == started.ID {
			t.Errorf("new sign-in kept the session ID")
		}
		if s, _, _ := m.Current(r); s != nil {
			t.Errorf("old cookie still signs in after a new sign-in")
		}

		// End deletes the session and expires the cookie.
		r2 := withCookies(rec2)
		rec3 := httptest.NewRecorder()
		if err := m.End(rec3, r2); err != nil {
			t.Fatal(err)
		}
		if s, _, _ := m.Current(r2); s != nil {
			t.Errorf("session survived End")
		}
		if c := rec3.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
			t.Errorf("End cookie %+v, want one deleting cookie", c)
		}
	}
}

func TestCurrentExpiredOrUnknown(t *testing.T) {
	store := newStore(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := now
	m := session.New(store, false, time.Minute, func() time.Time { return clock })
	u := storage.User{ID: "u1", Email: "ada@example.com", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if _, err := m.Start(rec, httptest.NewRequest(http.MethodGet, "/", nil), u); err != nil {
		t.Fatal(err)
	}
	r := withCookies(rec)
	clock = now.Add(2 * time.Minute)
	if s, _, err := m.Current(r); s != nil || err != nil {
		t.Errorf("expired session: %v, %v", s, err)
	}
	bad := httptest.NewRequest(http.MethodGet, "/", nil)
	bad.AddCookie(&http.Cookie{Name: m.CookieName(), Value: "not-a-session"})
	if s, _, err := m.Current(bad); s != nil || err != nil {
		t.Errorf("unknown cookie: %v, %v", s, err)
	}
}
