package authorize

import (
	"context"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
)

// errThrottled is what a throttled sign-in is told, in general words: it
// is the same whether the account exists, is locked, or the address is
// throttled, so it reveals neither which accounts exist nor which are
// under attack.
const errThrottled = "Too many attempts. Try again later."

// loginAttempt is one password check under brute-force protection: its
// account key (the email as typed, existing or not) and address key.
type loginAttempt struct {
	limiter *throttle.Limiter
	keys    []throttle.Key // account, address
	end     func()         // lets the account's next attempt in this process go ahead
}

// beginAttempt starts a sign-in attempt: it waits for any attempt at the
// same account in progress in this process (throttle.Limiter.Serialize),
// then checks the account and address keys before the password is
// verified. When either must wait it answers 429 with Retry-After (RFC
// 6585 §4) and the login form with errThrottled, without looking the
// account up or hashing the password; the refusal is not itself counted.
// It reports whether the attempt may go ahead; if not, it has answered (or
// the browser went away). The caller must call end on an attempt that
// goes ahead.
func (h *Handler) beginAttempt(w http.ResponseWriter, r *http.Request, f flow, email string) (*loginAttempt, bool) {
	a := &loginAttempt{limiter: h.Throttle, keys: []throttle.Key{
		throttle.AccountKey(email), throttle.LoginIPKey(h.Throttle.ClientIP(r)),
	}}
	end, err := a.limiter.Serialize(r.Context(), a.keys[0])
	if err != nil {
		return nil, false // the browser went away while waiting
	}
	st, err := a.limiter.Check(r.Context(), a.keys...)
	if err != nil {
		end()
		h.fail(w, r, f.req, oauth.Internal(err))
		return nil, false
	}
	if st.Wait > 0 {
		h.Log.Info("login throttled", "client_id", f.req.ClientID, "account_failures", st.Counts[0],
			"ip_failures", st.Counts[1], "key", a.keys[1].Name())
		w.Header().Set("Retry-After", throttle.RetryAfter(st.Wait))
		end()
		h.renderLoginStatus(w, r, f, email, errThrottled, http.StatusTooManyRequests)
		return nil, false
	}
	a.end = end
	return a, true
}

// failed counts a wrong password against the account and the address.
func (a *loginAttempt) failed(ctx context.Context) error {
	_, err := a.limiter.Fail(ctx, a.keys...)
	return err
}

// succeeded forgets the account's failures; the address's stay, or one
// account of the attacker's own would reset the count of its guesses at
// others.
func (a *loginAttempt) succeeded(ctx context.Context) error {
	return a.limiter.Reset(ctx, a.keys[0])
}
