package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/adminapi"
	"github.com/gatehouse-dev/gatehouse/internal/oidc"
	"github.com/gatehouse-dev/gatehouse/resource"
)

// mountAdminAPI registers the admin API (internal/adminapi) on mux. Its
// tokens are checked by the public resource-server kit, as any API would
// check them, with the issuer as the audience (the aud of tokens of
// clients without APIs). The kit fetches the JWKS through an http.Client
// whose transport asks mux itself, in process: no network round trip, and
// it works whatever TLS or load balancer sits in front of the server.
func (s *Server) mountAdminAPI(ctx context.Context, mux *http.ServeMux, svc *admin.Service) error {
	jwksURL := s.cfg.Issuer + oidc.PathJWKS
	v, err := resource.New(ctx, resource.Config{
		Issuer:     s.cfg.Issuer,
		Audience:   s.cfg.Issuer,
		JWKSURL:    jwksURL,
		HTTPClient: &http.Client{Transport: onlyGet{url: jwksURL, next: inProcess{h: mux}}},
		Realm:      "gatehouse-admin",
		Logger:     s.log,
		Now:        s.now,
	})
	if err != nil {
		return fmt.Errorf("admin api: %w", err)
	}
	adminapi.New(adminapi.Options{Admin: svc, Store: s.store, Verifier: v, Log: s.log}).Register(mux)
	return nil
}
