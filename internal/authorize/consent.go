package authorize

import (
	"net/http"
	"net/url"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

func (h *Handler) renderConsent(w http.ResponseWriter, r *http.Request, f flow, user storage.User) {
	apis, err := h.clientAPIs(r.Context(), f.client)
	if err != nil {
		h.fail(w, r, f.req, err)
		return
	}
	data := web.ConsentData{
		ClientName: f.client.Name,
		UserEmail:  user.Email,
		UserName:   user.Name,
		Scopes:     scopeViews(f.req.Scopes, apis),
		CSRFToken:  h.CSRF.Token(w, r),
		Request:    f.raw,
	}
	h.Pages.Render(w, http.StatusOK, web.PageConsent, data)
}

// consent records the user's decision. Approval is remembered for the
// user and client, so later requests for the same scopes skip the page.
func (h *Handler) consent(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.errorPage(w, err)
		return
	}
	if !h.CSRF.Valid(r) {
		h.errorPage(w, errCSRF)
		return
	}
	raw := r.PostForm.Get("authz")
	params, err := url.ParseQuery(raw)
	if err != nil || raw == "" {
		h.errorPage(w, oauth.Errorf(oauth.InvalidRequest, "the consent form was altered"))
		return
	}
	ctx := r.Context()
	req, client, err := h.parseRequest(ctx, params)
	if err != nil {
		h.fail(w, r, req, err)
		return
	}
	f := flow{req: req, client: client, raw: raw}
	sess, user, err := h.currentSession(r)
	if err != nil {
		h.fail(w, r, req, err)
		return
	}
	if sess == nil {
		h.renderLogin(w, r, f, "", "Your session ended. Please sign in again.")
		return
	}
	req.Scopes = grantableScopes(req.Scopes, user)
	switch r.PostForm.Get("decision") {
	case "approve":
	case "deny":
		h.Log.Info("consent denied", "user_id", user.ID, "client_id", client.ID)
		h.Audit.Record(ctx, audit.Event{Action: audit.ConsentDenied, Actor: user.ID, UserID: user.ID, ClientID: client.ID, RemoteIP: audit.RemoteIP(r)})
		h.fail(w, r, req, oauth.Errorf(oauth.AccessDenied, "the user denied the request"))
		return
	default:
		h.errorPage(w, oauth.Errorf(oauth.InvalidRequest, "the consent form was altered"))
		return
	}
	prev, err := h.Store.GetConsent(ctx, user.ID, client.ID)
	if err != nil && !isNotFound(err) {
		h.fail(w, r, req, oauth.Internal(err))
		return
	}
	now := h.Now().UTC()
	c := storage.Consent{UserID: user.ID, ClientID: client.ID, Scopes: mergeScopes(prev.Scopes, req.Scopes), CreatedAt: now, UpdatedAt: now}
	if !prev.CreatedAt.IsZero() {
		c.CreatedAt = prev.CreatedAt
	}
	if err := h.Store.SaveConsent(ctx, c); err != nil {
		h.fail(w, r, req, oauth.Internal(err))
		return
	}
	h.Log.Info("consent granted", "user_id", user.ID, "client_id", client.ID, "scope", oauth.JoinScope(req.Scopes))
	h.Audit.Record(ctx, audit.Event{Action: audit.ConsentGranted, Actor: user.ID, UserID: user.ID, ClientID: client.ID, RemoteIP: audit.RemoteIP(r), Details: map[string]any{"scope": oauth.JoinScope(req.Scopes)}})
	h.issueCode(w, r, req, *sess)
}
