package sqlite

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const clientColumns = `id, name, type, secret_hash, previous_secret_hash, previous_secret_expires_at,
	sealed_secret, auth_method, jwks, jwks_uri, resource_server, issue_refresh_tokens,
	refresh_idle_ttl, refresh_absolute_ttl, redirect_uris, redirect_uri_patterns,
	default_redirect_uri, post_logout_redirect_uris, scopes, pkce_optional, allow_plain_pkce,
	id_token_alg, project_id, apis, created_at, updated_at`

func scanClient(r row) (storage.Client, error) {
	var c storage.Client
	err := r.Scan(&c.ID, &c.Name, &c.Type, &c.SecretHash, &c.PreviousSecretHash, optTime{&c.PreviousSecretExpiresAt},
		blob{&c.SealedSecret}, &c.AuthMethod, blob{&c.JWKS}, &c.JWKSURI, &c.ResourceServer, &c.IssueRefreshTokens,
		microDuration{&c.RefreshIdleTTL}, microDuration{&c.RefreshAbsoluteTTL}, list{&c.RedirectURIs}, list{&c.RedirectURIPatterns},
		&c.DefaultRedirectURI, list{&c.PostLogoutRedirectURIs}, list{&c.Scopes}, &c.PKCEOptional, &c.AllowPlainPKCE,
		&c.IDTokenAlg, optText{&c.ProjectID}, list{&c.APIs}, microTime{&c.CreatedAt}, microTime{&c.UpdatedAt})
	return c, err
}

// CreateClient stores a new client.
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	return refErr(storage.ErrNotFound, s.exec(ctx, "create client",
		`INSERT INTO clients (`+clientColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, string(c.Type), c.SecretHash, c.PreviousSecretHash, optMicros(c.PreviousSecretExpiresAt),
		blobOf(c.SealedSecret), c.AuthMethod, blobOf(c.JWKS), c.JWKSURI, c.ResourceServer, c.IssueRefreshTokens,
		durationMicros(c.RefreshIdleTTL), durationMicros(c.RefreshAbsoluteTTL), listOf(c.RedirectURIs), listOf(c.RedirectURIPatterns),
		c.DefaultRedirectURI, listOf(c.PostLogoutRedirectURIs), listOf(c.Scopes), c.PKCEOptional, c.AllowPlainPKCE,
		c.IDTokenAlg, textOrNull(c.ProjectID), listOf(c.APIs), micros(c.CreatedAt), micros(c.UpdatedAt)))
}

// GetClient returns the client with the given ID.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	c, err := scanClient(s.db.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = ?`, id))
	if err != nil {
		return storage.Client{}, wrap("get client", err)
	}
	return c, nil
}

// ListClients returns every client ordered by creation time, then ID.
func (s *Store) ListClients(ctx context.Context) ([]storage.Client, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+clientColumns+` FROM clients ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list clients", err)
	}
	return collect(rows, "list clients", scanClient)
}

// UpdateClient replaces every field of the client but ID and CreatedAt.
func (s *Store) UpdateClient(ctx context.Context, c storage.Client) error {
	return refErr(storage.ErrNotFound, s.execOne(ctx, "update client", `UPDATE clients SET
		name = ?, type = ?, secret_hash = ?, previous_secret_hash = ?, previous_secret_expires_at = ?,
		sealed_secret = ?, auth_method = ?, jwks = ?, jwks_uri = ?, resource_server = ?, issue_refresh_tokens = ?,
		refresh_idle_ttl = ?, refresh_absolute_ttl = ?, redirect_uris = ?, redirect_uri_patterns = ?,
		default_redirect_uri = ?, post_logout_redirect_uris = ?, scopes = ?, pkce_optional = ?,
		allow_plain_pkce = ?, id_token_alg = ?, project_id = ?, apis = ?, updated_at = ?
		WHERE id = ?`,
		c.Name, string(c.Type), c.SecretHash, c.PreviousSecretHash, optMicros(c.PreviousSecretExpiresAt),
		blobOf(c.SealedSecret), c.AuthMethod, blobOf(c.JWKS), c.JWKSURI, c.ResourceServer, c.IssueRefreshTokens,
		durationMicros(c.RefreshIdleTTL), durationMicros(c.RefreshAbsoluteTTL), listOf(c.RedirectURIs), listOf(c.RedirectURIPatterns),
		c.DefaultRedirectURI, listOf(c.PostLogoutRedirectURIs), listOf(c.Scopes), c.PKCEOptional,
		c.AllowPlainPKCE, c.IDTokenAlg, textOrNull(c.ProjectID), listOf(c.APIs), micros(c.UpdatedAt),
		c.ID))
}

// DeleteClient deletes the client; its auth codes, tokens and consents go
// with it through ON DELETE CASCADE.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete client", `DELETE FROM clients WHERE id = ?`, id)
}
