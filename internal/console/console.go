package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
	"github.com/gatehouse-dev/gatehouse/resource"
)

// Prefix is where the console is mounted.
const Prefix = "/console"

// Options configure the console. Every field but Log and Now is required.
type Options struct {
	Store storage.Store
	// Admin makes every change, and records it in the audit trail under
	// the signed-in administrator. It lists and rotates signing keys, so
	// it must have the server's key ring (admin.Service.WithKeys).
	Admin *admin.Service
	CSRF  *web.CSRF
	// Issuer is this server's issuer URL; Secure means it is https.
	Issuer string
	Secure bool
	// HTTPClient reaches the server's own token and JWKS endpoints; the
	// server passes one whose transport serves them in process.
	HTTPClient *http.Client
	// AuthorizePath, TokenPath and JWKSPath are the server's endpoints.
	AuthorizePath, TokenPath, JWKSPath string
	// SessionKey seals the console's cookies: 32 secret bytes, derived
	// from the master secret so every replica shares it.
	SessionKey []byte
	Now        func() time.Time
	Log        *slog.Logger
}

// Console serves the developer console.
type Console struct {
	o        Options
	pages    *pages
	seal     *sealer
	http     *http.Client // in-process: token endpoint and JWKS
	verifier *resource.Verifier
}

// New checks opts, registers the console's own client if it is missing
// (EnsureClient) and returns the console, ready for Register.
func New(ctx context.Context, opts Options) (*Console, error) {
	if opts.Store == nil || opts.Admin == nil || opts.CSRF == nil || opts.HTTPClient == nil || opts.Issuer == "" {
		return nil, errors.New("console: store, admin, csrf, http client and issuer are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	opts.Issuer = strings.TrimSuffix(opts.Issuer, "/")
	seal, err := newSealer(opts.SessionKey)
	if err != nil {
		return nil, err
	}
	p, err := newPages()
	if err != nil {
		return nil, err
	}
	c := &Console{o: opts, pages: p, seal: seal, http: opts.HTTPClient}
	c.verifier, err = resource.New(ctx, resource.Config{
		Issuer:     opts.Issuer,
		Audience:   opts.Issuer, // a client without APIs gets tokens for the issuer
		JWKSURL:    opts.Issuer + opts.JWKSPath,
		HTTPClient: c.http,
		Logger:     opts.Log,
		Now:        opts.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("console: token verifier: %w", err)
	}
	if err := EnsureClient(ctx, opts.Store, opts.Issuer, opts.Now); err != nil {
		return nil, err
	}
	return c, nil
}

// Register adds the console's routes to mux.
func (c *Console) Register(mux *http.ServeMux) {
	page := func(pattern string, h handler) {
		mux.Handle(pattern, web.SecureHeaders(c.signedIn(h)))
	}
	mux.Handle("GET "+PathCallback, web.SecureHeaders(http.HandlerFunc(c.callback)))
	mux.Handle("POST /console/signout", web.SecureHeaders(http.HandlerFunc(c.signOut)))
	mux.Handle("GET /console/signin", web.SecureHeaders(http.HandlerFunc(c.signInAgain)))

	page("GET /console", c.projects)
	page("GET /console/{$}", c.projects)
	page("POST /console/projects", c.createProject)
	page("GET /console/projects/{id}", c.project)
	page("POST /console/projects/{id}/delete", c.deleteProject)
	page("GET /console/projects/{id}/apis/new", c.newAPI)
	page("POST /console/projects/{id}/apis", c.createAPI)
	page("POST /console/apis/{id}/delete", c.deleteAPI)
	page("GET /console/projects/{id}/edit", c.editProject)
	page("POST /console/projects/{id}/edit", c.updateProject)
	page("GET /console/apis/{id}/edit", c.editAPI)
	page("POST /console/apis/{id}/edit", c.updateAPI)
	page("GET /console/projects/{id}/credentials/new", c.newCredential)
	page("POST /console/projects/{id}/credentials", c.createCredential)
	page("GET /console/credentials/{id}", c.credential)
	page("GET /console/credentials/{id}/edit", c.editCredential)
	page("POST /console/credentials/{id}/edit", c.updateCredential)
	page("POST /console/credentials/{id}/rotate", c.rotateSecret)
	page("GET /console/credentials/{id}/delete", c.confirmDeleteCredential)
	page("POST /console/credentials/{id}/delete", c.deleteCredential)
	page("POST /console/credentials/{id}/test", c.testRedirect)
	page("POST /console/check/redirect", c.checkRedirect)
	page("POST /console/check/match", c.checkMatch)
	page("GET /console/users", c.users)
	page("POST /console/users", c.createUser)
	page("GET /console/users/{id}", c.user)
	page("POST /console/users/{id}/edit", c.updateUser)
	page("POST /console/users/{id}/password", c.setPassword)
	page("GET /console/users/{id}/delete", c.confirmDeleteUser)
	page("POST /console/users/{id}/delete", c.deleteUser)
	page("GET /console/groups", c.groups)
	page("POST /console/groups/add", c.addToGroup)
	page("POST /console/groups/remove", c.removeFromGroup)
	page("GET /console/keys", c.keys)
	page("POST /console/keys/rotate", c.rotateKey)
	mux.Handle("/console/", web.SecureHeaders(c.signedIn(c.notFound)))
}

// notFound answers console paths that name no page.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, a *adminUser) {
	c.fail(w, r, a, http.StatusNotFound, "Page not found", "There is no console page at this address.")
}
