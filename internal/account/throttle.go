package account

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// passwordCheck is one check of the current password on the password
// form, under the same brute-force protection as sign-in: it counts
// against the same account and address keys, so a stolen session cannot
// be used to guess the password faster than the login form allows.
type passwordCheck struct {
	limiter *throttle.Limiter
	keys    []throttle.Key // account, address
	end     func()         // lets the account's next attempt in this process go ahead
}

// beginPasswordCheck answers 429 with Retry-After (RFC 6585 §4) and the
// general message of the login page when the account or address must
// wait, before the password is verified; it reports whether the check may
// go ahead. Like sign-in it first waits for any attempt at the account in
// progress in this process; the caller must call end.
func (h *Handler) beginPasswordCheck(w http.ResponseWriter, r *http.Request, sess storage.Session, user storage.User) (*passwordCheck, bool) {
	c := &passwordCheck{limiter: h.Throttle, keys: []throttle.Key{
		throttle.AccountKey(user.Email), throttle.LoginIPKey(h.Throttle.ClientIP(r)),
	}}
	end, err := c.limiter.Serialize(r.Context(), c.keys[0])
	if err != nil {
		return nil, false // the browser went away while waiting
	}
	st, err := c.limiter.Check(r.Context(), c.keys...)
	if err != nil {
		end()
		h.internalError(w, fmt.Errorf("check password: %w", err))
		return nil, false
	}
	if st.Wait > 0 {
		h.Log.Info("password change throttled", "user_id", user.ID)
		end()
		w.Header().Set("Retry-After", throttle.RetryAfter(st.Wait))
		h.render(w, r, http.StatusTooManyRequests, sess, user, view{
			passwordError: "Too many attempts. Try again later.", passwordField: web.FieldCurrentPassword,
		})
		return nil, false
	}
	c.end = end
	return c, true
}

// failed counts a wrong current password.
func (c *passwordCheck) failed(ctx context.Context) error {
	_, err := c.limiter.Fail(ctx, c.keys...)
	return err
}

// succeeded forgets the account's failures.
func (c *passwordCheck) succeeded(ctx context.Context) error {
	return c.limiter.Reset(ctx, c.keys[0])
}
