package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const clientColumns = `id, name, type, secret_hash, redirect_uris, redirect_uri_patterns,
	default_redirect_uri, post_logout_redirect_uris, scopes, pkce_optional, allow_plain_pkce,
	id_token_alg, created_at, updated_at`

func scanClient(r pgx.Row) (storage.Client, error) {
	var c storage.Client
	err := r.Scan(&c.ID, &c.Name, &c.Type, &c.SecretHash, &c.RedirectURIs, &c.RedirectURIPatterns,
		&c.DefaultRedirectURI, &c.PostLogoutRedirectURIs, &c.Scopes, &c.PKCEOptional, &c.AllowPlainPKCE,
		&c.IDTokenAlg, &c.CreatedAt, &c.UpdatedAt)
	nonNil(&c.RedirectURIs)
	nonNil(&c.RedirectURIPatterns)
	nonNil(&c.PostLogoutRedirectURIs)
	nonNil(&c.Scopes)
	return c, err
}

// CreateClient stores a new client.
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	return s.exec(ctx, "create client",
		`INSERT INTO clients (`+clientColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.Name, string(c.Type), c.SecretHash, texts(c.RedirectURIs), texts(c.RedirectURIPatterns),
		c.DefaultRedirectURI, texts(c.PostLogoutRedirectURIs), texts(c.Scopes), c.PKCEOptional, c.AllowPlainPKCE,
		c.IDTokenAlg, c.CreatedAt, c.UpdatedAt)
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
	clients, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (storage.Client, error) { return scanClient(r) })
	if err != nil {
		return nil, wrap("list clients", err)
	}
	nonNil(&clients)
	return clients, nil
}

// UpdateClient replaces every field of the client but ID and CreatedAt.
func (s *Store) UpdateClient(ctx context.Context, c storage.Client) error {
	return s.execOne(ctx, "update client", `UPDATE clients SET
		name = $2, type = $3, secret_hash = $4, redirect_uris = $5, redirect_uri_patterns = $6,
		default_redirect_uri = $7, post_logout_redirect_uris = $8, scopes = $9, pkce_optional = $10,
		allow_plain_pkce = $11, id_token_alg = $12, updated_at = $13
		WHERE id = $1`,
		c.ID, c.Name, string(c.Type), c.SecretHash, texts(c.RedirectURIs), texts(c.RedirectURIPatterns),
		c.DefaultRedirectURI, texts(c.PostLogoutRedirectURIs), texts(c.Scopes), c.PKCEOptional,
		c.AllowPlainPKCE, c.IDTokenAlg, c.UpdatedAt)
}

// DeleteClient deletes the client; its auth codes, tokens and consents go
// with it through ON DELETE CASCADE, in the same statement.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if !storable(id) {
		return notFound("delete client")
	}
	return s.execOne(ctx, "delete client", `DELETE FROM clients WHERE id = $1`, id)
}
