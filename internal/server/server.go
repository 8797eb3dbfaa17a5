package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/account"
	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/authorize"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/metrics"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/oidc"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/token"
	"github.com/gatehouse-dev/gatehouse/internal/tokenapi"
	"github.com/gatehouse-dev/gatehouse/internal/web"
	jssdk "github.com/gatehouse-dev/gatehouse/sdk/js"
)

// Server is a ready-to-serve Gatehouse.
type Server struct {
	cfg     config.Config
	store   Store
	cached  Store // the client cache under the metrics wrapper; nil for an injected store
	handler http.Handler
	log     *slog.Logger
	ring    *keys.Ring
	now     func() time.Time
	metrics *metrics.Metrics
}

// Deps lets tests inject the store and the clock; zero values mean the
// defaults (open cfg.DB, time.Now).
type Deps struct {
	Store Store
	Now   func() time.Time
}

// New opens and migrates the store, loads the master secret and signing
// keys, and builds the HTTP handler. cfg must be validated.
func New(ctx context.Context, cfg config.Config, master []byte, log *slog.Logger, deps Deps) (*Server, error) {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	store := deps.Store
	var cached Store // the cache, which followKeyChanges subscribes to
	if store == nil {
		var err error
		if store, err = OpenMigrated(ctx, cfg.DB); err != nil {
			return nil, err
		}
		store = withCache(store, log) // docs/replicas.md: cache bounds
		cached = store
	}
	ctx = audit.WithActor(ctx, audit.ActorSystem) // what the server does on its own, such as key maintenance
	s := &Server{cfg: cfg, store: store, cached: cached, log: log, now: now}
	s.instrumentStore()
	h, err := s.build(ctx, master, now)
	if err != nil {
		if deps.Store == nil {
			store.Close()
		}
		return nil, err
	}
	s.handler = h
	return s, nil
}

func (s *Server) build(ctx context.Context, master []byte, now func() time.Time) (http.Handler, error) {
	cfg, log := s.cfg, s.log
	rec := audit.New(s.store, audit.Options{Now: now, Log: log})
	ring, err := keys.NewRing(s.store, master, keys.Options{
		Now: now, Period: cfg.KeyRotationPeriod, Retention: cfg.KeyRetention(), Log: log, Audit: rec,
	})
	if err != nil {
		return nil, err
	}
	s.ring = ring
	followKeyChanges(s.cached, ring)
	if err := ring.Ensure(ctx); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	tokens := token.New(ring, cfg.Issuer, cfg.SigningAlg, now)
	pages, err := web.NewPages()
	if err != nil {
		return nil, err
	}
	csrfKey, err := secret.DeriveKey(master, "csrf v1")
	if err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(cfg.Issuer, "https://")
	csrf := web.NewCSRF(csrfKey, secure, oauth.OriginOf(cfg.Issuer))
	limiter, err := newLimiter(cfg.Throttle, s.store, now, log) // throttle.go
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	authorize.New(authorize.Options{
		Store: s.store, Pages: pages, CSRF: csrf,
		Tokens: tokens, Issuer: cfg.Issuer, Secure: secure,
		CodeTTL: cfg.CodeTTL, SessionTTL: cfg.SessionTTL, Now: now, Log: log, Throttle: limiter, Audit: rec,
	}).Register(mux)
	account.New(account.Options{
		Store: s.store, Pages: pages, CSRF: csrf,
		Secure: secure, Now: now, Log: log, Throttle: limiter, Audit: rec,
	}).Register(mux)
	clientSecrets, err := secret.NewClientSecrets(master)
	if err != nil {
		return nil, err
	}
	clientAuth := tokenapi.NewClientAuth(tokenapi.ClientAuthOptions{
		Store: s.store, Secrets: clientSecrets, Issuer: cfg.Issuer, Now: now, Log: log, Throttle: limiter,
	})
	tokenapi.New(tokenapi.Options{
		Store: s.store, Tokens: tokens, AccessTokenTTL: cfg.AccessTokenTTL, IDTokenTTL: cfg.IDTokenTTL, Now: now, Log: log,
		RefreshIdleTTL: cfg.RefreshIdleTTL, RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL, ClientAuth: clientAuth, Audit: rec,
	}).Register(mux)
	oidcHandler, err := oidc.New(oidc.Options{Store: s.store, Keys: ring, Tokens: tokens, Metadata: metadata(cfg.Issuer), Now: now, Log: log})
	if err != nil {
		return nil, err
	}
	oidcHandler.Register(mux)
	// One admin service for the admin API and the console, so both audit
	// and rotate keys through the same ring.
	adminSvc := admin.New(readThroughStore{s.store}, clientSecrets, now).WithKeys(ring) // readthrough.go
	if err := s.mountAdminAPI(ctx, mux, adminSvc); err != nil {
		return nil, err
	}
	mux.Handle("GET /static/", web.Static())
	mux.Handle("GET "+jssdk.Prefix, jssdk.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /{$}", web.SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, http.StatusOK, web.PageMessage, web.MessageData{
			Title: "Gatehouse is running", Message: "Applications find this server at " + cfg.Issuer + oidc.PathDiscovery,
		})
	})))
	if err := s.mountConsole(ctx, mux, master, csrf, adminSvc, secure); err != nil {
		return nil, err
	}
	cors := newCORSPolicy(s.store, []string{
		tokenapi.PathToken, tokenapi.PathRevoke, oidc.PathUserinfo, oidc.PathJWKS, oidc.PathDiscovery, oidc.PathASMeta, authorize.PathLogout,
	}, now, log)
	// audit.Middleware comes first: it derives a new request, and the
	// metrics read the route the mux sets on the request it is given.
	return audit.ClientIPMiddleware(auditClientIP(limiter))(s.instrument(limitBodies(cors.wrap(mux)))), nil
}

