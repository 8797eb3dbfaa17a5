package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const clientColumns = `id, name, type, secret_hash, previous_secret_hash, previous_secret_expires_at,
	sealed_secret, auth_method, jwks, jwks_uri, resource_server, issue_refresh_tokens,
	refresh_idle_ttl, refresh_absolute_ttl, redirect_uris, redirect_uri_patterns,
	default_redirect_uri, post_logout_redirect_uris, scopes, pkce_optional, allow_plain_pkce,
	id_token_alg, project_id, apis, created_at, updated_at`

func scanClient(r pgx.Row) (storage.Client, error) {
	var (
		c              storage.Client
		prevExpires    *time.Time
		projectID      *string
		idle, absolute int64
	)
	err := r.Scan(&c.ID, &c.Name, &c.Type, &c.SecretHash, &c.PreviousSecretHash, &prevExpires,
		&c.SealedSecret, &c.AuthMethod, &c.JWKS, &c.JWKSURI, &c.ResourceServer, &c.IssueRefreshTokens,
		&idle, &absolute, &c.RedirectURIs, &c.RedirectURIPatterns,
		&c.DefaultRedirectURI, &c.PostLogoutRedirectURIs, &c.Scopes, &c.PKCEOptional, &c.AllowPlainPKCE,
		&c.IDTokenAlg, &projectID, &c.APIs, &c.CreatedAt, &c.UpdatedAt)
	if projectID != nil {
		c.ProjectID = *projectID
	}
	nonNil(&c.APIs)
	c.PreviousSecretExpiresAt = fromOpt(prevExpires)
	c.RefreshIdleTTL = time.Duration(idle) * time.Microsecond
	c.RefreshAbsoluteTTL = time.Duration(absolute) * time.Microsecond
	nonNil(&c.SealedSecret)
	nonNil(&c.JWKS)
	nonNil(&c.RedirectURIs)
	nonNil(&c.RedirectURIPatterns)
	nonNil(&c.PostLogoutRedirectURIs)
	nonNil(&c.Scopes)
	return c, err
}

// CreateClient stores a new client.
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	if !storable(c.ProjectID) {
		return notFound("create client")
	}
	return refErr(storage.ErrNotFound, s.exec(ctx, "create client",
		`INSERT INTO clients (`+clientColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
		c.ID, c.Name, string(c.Type), c.SecretHash, c.PreviousSecretHash, optTime(c.PreviousSecretExpiresAt),
		bytea(c.SealedSecret), c.AuthMethod, bytea(c.JWKS), c.JWKSURI, c.ResourceServer, c.IssueRefreshTokens,
		durationMicros(c.RefreshIdleTTL), durationMicros(c.RefreshAbsoluteTTL), texts(c.RedirectURIs), texts(c.RedirectURIPatterns),
		c.DefaultRedirectURI, texts(c.PostLogoutRedirectURIs), texts(c.Scopes), c.PKCEOptional, c.AllowPlainPKCE,
		c.IDTokenAlg, textOrNull(c.ProjectID), texts(c.APIs), c.CreatedAt, c.UpdatedAt))
}

// GetClient returns the client with the given ID.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	if !storable(id) {
		return storage.Client{}, notFound("get client")
	}
	c, err := scanClient(s.pool.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1`, id))
	if err != nil {
		return storage.Client{}, wrap("get client", err)
	}
	return c, nil
}

// ListClients returns every client ordered by creation time, then ID.
func (s *Store) ListClients(ctx context.Context) ([]storage.Client, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+clientColumns+` FROM clients ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list clients", err)
	}
	return collect(rows, "list clients", scanClient)
}

// UpdateClient replaces every field of the client but ID and CreatedAt.
func (s *Store) UpdateClient(ctx context.Context, c storage.Client) error {
	if !storable(c.ID, c.ProjectID) {
		return notFound("update client")
	}
	return refErr(storage.ErrNotFound, s.execOne(ctx, "update client", `UPDATE clients SET
		name = $2, type = $3, secret_hash = $4, previous_secret_hash = $5, previous_secret_expires_at = $6,
		sealed_secret = $7, auth_method = $8, jwks = $9, jwks_uri = $10, resource_server = $11,
		issue_refresh_tokens = $12, refresh_idle_ttl = $13, refresh_absolute_ttl = $14,
		redirect_uris = $15, redirect_uri_patterns = $16, default_redirect_uri = $17,
		post_logout_redirect_uris = $18, scopes = $19, pkce_optional = $20,
		allow_plain_pkce = $21, id_token_alg = $22, updated_at = $23, project_id = $24, apis = $25
		WHERE id = $1`,
		c.ID, c.Name, string(c.Type), c.SecretHash, c.PreviousSecretHash, optTime(c.PreviousSecretExpiresAt),
		bytea(c.SealedSecret), c.AuthMethod, bytea(c.JWKS), c.JWKSURI, c.ResourceServer,
		c.IssueRefreshTokens, durationMicros(c.RefreshIdleTTL), durationMicros(c.RefreshAbsoluteTTL),
		texts(c.RedirectURIs), texts(c.RedirectURIPatterns), c.DefaultRedirectURI,
		texts(c.PostLogoutRedirectURIs), texts(c.Scopes), c.PKCEOptional,
		c.AllowPlainPKCE, c.IDTokenAlg, c.UpdatedAt, textOrNull(c.ProjectID), texts(c.APIs)))
}

// DeleteClient deletes the client; its auth codes, tokens and consents go
// with it through ON DELETE CASCADE, in the same statement.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if !storable(id) {
		return notFound("delete client")
	}
	return s.execOne(ctx, "delete client", `DELETE FROM clients WHERE id = $1`, id)
}
