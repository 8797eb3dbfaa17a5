package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// TestPasswordChangeThrottle: wrong current passwords on the account page
// count against the account like failed sign-ins, so a stolen session
// cannot guess the password faster than the login form allows; the right
// one works after the wait.
func TestPasswordChangeThrottle(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		const email, pw, next = "frank@example.com", "correct horse battery staple", "a brand new passphrase"
		env.AddUser(email, pw)
		b := env.Browser()
		if p := b.Submit(b.Get(env.URL+"/login?return_to=/account"), "/login", map[string]string{"email": email, "password": pw}, "", ""); p.URL.Path != "/account" {
			t.Fatalf("sign in: status %d at %s", p.Status, p.URL)
		}
		change := func(current string) *servertest.Page {
			t.Helper()
			return b.Submit(b.Get(env.URL+"/account"), "/account/password", map[string]string{
				web.FieldCurrentPassword: current, web.FieldNewPassword: next, web.FieldConfirmPassword: next,
			}, "", "")
		}
		for i := range 3 {
			if p := change("guess"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "current password is not correct") {
				t.Fatalf("wrong current password %d: status %d:\n%s", i+1, p.Status, excerpt(p.Body))
			}
		}
		p := change(pw)
		if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") != "1" || !strings.Contains(p.Body, throttledMessage) {
			t.Errorf("right password while delayed: status %d, Retry-After %q; want 429, 1 and %q:\n%s",
				p.Status, p.Header.Get("Retry-After"), throttledMessage, excerpt(p.Body))
		}
		if got := tryLogin(t, env, email, pw); got.Outcome != loginThrottled {
			t.Errorf("sign-in after the wrong current passwords: %v, want throttled: the count is the account's", got)
		}
		env.Clock.Advance(time.Second)
		if p := change(pw); p.Status != http.StatusOK || !strings.Contains(p.Body, "password was changed") {
			t.Errorf("after the delay: status %d:\n%s", p.Status, excerpt(p.Body))
		}
	})
}
