package console

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestCookies: the console's cookies are HttpOnly, SameSite=Lax, Path=/,
// __Host- and Secure on https, and live exactly as long as asked (the
// session: as long as its access token).
func TestCookies(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, secure := range []bool{false, true} {
		c := &Console{o: Options{Secure: secure, Now: func() time.Time { return now }}}
		rec := httptest.NewRecorder()
		c.setCookie(rec, sessionCookie, "v", now.Add(10*time.Minute))
		c.setCookie(rec, pendingCookie, "", time.Time{})
		cs := rec.Result().Cookies()
		if len(cs) != 2 {
			t.Fatalf("secure=%v: %d cookies", secure, len(cs))
		}
		want := "gatehouse_console"
		if secure {
			want = "__Host-" + want
		}
		s, gone := cs[0], cs[1]
		if s.Name != want || s.Secure != secure || !s.HttpOnly || s.SameSite != http.SameSiteLaxMode || s.Path != "/" || s.Domain != "" {
			t.Errorf("secure=%v: session cookie %+v", secure, s)
		}
		if s.MaxAge != 600 || !s.Expires.Equal(now.Add(10*time.Minute)) {
			t.Errorf("secure=%v: session cookie lives MaxAge=%d until %v, want 600 s", secure, s.MaxAge, s.Expires)
		}
		if gone.MaxAge >= 0 || gone.Value != "" {
			t.Errorf("secure=%v: cleared cookie %+v", secure, gone)
		}
	}
}
