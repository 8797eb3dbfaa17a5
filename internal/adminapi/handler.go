package adminapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/resource"
)

// Prefix is where the API is mounted.
const Prefix = "/api/admin/v1"

// Store is the part of storage.Store the authorization check reads.
type Store interface {
	GetToken(ctx context.Context, id string) (storage.Token, error)
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetClient(ctx context.Context, id string) (storage.Client, error)
}

// Options configures a Handler. Every field is required.
type Options struct {
	// Admin performs the operations; built WithKeys for the keys routes.
	Admin *admin.Service
	// Store is read to check that a token is still live (see doc.go).
	Store Store
	// Verifier checks the access tokens: Gatehouse's issuer, with the
	// issuer as the audience (the aud of tokens of clients without APIs).
	Verifier *resource.Verifier
	Log      *slog.Logger
}

// Handler serves the admin API.
type Handler struct {
	svc      *admin.Service
	store    Store
	verifier *resource.Verifier
	log      *slog.Logger
	mux      *http.ServeMux
}

// route is one operation: the pattern is also its OpenAPI path.
type route struct {
	method, path string
	handle       func(*Handler, http.ResponseWriter, *http.Request)
}

// routes lists every operation but the OpenAPI document, which needs no
// token. A test checks that openapi.json describes exactly these.
var routes = []route{
	{"GET", "/projects", (*Handler).listProjects},
	{"POST", "/projects", (*Handler).createProject},
	{"GET", "/projects/{id}", (*Handler).getProject},
	{"PATCH", "/projects/{id}", (*Handler).updateProject},
	{"DELETE", "/projects/{id}", (*Handler).deleteProject},
	{"GET", "/apis", (*Handler).listAPIs},
	{"POST", "/apis", (*Handler).createAPI},
	{"GET", "/apis/{id}", (*Handler).getAPI},
	{"PATCH", "/apis/{id}", (*Handler).updateAPI},
	{"DELETE", "/apis/{id}", (*Handler).deleteAPI},
	{"GET", "/clients", (*Handler).listClients},
	{"POST", "/clients", (*Handler).createClient},
	{"GET", "/clients/{id}", (*Handler).getClient},
	{"PATCH", "/clients/{id}", (*Handler).updateClient},
	{"DELETE", "/clients/{id}", (*Handler).deleteClient},
	{"POST", "/clients/{id}/rotate-secret", (*Handler).rotateSecret},
	{"GET", "/users", (*Handler).listUsers},
	{"POST", "/users", (*Handler).createUser},
	{"GET", "/users/{id}", (*Handler).getUser},
	{"PATCH", "/users/{id}", (*Handler).updateUser},
	{"DELETE", "/users/{id}", (*Handler).deleteUser},
	{"PUT", "/users/{id}/password", (*Handler).setPassword},
	{"GET", "/groups", (*Handler).listGroups},
	{"GET", "/groups/{name}", (*Handler).getGroup},
	{"PUT", "/groups/{name}/members/{user_id}", (*Handler).addMember},
	{"DELETE", "/groups/{name}/members/{user_id}", (*Handler).removeMember},
	{"GET", "/keys", (*Handler).listKeys},
	{"POST", "/keys/rotate", (*Handler).rotateKeys},
}

// pathOpenAPI is the OpenAPI document's path below Prefix.
const pathOpenAPI = "/openapi.json"

// New returns the admin API handler.
func New(opt Options) *Handler {
	h := &Handler{svc: opt.Admin, store: opt.Store, verifier: opt.Verifier, log: opt.Log, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+Prefix+pathOpenAPI, serveOpenAPI)
	guard := h.verifier.Require(oauth.ScopeAdmin)
	for _, rt := range routes {
		handle := rt.handle
		h.mux.Handle(rt.method+" "+Prefix+rt.path, guard(h.live(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handle(h, w, r)
		}))))
	}
	return h
}

// Register mounts the API on mux under Prefix.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle(Prefix+"/", h)
}

// ServeHTTP routes a request. Paths and methods the API does not have get
// JSON errors (404, 405 with Allow) instead of the mux's plain text.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	next, pattern := h.mux.Handler(r)
	if pattern != "" {
		h.mux.ServeHTTP(w, r) // which sets the path values; Handler does not
		return
	}
	probe := &statusProbe{header: http.Header{}}
	next.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeError(w, http.StatusMethodNotAllowed, codeMethod, "", "this path does not support "+r.Method)
		return
	}
	writeError(w, http.StatusNotFound, codeNotFound, "", "no such admin API path: see "+Prefix+pathOpenAPI)
}

// statusProbe records what the mux's own 404 or 405 handler would answer.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }

// live lets a request through only while its token, which Require has
// verified and found to grant oauth.ScopeAdmin, is still live in the
// store: recorded and not revoked, its client still registered with the
// admin scope and, for a user's token, the user still an administrator.
// A signature cannot be revoked, so this is what makes revocation and
// demotion take effect at once.
func (h *Handler) live(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := resource.ClaimsFrom(r.Context())
		if !ok {
			h.deny(w, http.StatusUnauthorized, codeInvalidToken, "the access token could not be checked")
			return
		}
		actor, status, desc, err := h.checkLive(r.Context(), claims)
		if err != nil {
			writeServiceError(w, h.log, err)
			return
		}
		if status != 0 {
			code := codeInvalidToken
			if status == http.StatusForbidden {
				code = codeScope
			}
			h.deny(w, status, code, desc)
			return
		}
		// Changes made through this request are recorded as the token's
		// administrator, or its client for a client's own token.
		next.ServeHTTP(w, r.WithContext(audit.WithActor(r.Context(), actor)))
	})
}

// checkLive returns 0 and the audit actor (audit.ActorAdminPrefix and the
// user ID, or the client ID for a client's own token) for a live admin
// token, else the status and the reason for the caller; err is a failure
// to read the store.
func (h *Handler) checkLive(ctx context.Context, c *resource.Claims) (string, int, string, error) {
	const revoked = "the access token was revoked"
	tok, err := h.store.GetToken(ctx, c.ID)
	switch {
	case isNotFound(err):
		return "", http.StatusUnauthorized, revoked, nil
	case err != nil:
		return "", 0, "", err
	case tok.RevokedAt != nil || tok.Kind != storage.TokenAccess || tok.ClientID != c.ClientID:
		return "", http.StatusUnauthorized, revoked, nil
	}
	client, err := h.store.GetClient(ctx, tok.ClientID)
	switch {
	case isNotFound(err):
		return "", http.StatusUnauthorized, revoked, nil
	case err != nil:
		return "", 0, "", err
	case !slices.Contains(client.Scopes, oauth.ScopeAdmin):
		return "", http.StatusForbidden, "the client is no longer registered with the admin scope", nil
	}
	if tok.UserID == "" {
		return audit.ActorAdminPrefix + tok.ClientID, 0, "", nil
	}
	user, err := h.store.GetUser(ctx, tok.UserID)
	switch {
	case isNotFound(err):
		return "", http.StatusUnauthorized, revoked, nil
	case err != nil:
		return "", 0, "", err
	case !user.Admin:
		return "", http.StatusForbidden, "the user is not an administrator", nil
	}
	return audit.ActorAdminPrefix + tok.UserID, 0, "", nil
}

// deny answers like resource.Verifier.Require (RFC 6750 §3): a Bearer
// challenge with the error, and a JSON body.
func (h *Handler) deny(w http.ResponseWriter, status int, code, desc string) {
	challenge := `Bearer error="` + code + `", error_description="` + desc + `"`
	if code == codeScope {
		challenge += `, scope="` + oauth.ScopeAdmin + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
