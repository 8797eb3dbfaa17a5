package authorize

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/token"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// logoutRequest is a parsed RP-initiated logout request
// (OpenID Connect RP-Initiated Logout 1.0 §2).
type logoutRequest struct {
	hint        *token.IDTokenHint
	client      *storage.Client
	redirectURI string // validated post_logout_redirect_uri
	state       string
}

// logout handles GET and POST /logout. It signs out at once when a valid
// id_token_hint names the signed-in user; otherwise it asks first, so that
// a third-party page cannot sign users out (§2: the OP SHOULD ask).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	confirmed := false
	if r.Method == http.MethodPost {
		if err := parseForm(w, r); err != nil {
			h.errorPage(w, err)
			return
		}
		params = r.PostForm
		if r.PostForm.Get("decision") == "logout" {
			if !h.CSRF.Valid(r) {
				h.errorPage(w, errCSRF)
				return
			}
			q, err := url.ParseQuery(r.PostForm.Get("logout_request"))
			if err != nil {
				h.errorPage(w, oauth.Errorf(oauth.InvalidRequest, "the sign-out form was altered"))
				return
			}
			params, confirmed = q, true
		}
	}
	lr, err := h.parseLogout(r.Context(), params)
	if err != nil {
		h.errorPage(w, err)
		return
	}
	sess, _, err := h.currentSession(r)
	if err != nil {
		h.errorPage(w, err)
		return
	}
	if sess != nil && !confirmed && (lr.hint == nil || lr.hint.Subject != sess.UserID) {
		data := web.LogoutData{CSRFToken: h.CSRF.Token(w, r), Request: params.Encode()}
		if lr.client != nil {
			data.ClientName = lr.client.Name
		}
		h.Pages.Render(w, http.StatusOK, web.PageLogout, data)
		return
	}
	if sess != nil {
		if err := h.endSession(w, r); err != nil {
			h.errorPage(w, oauth.Internal(err))
			return
		}
		h.Log.Info("logout", "user_id", sess.UserID)
	}
	if lr.redirectURI == "" {
		h.Pages.Render(w, http.StatusOK, web.PageMessage, web.MessageData{Title: "You are signed out", Message: "You can close this page."})
		return
	}
	target := lr.redirectURI
	if lr.state != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + url.Values{"state": {lr.state}}.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) parseLogout(ctx context.Context, v url.Values) (logoutRequest, error) {
	var lr logoutRequest
	p, err := oauth.SingleValues(v)
	if err != nil {
		return lr, err
	}
	lr.state = p["state"]
	clientID := p["client_id"]
	if raw := p["id_token_hint"]; raw != "" {
		hint, err := h.Tokens.ParseIDTokenHint(ctx, raw)
		if err != nil {
			return lr, oauth.Errorf(oauth.InvalidRequest, "id_token_hint is not an ID token issued by this server")
		}
		if clientID != "" && !slices.Contains(hint.Audience, clientID) {
			return lr, oauth.Errorf(oauth.InvalidRequest, "client_id does not match the id_token_hint")
		}
		if clientID == "" && len(hint.Audience) == 1 {
			clientID = hint.Audience[0]
		}
		lr.hint = &hint
	}
	if clientID != "" {
		c, err := h.Store.GetClient(ctx, clientID)
		if isNotFound(err) {
			return lr, oauth.Errorf(oauth.InvalidRequest, "no application is registered with this client_id")
		}
		if err != nil {
			return lr, oauth.Internal(err)
		}
		lr.client = &c
	}
	if uri := p["post_logout_redirect_uri"]; uri != "" {
		if lr.client == nil {
			return lr, oauth.Errorf(oauth.InvalidRequest, "post_logout_redirect_uri needs client_id or id_token_hint")
		}
		if !slices.Contains(lr.client.PostLogoutRedirectURIs, uri) {
			return lr, oauth.Errorf(oauth.InvalidRequest, "post_logout_redirect_uri is not registered for this application")
		}
		lr.redirectURI = uri
	}
	return lr, nil
}
