package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const keyColumns = `id, alg, public_jwk, private_key, created_at, activates_at, not_after`

func scanKey(r pgx.Row) (storage.SigningKey, error) {
	var k storage.SigningKey
	err := r.Scan(&k.ID, &k.Alg, &k.PublicJWK, &k.PrivateKey, &k.CreatedAt, &k.ActivatesAt, &k.NotAfter)
	nonNil(&k.PublicJWK)
	nonNil(&k.PrivateKey)
	return k, err
}

// CreateSigningKey stores a new signing key.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	return s.exec(ctx, "create signing key",
		`INSERT INTO signing_keys (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.Alg, bytea(k.PublicJWK), bytea(k.PrivateKey), k.CreatedAt, k.ActivatesAt, k.NotAfter)
}

// UpdateSigningKey sets when the key starts and stops signing.
func (s *Store) UpdateSigningKey(ctx context.Context, id string, activatesAt, notAfter time.Time) error {
	if !storable(id) {
		return notFound("update signing key")
	}
	return s.execOne(ctx, "update signing key",
		`UPDATE signing_keys SET activates_at = $2, not_after = $3 WHERE id = $1`, id, activatesAt, notAfter)
}

// DeleteSigningKey deletes the key.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	if !storable(id) {
		return notFound("delete signing key")
	}
	return s.execOne(ctx, "delete signing key", `DELETE FROM signing_keys WHERE id = $1`, id)
}

// ListSigningKeys returns every key ordered by creation time, then ID.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+` FROM signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list signing keys", err)
	}
	return collect(rows, "list signing keys", scanKey)
}