// metadata is the discovery document for issuer.
func metadata(issuer string) oidc.Metadata {
	// Public clients ("none") cannot introspect (RFC 7662 §2.1). All three
	// endpoints authenticate clients alike, client assertions included, so
	// they share the assertion algorithms (RFC 8414 §2).
	introspectionAuth := slices.DeleteFunc(tokenapi.AuthMethods(), func(m string) bool { return m == oauth.AuthNone })
	m := oidc.Metadata{
		Issuer:                                     issuer,
		AuthorizationEndpoint:                      issuer + authorize.PathAuthorize,
		TokenEndpoint:                              issuer + tokenapi.PathToken,
		UserinfoEndpoint:                           issuer + oidc.PathUserinfo,
		JWKSURI:                                    issuer + oidc.PathJWKS,
		EndSessionEndpoint:                         issuer + authorize.PathLogout,
		ScopesSupported:                            oauth.StandardScopes,
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        tokenapi.GrantTypes(),
		SubjectTypesSupported:                      []string{"public"},
		IDTokenSigningAlgValuesSupported:           keys.Algorithms,
		TokenEndpointAuthMethodsSupported:          tokenapi.AuthMethods(),
		CodeChallengeMethodsSupported:              []string{oauth.PKCES256},
		ClaimsSupported:                            []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "sid", "name", "email", "email_verified", "updated_at"},
		PromptValuesSupported:                      []string{"none", "login", "consent", "select_account"},
		RevocationEndpoint:                         issuer + tokenapi.PathRevoke,
		RevocationEndpointAuthMethodsSupported:     tokenapi.AuthMethods(),
		IntrospectionEndpoint:                      issuer + tokenapi.PathIntrospect,
		IntrospectionEndpointAuthMethodsSupported:  introspectionAuth,
		AuthorizationResponseIssParameterSupported: true,
	}
	algs := tokenapi.AuthSigningAlgs()
	m.TokenEndpointAuthSigningAlgValuesSupported = algs
	m.RevocationEndpointAuthSigningAlgValuesSupported = algs
	m.IntrospectionEndpointAuthSigningAlgValuesSupported = algs
	return m
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Store returns the server's store.
func (s *Server) Store() Store { return s.store }

// Close releases the store.
func (s *Server) Close() error { return s.store.Close() }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready", "error", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// Serve answers requests on ln until ctx is cancelled, then stops accepting
// connections and waits up to 15 seconds for in-flight requests.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx = audit.WithActor(ctx, audit.ActorSystem) // key maintenance acts as the server
	defer s.startKeyMaintenance(ctx)()
	defer s.startJanitor(ctx)()
	stopDebug, err := s.startDebugListeners(ctx)
	if err != nil {
		return err
	}
	defer stopDebug()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.cfg.TLS() {
		tc, err := loadTLS(s.cfg.TLSCert, s.cfg.TLSKey, s.cfg.TLSSelfSigned)
		if err != nil {
			return err
		}
		srv.TLSConfig = tc
	}
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// keyMaintenanceInterval is how often the key ring creates missing next
// keys and deletes retired ones (keys.Ring.Ensure); it also ran at start.
const keyMaintenanceInterval = time.Minute

// startKeyMaintenance runs the key ring's maintenance in the background
// until ctx ends or the returned stop is called; stop waits for it.
func (s *Server) startKeyMaintenance(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ring.Run(ctx, keyMaintenanceInterval)
	}()
	return func() { cancel(); <-done }
}
