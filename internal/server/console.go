package server

import (
	"context"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/authorize"
	"github.com/gatehouse-dev/gatehouse/internal/console"
	"github.com/gatehouse-dev/gatehouse/internal/oidc"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/tokenapi"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// mountConsole registers the developer console at /console. It signs
// administrators in through this server's own endpoints, which it reaches
// in-process through mux.
func (s *Server) mountConsole(ctx context.Context, mux *http.ServeMux, master []byte, csrf *web.CSRF, svc *admin.Service, secure bool) error {
	key, err := secret.DeriveKey(master, "console session v1")
	if err != nil {
		return err
	}
	c, err := console.New(ctx, console.Options{
		Store: s.store, Admin: svc, CSRF: csrf,
		Issuer: s.cfg.Issuer, Secure: secure, HTTPClient: inProcessClient(mux),
		AuthorizePath: authorize.PathAuthorize, TokenPath: tokenapi.PathToken, JWKSPath: oidc.PathJWKS,
		SessionKey: key, Now: s.now, Log: s.log,
	})
	if err != nil {
		return err
	}
	c.Register(mux)
	return nil
}
