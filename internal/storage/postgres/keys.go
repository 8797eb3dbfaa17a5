package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const keyColumns = `id, alg, public_jwk, private_key, created_at, not_after`

// CreateSigningKey stores a new signing key.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	return s.exec(ctx, "create signing key",
		`INSERT INTO signing_keys (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.Alg, bytea(k.PublicJWK), bytea(k.PrivateKey), k.CreatedAt, k.NotAfter)
}

// ListSigningKeys returns every key ordered by creation time, then ID.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+` FROM signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list signing keys", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (storage.SigningKey, error) {
		var k storage.SigningKey
		err := r.Scan(&k.ID, &k.Alg, &k.PublicJWK, &k.PrivateKey, &k.CreatedAt, &k.NotAfter)
		nonNil(&k.PublicJWK)
		nonNil(&k.PrivateKey)
		return k, err
	})
	if err != nil {
		return nil, wrap("list signing keys", err)
	}
	nonNil(&keys)
	return keys, nil
}
