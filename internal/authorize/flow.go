package authorize

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

var errBadForm = oauth.Errorf(oauth.InvalidRequest, "the form could not be read")

// flow is one authorization request on its way through the pages.
type flow struct {
	req    Request
	client storage.Client
	raw    string // the original parameters, carried by the pages
}

// proceed shows the login page, the consent page or issues the code,
// whichever the request needs next. sess is the browser's session (nil if
// none); fresh means the user has just entered their password in this very
// request.
func (h *Handler) proceed(w http.ResponseWriter, r *http.Request, f flow, sess *storage.Session, user storage.User, fresh bool) {
	ctx := r.Context()
	if sess == nil || h.needsLogin(f.req, *sess, fresh) {
		if f.req.hasPrompt(promptNone) {
			h.fail(w, r, f.req, oauth.Errorf(oauth.LoginRequired, "the user is not signed in"))
			return
		}
		h.renderLogin(w, r, f, f.req.LoginHint, "")
		return
	}
	f.req.Scopes = grantableScopes(f.req.Scopes, user)
	consent, err := h.Store.GetConsent(ctx, user.ID, f.client.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.fail(w, r, f.req, oauth.Internal(err))
		return
	}
	if f.req.hasPrompt(promptConsent) || !oauth.ContainsAll(consent.Scopes, f.req.Scopes) {
		if f.req.hasPrompt(promptNone) {
			h.fail(w, r, f.req, oauth.Errorf(oauth.ConsentRequired, "the user has not approved this application"))
			return
		}
		h.renderConsent(w, r, f, user)
		return
	}
	h.issueCode(w, r, f.req, *sess)
}

// needsLogin applies prompt=login and max_age (OIDC Core §3.1.2.1).
func (h *Handler) needsLogin(req Request, s storage.Session, fresh bool) bool {
	if fresh {
		return false
	}
	if req.hasPrompt(promptLogin) {
		return true
	}
	return req.MaxAge >= 0 && h.Now().Sub(s.AuthTime) > time.Duration(req.MaxAge)*time.Second
}

// issueCode stores a new authorization code and redirects to the client.
func (h *Handler) issueCode(w http.ResponseWriter, r *http.Request, req Request, sess storage.Session) {
	code := secret.NewToken()
	now := h.Now().UTC()
	rec := storage.AuthCode{
		Hash:                secret.HashFor(req.ClientID, code),
		GrantID:             secret.NewID(),
		ClientID:            req.ClientID,
		UserID:              sess.UserID,
		SessionID:           secret.PublicTag("sid", sess.ID), // the ID token's sid; never the session's key
		Scopes:              req.Scopes,
		Nonce:               req.Nonce,
		CodeChallenge:       req.CodeChallenge,
		CodeChallengeMethod: req.CodeChallengeMethod,
		AuthTime:            sess.AuthTime,
		CreatedAt:           now,
		ExpiresAt:           now.Add(h.CodeTTL),
	}
	if req.RedirectURISent {
		rec.RedirectURI = req.RedirectURI
	}
	if err := h.Store.CreateAuthCode(r.Context(), rec); err != nil {
		h.fail(w, r, req, oauth.Internal(err))
		return
	}
	h.redirect(w, r, req, url.Values{"code": {code}})
}

// fail renders err on a page when the client cannot be trusted with it, and
// otherwise redirects it to the client (RFC 6749 §4.1.2.1).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, req Request, err error) {
	e := oauth.As(err)
	if e.Code == oauth.ServerError {
		h.Log.Error("authorization request failed", "error", err)
	}
	if req.RedirectURI == "" {
		h.errorPage(w, e)
		return
	}
	v := url.Values{"error": {e.Code}}
	if d := e.SafeDescription(); d != "" {
		v.Set("error_description", d)
	}
	h.redirect(w, r, req, v)
}

// redirect sends the authorization response: params plus the exact state
// and the issuer (RFC 9207 §2), appended to any query the registered
// redirect URI already has (RFC 6749 §3.1.2).
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, req Request, params url.Values) {
	if req.State != "" {
		params.Set("state", req.State)
	}
	params.Set("iss", h.Issuer)
	target := req.RedirectURI
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
		if strings.HasSuffix(target, "?") || strings.HasSuffix(target, "&") {
			sep = ""
		}
	}
	http.Redirect(w, r, target+sep+params.Encode(), http.StatusSeeOther)
}

// errorPage shows an error that must not be redirected.
func (h *Handler) errorPage(w http.ResponseWriter, err error) {
	e := oauth.As(err)
	status := http.StatusBadRequest
	title := "This sign-in request is not valid"
	msg := upperFirst(e.Description) + ". Return to the application and start again; if this keeps happening, tell the application's developers."
	if e.Code == oauth.ServerError {
		status, title = http.StatusInternalServerError, "Something went wrong"
		msg = "Gatehouse could not complete the request. Please try again in a moment."
	}
	h.Pages.Render(w, status, web.PageError, web.ErrorData{Title: title, Message: msg, Code: e.Code})
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// scopeViews describes scopes in plain words for the consent page: a
// scope one of the client's apis defines by the API's own description,
// the OpenID scopes by oauth.DescribeScope.
func scopeViews(scopes []string, apis []storage.API) []web.ScopeView {
	out := make([]web.ScopeView, 0, len(scopes))
	for _, s := range scopes {
		d, ok := apiScopeDescription(apis, s)
		if !ok {
			d = oauth.DescribeScope(s)
		}
		out = append(out, web.ScopeView{Name: s, Description: d})
	}
	return out
}

// mergeScopes returns the union of a and b, keeping order.
func mergeScopes(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
