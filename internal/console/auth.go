package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/session"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Cookie names; the __Host- prefix (RFC 6265bis §4.1.3.2) needs Secure,
// so only https issuers get it.
const (
	sessionCookie = "gatehouse_console"
	pendingCookie = "gatehouse_console_signin"
	// pendingTTL bounds how long a sign-in may take, login page included.
	pendingTTL = 10 * time.Minute
)

// consoleSession is the sealed content of the session cookie.
type consoleSession struct {
	UserID  string `json:"u"`
	TokenID string `json:"t"` // jti of the access token the sign-in produced
	Expires int64  `json:"e"` // the token's exp, Unix seconds
}

// pendingSignIn is the sealed content of the cookie that carries an
// authorization request's secrets from /authorize to the callback.
type pendingSignIn struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Return   string `json:"r"`
	Expires  int64  `json:"e"`
}

// adminUser is the signed-in administrator of a request.
type adminUser struct {
	storage.User
	TokenID string
}

// handler is a console page for a signed-in administrator.
type handler func(w http.ResponseWriter, r *http.Request, a *adminUser)

func (c *Console) cookieName(base string) string {
	if c.o.Secure {
		return "__Host-" + base
	}
	return base
}

func (c *Console) setCookie(w http.ResponseWriter, base, value string, expires time.Time) {
	ck := &http.Cookie{
		Name: c.cookieName(base), Value: value, Path: "/",
		HttpOnly: true, Secure: c.o.Secure, SameSite: http.SameSiteLaxMode,
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires
		ck.MaxAge = max(1, int(expires.Sub(c.o.Now()).Seconds()))
	}
	http.SetCookie(w, ck)
}

// current returns the request's administrator session, or nil when there
// is none: no cookie, one this server did not seal, an expired or revoked
// token, or a deleted user. A user who is no longer an admin is returned,
// so the caller can say so.
func (c *Console) current(r *http.Request) (*adminUser, error) {
	ck, err := r.Cookie(c.cookieName(sessionCookie))
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	var s consoleSession
	if c.seal.open(sessionCookie, ck.Value, &s) != nil || c.o.Now().Unix() >= s.Expires {
		return nil, nil
	}
	ctx := r.Context()
	tok, err := c.o.Store.GetToken(ctx, s.TokenID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if tok.RevokedAt != nil || tok.UserID != s.UserID {
		return nil, nil
	}
	u, err := c.o.Store.GetUser(ctx, s.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &adminUser{User: u, TokenID: s.TokenID}, nil
}

// signedIn runs h for a signed-in administrator. Without a session a GET
// starts the sign-in and comes back to the same page; a form post is
// answered 401 with a page that says it was not saved (its data cannot
// survive the detour), and the JSON endpoints answer 401 in JSON.
// Signed-in users without the admin flag get a 403 page.
func (c *Console) signedIn(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := c.current(r)
		if err != nil {
			c.serverError(w, r, nil, err)
			return
		}
		if a == nil {
			switch {
			case strings.HasPrefix(r.URL.Path, "/console/check/"):
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in to the console first"})
				return
			case r.Method != http.MethodGet && r.Method != http.MethodHead:
				c.render(w, r, nil, http.StatusUnauthorized, "message", "Your console session has ended", messageData{
					Message: "The console signs you out when its access token expires. What you submitted was not saved: sign in again and repeat it.",
					SignIn:  true,
				})
				return
			}
			c.startSignIn(w, r, r.URL.RequestURI(), false)
			return
		}
		if !a.Admin {
			c.forbidden(w, r, a.Email)
			return
		}
		// Changes made through the admin service are recorded as this
		// administrator's (audit.ActorAdminPrefix).
		h(w, r.WithContext(audit.WithActor(r.Context(), audit.ActorAdminPrefix+a.ID)), a)
	})
}

