package admin

import (
	"context"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// ClientInput returns the input that would register c as it is, for an
// edit form or a partial update: change some fields and pass it to
// UpdateClient.
func ClientInput(c storage.Client) NewClient {
	return NewClient{
		Type:                   c.Type,
		Name:                   c.Name,
		RedirectURIs:           c.RedirectURIs,
		RedirectURIPatterns:    c.RedirectURIPatterns,
		DefaultRedirectURI:     c.DefaultRedirectURI,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		Scopes:                 c.Scopes,
		PKCEOptional:           c.PKCEOptional,
		AllowPlainPKCE:         c.AllowPlainPKCE,
		IDTokenAlg:             c.IDTokenAlg,
		IssueRefreshTokens:     c.IssueRefreshTokens,
		RefreshIdleTTL:         c.RefreshIdleTTL,
		RefreshAbsoluteTTL:     c.RefreshAbsoluteTTL,
		AuthMethod:             c.AuthMethod,
		JWKS:                   c.JWKS,
		JWKSURI:                c.JWKSURI,
		ProjectID:              c.ProjectID,
		APIs:                   c.APIs,
	}
}

// UpdateClient replaces a client's settings with in, validated exactly as
// CreateClient validates a registration. The type cannot change (in.Type
// may be empty for "unchanged"), and the authentication method only
// within its kind of credential: client_secret_basic and _post share the
// stored secret hash, while client_secret_jwt (which needs the sealed
// secret) and private_key_jwt (which has no secret) stay as registered. A
// new credential is the way to change either. The secret, the ID and
// CreatedAt are kept; an unknown ID gives storage.ErrNotFound.
func (s *Service) UpdateClient(ctx context.Context, id string, in NewClient) (storage.Client, error) {
	old, err := s.store.GetClient(ctx, id)
	if err != nil {
		return storage.Client{}, fmt.Errorf("update client: %w", err)
	}
	if in.Type == "" {
		in.Type = old.Type
	}
	if in.Type != old.Type {
		return storage.Client{}, invalid("type", "a client's type cannot change; create a new %s credential instead", in.Type)
	}
	c, err := validateClient(in)
	if err != nil {
		return storage.Client{}, err
	}
	if !c.Type.Public() && secretKind(c.AuthMethod) != secretKind(old.AuthMethod) {
		return storage.Client{}, invalid("auth_method", "cannot change from %s to %s; create a new credential instead",
			EffectiveAuthMethod(old), EffectiveAuthMethod(c))
	}
	if err := s.checkClientAPIs(ctx, c, in); err != nil {
		return storage.Client{}, err
	}
	c.ID, c.CreatedAt, c.UpdatedAt = old.ID, old.CreatedAt, s.timestamp()
	c.SecretHash, c.SealedSecret = old.SecretHash, old.SealedSecret
	c.PreviousSecretHash, c.PreviousSecretExpiresAt = old.PreviousSecretHash, old.PreviousSecretExpiresAt
	c.ResourceServer = old.ResourceServer
	if err := s.store.UpdateClient(ctx, c); err != nil {
		return storage.Client{}, fmt.Errorf("update client: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.ClientUpdated, ClientID: c.ID, Target: c.ID, Details: map[string]any{"name": c.Name}})
	return c, nil
}

// secretKind groups authentication methods by what the client stores:
// a secret hash (the default, basic and post), a sealed secret too
// (client_secret_jwt), or keys (private_key_jwt). Public clients, which
// use none, never change kind since their type cannot change.
func secretKind(method string) string {
	switch method {
	case "", oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost:
		return "hash"
	}
	return method
}
