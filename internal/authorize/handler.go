package authorize

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/session"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
	"github.com/gatehouse-dev/gatehouse/internal/token"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// Paths this package serves.
const (
	PathAuthorize = "/authorize"
	PathLogin     = "/login"
	PathConsent   = "/consent"
	PathLogout    = "/logout"
)

// maxFormBytes bounds every form this package reads.
const maxFormBytes = 64 << 10

// Store is the part of storage.Store the front channel uses.
type Store interface {
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetUserByEmail(ctx context.Context, email string) (storage.User, error)
	CreateSession(ctx context.Context, s storage.Session) error
	GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error)
	DeleteSession(ctx context.Context, id string) error
	GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error)
	SaveConsent(ctx context.Context, c storage.Consent) error
	CreateAuthCode(ctx context.Context, c storage.AuthCode) error
	GetAPI(ctx context.Context, id string) (storage.API, error) // resource.go
}

// Options configure a Handler. Every field is required but Now and Throttle.
type Options struct {
	Store      Store
	Pages      *web.Pages
	CSRF       *web.CSRF
	Tokens     *token.Service // verifies id_token_hint at logout
	Issuer     string
	Secure     bool // the issuer is https: cookies get Secure and __Host-
	CodeTTL    time.Duration
	SessionTTL time.Duration
	Now        func() time.Time
	Log        *slog.Logger
	Throttle   *throttle.Limiter // brute-force protection of sign-in; nil: none
	Audit      *audit.Recorder   // sign-ins and consents; nil records nothing
}

// Handler serves the front-channel endpoints.
type Handler struct {
	Options
	sessions *session.Manager
}

// New returns a Handler.
func New(o Options) *Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{Options: o, sessions: session.New(o.Store, o.Secure, o.SessionTTL, o.Now)}
}

// Register mounts the endpoints on mux. Pages get the browser security
// headers (CSP with frame-ancestors 'none', nosniff, no-referrer).
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET "+PathAuthorize, web.SecureHeaders(http.HandlerFunc(h.authorize)))
	mux.Handle("POST "+PathAuthorize, web.SecureHeaders(http.HandlerFunc(h.authorize)))
	mux.Handle("GET "+PathLogin, web.SecureHeaders(http.HandlerFunc(h.loginPage)))
	mux.Handle("POST "+PathLogin, web.SecureHeaders(http.HandlerFunc(h.login)))
	mux.Handle("POST "+PathConsent, web.SecureHeaders(http.HandlerFunc(h.consent)))
	mux.Handle("GET "+PathLogout, web.SecureHeaders(http.HandlerFunc(h.logout)))
	mux.Handle("POST "+PathLogout, web.SecureHeaders(http.HandlerFunc(h.logout)))
}

// authorize handles GET and POST /authorize (OIDC Core §3.1.2.1 allows both).
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := parseForm(w, r); err != nil {
			h.errorPage(w, err)
			return
		}
		params = r.PostForm
	}
	ctx := r.Context()
	req, client, err := h.parseRequest(ctx, params)
	if err != nil {
		h.fail(w, r, req, err)
		return
	}
	sess, user, err := h.currentSession(r)
	if err != nil {
		h.fail(w, r, req, err)
		return
	}
	h.proceed(w, r, flow{req: req, client: client, raw: params.Encode()}, sess, user, false)
}

// parseForm reads a urlencoded body with a size limit.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	return nil
}
