package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// clientLister is the part of the store the CORS policy reads.
type clientLister interface {
	ListClients(ctx context.Context) ([]storage.Client, error)
}

// corsPolicy lets single-page apps call the endpoints they need from the
// browser: only origins of public clients' registered redirect URIs (or
// patterns) are allowed, and no credentials (cookies) are ever included.
type corsPolicy struct {
	store clientLister
	paths map[string]bool
	now   func() time.Time
	log   *slog.Logger

	mu       sync.Mutex
	exact    map[string]bool
	patterns []*oauth.Pattern
	loadedAt time.Time
}

// corsTTL bounds how long a removed client's origin stays allowed, and how
// soon a new client's origin is seen by every replica; corsMissReload
// rate-limits rereads triggered by unknown origins.
const (
	corsTTL        = 30 * time.Second
	corsMissReload = 2 * time.Second
)

func newCORSPolicy(store clientLister, paths []string, now func() time.Time, log *slog.Logger) *corsPolicy {
	p := &corsPolicy{store: store, paths: map[string]bool{}, now: now, log: log}
	for _, path := range paths {
		p.paths[path] = true
	}
	return p
}

func (p *corsPolicy) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !p.paths[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		allowed := p.allowed(r.Context(), origin)
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight {
			if allowed {
				h := w.Header()
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
		}
		next.ServeHTTP(w, r)
	})
}

func (p *corsPolicy) allowed(ctx context.Context, origin string) bool {
	if p.match(origin) {
		return true
	}
	p.mu.Lock()
	recent := p.now().Sub(p.loadedAt) < corsMissReload
	p.mu.Unlock()
	if recent {
		return false
	}
	if err := p.reload(ctx); err != nil {
		p.log.Error("cors: load clients", "error", err)
		return false
	}
	return p.match(origin)
}

func (p *corsPolicy) match(origin string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.now().Sub(p.loadedAt) >= corsTTL {
		return false // stale: let allowed reload
	}
	if p.exact[origin] {
		return true
	}
	for _, pat := range p.patterns {
		if pat.MatchOrigin(origin) {
			return true
		}
	}
	return false
}

func (p *corsPolicy) reload(ctx context.Context) error {
	clients, err := p.store.ListClients(ctx)
	if err != nil {
		return err
	}
	exact := map[string]bool{}
	var patterns []*oauth.Pattern
	for _, c := range clients {
		if !c.Type.Public() {
			continue
		}
		for _, u := range append(append([]string{}, c.RedirectURIs...), c.DefaultRedirectURI) {
			if o := oauth.OriginOf(u); o != "" {
				exact[o] = true
			}
		}
		for _, expr := range c.RedirectURIPatterns {
			if pat, err := oauth.CompilePattern(expr); err == nil {
				patterns = append(patterns, pat)
			}
		}
	}
	p.mu.Lock()
	p.exact, p.patterns, p.loadedAt = exact, patterns, p.now()
	p.mu.Unlock()
	return nil
}
