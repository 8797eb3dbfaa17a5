package oidc

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/token"
)

// Store is the part of storage.Store this package uses.
type Store interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetToken(ctx context.Context, id string) (storage.Token, error)
}

// Options configure a Handler.
type Options struct {
	Store    Store
	Keys     *keys.Ring
	Tokens   *token.Service
	Metadata Metadata
	Now      func() time.Time
	Log      *slog.Logger
}

// Handler serves discovery, JWKS and userinfo.
type Handler struct {
	Options
	discovery *discovery
}

// New returns a Handler.
func New(o Options) (*Handler, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	d, err := newDiscovery(o.Metadata)
	if err != nil {
		return nil, err
	}
	return &Handler{Options: o, discovery: d}, nil
}

// Register mounts the endpoints on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET "+PathDiscovery, h.discovery)
	mux.Handle("GET "+PathASMeta, h.discovery)
	mux.HandleFunc("GET "+PathJWKS, h.jwks)
	mux.HandleFunc("GET "+PathUserinfo, h.userinfo)
	mux.HandleFunc("POST "+PathUserinfo, h.userinfo)
}

// jwks publishes the public signing keys. Caches may keep it briefly;
// keys are published long before they sign, so a short max-age is safe.
func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := h.Keys.JWKS(r.Context())
	if err != nil {
		oauth.WriteError(w, h.Log, oauth.Internal(err))
		return
	}
	body, err := json.Marshal(set)
	if err != nil {
		oauth.WriteError(w, h.Log, oauth.Internal(err))
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(body)
}