// startSignIn sends the browser to /authorize with a fresh state, nonce
// and PKCE verifier (RFC 7636 §4.1), kept sealed in a cookie for the
// callback.
// With again, the login page is shown even to a browser signed in to
// Gatehouse (prompt=login, OpenID Connect Core §3.1.2.1), so that someone
// refused can sign in with another account.
func (c *Console) startSignIn(w http.ResponseWriter, r *http.Request, returnTo string, again bool) {
	if ret := session.ReturnPath(returnTo); ret == "" || !strings.HasPrefix(ret, Prefix) || strings.HasPrefix(ret, PathCallback) {
		returnTo = Prefix
	}
	p := pendingSignIn{
		State: secret.NewToken(), Nonce: secret.NewToken(), Verifier: secret.NewToken(),
		Return: returnTo, Expires: c.o.Now().Add(pendingTTL).Unix(),
	}
	v, err := c.seal.seal(pendingCookie, p)
	if err != nil {
		c.serverError(w, r, nil, err)
		return
	}
	c.setCookie(w, pendingCookie, v, time.Unix(p.Expires, 0))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {ConsoleClientID},
		"redirect_uri":          {c.o.Issuer + PathCallback},
		"scope":                 {"openid " + AdminScope},
		"state":                 {p.State},
		"nonce":                 {p.Nonce},
		"code_challenge":        {oauth.S256Challenge(p.Verifier)},
		"code_challenge_method": {oauth.PKCES256},
	}
	if again {
		q.Set("prompt", "login")
	}
	http.Redirect(w, r, c.o.Issuer+c.o.AuthorizePath+"?"+q.Encode(), http.StatusSeeOther)
}

// callback finishes the sign-in: the state must match the sealed cookie
// (RFC 6749 §10.12), the code is redeemed with the verifier, the access
// token verified, and the user must be an administrator.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(c.cookieName(pendingCookie))
	var p pendingSignIn
	if err != nil || c.seal.open(pendingCookie, ck.Value, &p) != nil || c.o.Now().Unix() >= p.Expires {
		c.fail(w, r, nil, http.StatusBadRequest, "This sign-in has expired",
			"The sign-in took too long or was started in another browser. Open the console again to sign in.")
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.State)) != 1 {
		c.fail(w, r, nil, http.StatusBadRequest, "This sign-in is not valid",
			"The answer from the sign-in page does not belong to this browser's sign-in. Open the console again to sign in.")
		return
	}
	c.setCookie(w, pendingCookie, "", time.Time{}) // one use only
	if e := q.Get("error"); e != "" {
		msg := "Signing in did not complete (" + e + "). Open the console again to retry."
		if e == oauth.AccessDenied {
			msg = "You declined to let the console use your account. Open the console again to sign in."
		}
		c.fail(w, r, nil, http.StatusForbidden, "Sign-in cancelled", msg)
		return
	}
	res, err := c.redeem(r.Context(), q.Get("code"), p)
	if err != nil {
		c.o.Log.Warn("console sign-in failed", "err", err)
		c.fail(w, r, nil, http.StatusBadRequest, "Sign-in failed",
			"The console could not complete the sign-in. Open the console again to retry.")
		return
	}
	u, err := c.o.Store.GetUser(r.Context(), res.claims.Subject)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		c.serverError(w, r, nil, err)
		return
	}
	if err != nil || !u.Admin || !res.claims.HasScope(AdminScope) {
		// Nothing may be done with this token: revoke it right away.
		if _, err := c.o.Store.RevokeToken(r.Context(), res.claims.ID, c.o.Now()); err != nil && !errors.Is(err, storage.ErrNotFound) {
			c.o.Log.Warn("console: revoke refused token", "err", err)
		}
		c.forbidden(w, r, u.Email)
		return
	}
	s := consoleSession{UserID: u.ID, TokenID: res.claims.ID, Expires: res.claims.ExpiresAt.Unix()}
	v, err := c.seal.seal(sessionCookie, s)
	if err != nil {
		c.serverError(w, r, nil, err)
		return
	}
	c.setCookie(w, sessionCookie, v, res.claims.ExpiresAt)
	http.Redirect(w, r, p.Return, http.StatusSeeOther)
}

// signInAgain starts a sign-in that shows the login page whatever the
// browser's Gatehouse session: the way out of the 403 page.
func (c *Console) signInAgain(w http.ResponseWriter, r *http.Request) {
	c.startSignIn(w, r, Prefix, true)
}

// signOut revokes the session's access token, which ends the session on
// every replica, and drops the cookie. The Gatehouse sign-in session stays:
// /logout ends that.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil || !c.o.CSRF.Valid(r) {
		c.fail(w, r, nil, http.StatusForbidden, "This form has expired", "Reload the page and try again.")
		return
	}
	a, err := c.current(r)
	if err != nil {
		c.serverError(w, r, nil, err)
		return
	}
	if a != nil {
		if _, err := c.o.Store.RevokeToken(r.Context(), a.TokenID, c.o.Now()); err != nil && !errors.Is(err, storage.ErrNotFound) {
			c.serverError(w, r, nil, err)
			return
		}
	}
	c.setCookie(w, sessionCookie, "", time.Time{})
	c.render(w, r, nil, http.StatusOK, "signedout", "Signed out", nil)
}
