package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// The login outcomes a user can see.
const (
	loginOK        = "signed in"
	loginWrong     = "wrong credentials"
	loginThrottled = "throttled"
)

const throttledMessage = "Too many attempts. Try again later."

// loginResult is what a sign-in attempt showed: the outcome, the status,
// Retry-After, and the page with the per-request details (CSRF token,
// the email typed) blanked, to compare pages across accounts.
type loginResult struct {
	Outcome    string
	Status     int
	RetryAfter string
	Page       string
}

func (r loginResult) String() string {
	return fmt.Sprintf("%s (status %d, Retry-After %q)", r.Outcome, r.Status, r.RetryAfter)
}

var hiddenValue = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)

// tryLogin signs in on /login in a new browser and classifies the result.
func tryLogin(t *testing.T, env *servertest.Env, email, password string) loginResult {
	t.Helper()
	b := env.Browser()
	p := b.Submit(b.Get(env.URL+"/login"), "/login", map[string]string{"email": email, "password": password}, "", "")
	r := loginResult{Status: p.Status, RetryAfter: p.Header.Get("Retry-After")}
	switch {
	case p.Status == http.StatusOK && strings.Contains(p.Body, "You are signed in"):
		r.Outcome = loginOK
	case p.Status == http.StatusOK && strings.Contains(p.Body, "The email or password is not correct."):
		r.Outcome = loginWrong
	case p.Status == http.StatusTooManyRequests && strings.Contains(p.Body, throttledMessage):
		r.Outcome = loginThrottled
	default:
		t.Fatalf("login as %q: unexpected page, status %d:\n%s", email, p.Status, excerpt(p.Body))
	}
	if r.Outcome != loginOK {
		r.Page = hiddenValue.ReplaceAllString(strings.ReplaceAll(p.Body, email, "EMAIL"), "CSRF")
	}
	return r
}

// loginStep is one attempt: advance the clock, sign in, expect.
type loginStep struct {
	name            string
	advance         time.Duration
	email, password string
	want            string
	retryAfter      string // for loginThrottled
}

func runLoginSteps(t *testing.T, env *servertest.Env, steps []loginStep) {
	t.Helper()
	for _, s := range steps {
		env.Clock.Advance(s.advance)
		got := tryLogin(t, env, s.email, s.password)
		want := loginResult{Outcome: s.want, Status: http.StatusOK, RetryAfter: s.retryAfter}
		if s.want == loginThrottled {
			want.Status = http.StatusTooManyRequests
		}
		if got.Outcome != want.Outcome || got.Status != want.Status || got.RetryAfter != want.RetryAfter {
			t.Errorf("%s: got %v, want %v", s.name, got, want)
		}
	}
}

// TestLoginThrottle: wrong passwords make an account wait, even with the
// right password; the wait grows, ten failures lock it, and after a wait
// the right password works and starts the count afresh.
func TestLoginThrottle(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		const alice, bob, pw = "alice@example.com", "bob@example.com", "correct horse battery staple"
		env.AddUser(alice, pw)
		env.AddUser(bob, pw)

		t.Run("delays", func(t *testing.T) {
			runLoginSteps(t, env, []loginStep{
				{name: "1st failure", email: alice, password: "guess1", want: loginWrong},
				{name: "2nd failure", email: alice, password: "guess2", want: loginWrong},
				{name: "3rd failure", email: alice, password: "guess3", want: loginWrong},
				{name: "right password while delayed", email: alice, password: pw, want: loginThrottled, retryAfter: "1"},
				{name: "the email spelt otherwise", email: " Alice@EXAMPLE.com", password: pw, want: loginThrottled, retryAfter: "1"},
				{name: "another account is not delayed", email: bob, password: pw, want: loginOK},
				{name: "after the delay", advance: time.Second, email: alice, password: pw, want: loginOK},
				// The success reset the count: three free failures again.
				{name: "1st failure after reset", email: alice, password: "guess4", want: loginWrong},
				{name: "2nd failure after reset", email: alice, password: "guess5", want: loginWrong},
				{name: "3rd failure after reset", email: alice, password: "guess6", want: loginWrong},
				{name: "delayed again", email: alice, password: pw, want: loginThrottled, retryAfter: "1"},
				{name: "4th failure", advance: time.Second, email: alice, password: "guess7", want: loginWrong},
				{name: "the delay doubled", advance: time.Second, email: alice, password: pw, want: loginThrottled, retryAfter: "1"},
				{name: "after the doubled delay", advance: time.Second, email: alice, password: pw, want: loginOK},
			})
		})

		t.Run("lock", func(t *testing.T) {
			var steps []loginStep
			wait := time.Duration(0)
			for i := 1; i <= 10; i++ {
				steps = append(steps, loginStep{name: fmt.Sprintf("failure %d", i), advance: wait, email: bob, password: "guess", want: loginWrong})
				if i >= 3 {
					wait = time.Second << (i - 3)
				}
			}
			steps = append(steps,
				loginStep{name: "locked", email: bob, password: pw, want: loginThrottled, retryAfter: "900"},
				loginStep{name: "nearly unlocked", advance: 15*time.Minute - time.Second, email: bob, password: pw, want: loginThrottled, retryAfter: "1"},
				loginStep{name: "unlocked", advance: time.Second, email: bob, password: pw, want: loginOK},
			)
			runLoginSteps(t, env, steps)
		})
	})
}

