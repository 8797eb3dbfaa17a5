package tokenapi

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// clientCredentials is the client credentials grant (RFC 6749 §4.4): a
// server-to-server client gets an access token for itself. The pipeline
// has already authenticated it and refused other client types.
//
// The token's sub and client_id are both the client ID (RFC 9068 §2.2). No
// refresh token (§4.4.3: the client can simply ask again) and no ID token
// (no user authenticated). The token is recorded under a grant of its
// own, so it can be revoked and introspected like any other.
func (h *Handler) clientCredentials(ctx context.Context, c storage.Client, p map[string]string, t target) (*Response, error) {
	scopes, err := serviceScopes(c, p["scope"])
	if err != nil {
		return nil, err
	}
	scopes, aud := t.apply(scopes)
	at, err := h.mintAccess(ctx, c, c.ID, secret.NewID(), scopes, aud, time.Time{})
	if err != nil {
		return nil, err
	}
	return &Response{
		AccessToken: at.Raw,
		TokenType:   "Bearer",
		ExpiresIn:   int64(h.AccessTokenTTL.Seconds()),
		Scope:       oauth.JoinScope(scopes),
	}, nil
}

// serviceScopes resolves the scope parameter of a client credentials
// request: every scope asked for must be registered for the client, and
// the user-facing OpenID scopes (openid, profile, email, offline_access)
// never apply, since no user is involved. An omitted scope means every
// scope registered for the client (the pre-defined default RFC 6749 §3.3
// allows); a client with none registered then gets a token without scope.
func serviceScopes(c storage.Client, raw string) ([]string, error) {
	registered := []string{}
	for _, s := range c.Scopes {
		if !slices.Contains(oauth.StandardScopes, s) {
			registered = append(registered, s)
		}
	}
	req, err := oauth.ParseScope(raw)
	if err != nil {
		return nil, err
	}
	if len(req) == 0 {
		return registered, nil
	}
	for _, s := range req {
		if slices.Contains(oauth.StandardScopes, s) {
			return nil, oauth.Errorf(oauth.InvalidScope, "scope %q is about a user and does not apply to client credentials", s)
		}
		if !slices.Contains(registered, s) {
			return nil, oauth.Errorf(oauth.InvalidScope, "scope %q is not registered for this client", truncate(s, 40))
		}
	}
	return req, nil
}
