package account

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/session"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// Paths this package serves.
const (
	PathAccount       = "/account"
	PathRevokeApp     = "/account/apps/revoke"
	PathSignOutOthers = "/account/sessions/sign-out-others"
	PathPassword      = "/account/password"
)

// loginPath is the sign-in page (internal/authorize serves it); it
// returns to its return_to path after a direct sign-in.
const loginPath = "/login"

// maxFormBytes bounds every form this package reads.
const maxFormBytes = 16 << 10

// Store is the part of storage.Store the account page uses.
type Store interface {
	session.Store
	GetClient(ctx context.Context, id string) (storage.Client, error)
	ListConsents(ctx context.Context, userID string) ([]storage.Consent, error)
	DeleteConsent(ctx context.Context, userID, clientID string) error
	RevokeUserClient(ctx context.Context, userID, clientID string, now time.Time) (int, error)
	ListSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error)
	DeleteUserSessions(ctx context.Context, userID, exceptID string) (int, error)
	UpdateUserPassword(ctx context.Context, id, passwordHash string, now time.Time) error
}

// Options configure a Handler. Every field is required but Now.
type Options struct {
	Store  Store
	Pages  *web.Pages
	CSRF   *web.CSRF
	Secure bool // the issuer is https (the session cookie is __Host-)
	Now    func() time.Time
	Log    *slog.Logger
	// Throttle limits wrong current passwords like failed sign-ins
	// (throttle.go); nil means no limit.
	Throttle *throttle.Limiter
	Audit    *audit.Recorder // what the user revokes or changes; nil records nothing
}

// Handler serves the account page and its actions.
type Handler struct {
	Options
	sessions *session.Manager
}

// New returns a Handler.
func New(o Options) *Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	// The account page never starts a session, so the lifetime is unused.
	return &Handler{Options: o, sessions: session.New(o.Store, o.Secure, 0, o.Now)}
}

// Register mounts the page and its actions on mux, behind the browser
// security headers.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET "+PathAccount, web.SecureHeaders(http.HandlerFunc(h.page)))
	mux.Handle("POST "+PathRevokeApp, web.SecureHeaders(h.action(h.revokeApp)))
	mux.Handle("POST "+PathSignOutOthers, web.SecureHeaders(h.action(h.signOutOthers)))
	mux.Handle("POST "+PathPassword, web.SecureHeaders(h.action(h.changePassword)))
}

// Outcomes of actions, named in the query of the redirect back to the
// page (?done=KEY); only these fixed texts are ever shown.
var notices = map[string]string{
	"revoked":    "The app's access was removed. It must ask you again before it can use your account.",
	"signed-out": "Your other sessions are signed out.",
	"password":   "Your password was changed, and your other sessions are signed out.",
}

// page shows the account page, or sends a browser that is not signed in
// to the login page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	sess, user, err := h.sessions.Current(r)
	if err != nil {
		h.internalError(w, err)
		return
	}
	if sess == nil {
		h.toLogin(w, r)
		return
	}
	h.render(w, r, http.StatusOK, *sess, user, view{notice: notices[r.URL.Query().Get("done")]})
}

// view is what varies between renderings of the page.
type view struct {
	notice        string
	passwordError string
	passwordField string
}

// render shows the page for user, whose current session is sess.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, sess storage.Session, user storage.User, v view) {
	ctx := r.Context()
	consents, err := h.Store.ListConsents(ctx, user.ID)
	if err != nil {
		h.internalError(w, err)
		return
	}
	apps := make([]web.AccountApp, 0, len(consents))
	for _, c := range consents {
		client, err := h.Store.GetClient(ctx, c.ClientID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			h.internalError(w, err)
			return
		}
		apps = append(apps, web.AccountApp{
			ClientID: c.ClientID, Name: client.Name, Scopes: scopeViews(c.Scopes),
			GrantedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		})
	}
	sessions, err := h.Store.ListSessions(ctx, user.ID, h.Now())
	if err != nil {
		h.internalError(w, err)
		return
	}
	views := make([]web.AccountSession, 0, len(sessions))
	for _, s := range sessions {
		views = append(views, web.AccountSession{
			Current: s.ID == sess.ID, CreatedAt: s.CreatedAt, AuthTime: s.AuthTime, ExpiresAt: s.ExpiresAt,
		})
	}
	// The browser at hand first; the store's newest-first order otherwise.
	slices.SortStableFunc(views, func(a, b web.AccountSession) int {
		switch {
		case a.Current == b.Current:
			return 0
		case a.Current:
			return -1
		}
		return 1
	})
	h.Pages.Render(w, status, web.PageAccount, web.AccountData{
		UserName:      user.Name,
		UserEmail:     user.Email,
		Notice:        v.notice,
		Apps:          apps,
		Sessions:      views,
		CSRFToken:     h.CSRF.Token(w, r),
		PasswordError: v.passwordError,
		PasswordField: v.passwordField,
		MinPassword:   admin.MinPasswordLen,
	})
}

// scopeViews describes scopes in plain words.
func scopeViews(scopes []string) []web.ScopeView {
	out := make([]web.ScopeView, 0, len(scopes))
	for _, s := range scopes {
		out = append(out, web.ScopeView{Name: s, Description: oauth.DescribeScope(s)})
	}
	return out
}

// toLogin sends the browser to the login page, which returns here after
// signing in.
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	q := url.Values{web.FieldReturnTo: {PathAccount}}
	http.Redirect(w, r, loginPath+"?"+q.Encode(), http.StatusSeeOther)
}

// backToPage redirects to the page with the outcome of an action.
func backToPage(w http.ResponseWriter, r *http.Request, done string) {
	http.Redirect(w, r, PathAccount+"?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
}

// internalError logs err and shows a generic error page.
func (h *Handler) internalError(w http.ResponseWriter, err error) {
	h.Log.Error("account page failed", "error", err)
	h.Pages.Render(w, http.StatusInternalServerError, web.PageError, web.ErrorData{
		Title:   "Something went wrong",
		Message: "Gatehouse could not complete the request. Please try again in a moment.",
	})
}

// badForm shows an error page for a form that was not sent by our page.
func (h *Handler) badForm(w http.ResponseWriter, status int, msg string) {
	h.Pages.Render(w, status, web.PageError, web.ErrorData{Title: "This form could not be accepted", Message: msg})
}