// TestLoginThrottleUnknownAccount: an account that does not exist is
// loginThrottled exactly like one that does, with the same pages, so neither
// the messages nor the throttling tell which accounts exist.
func TestLoginThrottleUnknownAccount(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		const known, unknown, pw = "carol@example.com", "nobody@example.com", "correct horse battery staple"
		env.AddUser(known, pw)
		var results [2][]loginResult
		for i, email := range []string{known, unknown} {
			for range 4 {
				results[i] = append(results[i], tryLogin(t, env, email, "wrong password"))
			}
			env.Clock.Advance(time.Second)
			results[i] = append(results[i], tryLogin(t, env, email, "wrong password"), tryLogin(t, env, email, "wrong password"))
		}
		want := []string{loginWrong, loginWrong, loginWrong, loginThrottled, loginWrong, loginThrottled}
		for i, r := range results[0] {
			if r.Outcome != want[i] {
				t.Errorf("existing account, attempt %d: %v, want %s", i+1, r, want[i])
			}
			if u := results[1][i]; u != r {
				t.Errorf("attempt %d: unknown account got %v, existing %v; pages equal: %v", i+1, u, r, u.Page == r.Page)
			}
		}
	})
}

// TestLoginThrottleIP: failures at many accounts from one address make
// that address wait, whichever account it tries next, and a success does
// not reset the address's count. X-Forwarded-For from an untrusted peer
// changes nothing.
func TestLoginThrottleIP(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		opt.Config = func(c *config.Config) { c.Throttle.LoginIPDelayAfter, c.Throttle.LoginIPLockAfter = 4, 0 }
		env := servertest.New(t, opt)
		const dave, pw = "dave@example.com", "correct horse battery staple"
		env.AddUser(dave, pw)
		var steps []loginStep
		for i := range 4 {
			steps = append(steps, loginStep{name: fmt.Sprintf("account %d", i), email: fmt.Sprintf("user%d@example.com", i), password: "guess", want: loginWrong})
		}
		steps = append(steps,
			loginStep{name: "fifth account, right password", email: dave, password: pw, want: loginThrottled, retryAfter: "1"},
			loginStep{name: "after the delay", advance: time.Second, email: dave, password: pw, want: loginOK},
			loginStep{name: "one more failure", email: "user9@example.com", password: "guess", want: loginWrong},
			loginStep{name: "the address still counts", email: dave, password: pw, want: loginThrottled, retryAfter: "2"},
		)
		runLoginSteps(t, env, steps)

		// A header any client can send does not move it to another address.
		b := env.Browser()
		form := b.Get(env.URL+"/login").Form(t, "/login")
		form.Set("email", dave)
		form.Set("password", pw)
		req, err := http.NewRequest(http.MethodPost, env.URL+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100.77")
		resp, err := b.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("with a spoofed X-Forwarded-For: status %d, want 429", resp.StatusCode)
		}
	})
}
