package sqlite

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const keyColumns = `id, alg, public_jwk, private_key, created_at, not_after`

// CreateSigningKey stores a new signing key.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	return s.exec(ctx, "create signing key",
		`INSERT INTO signing_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.Alg, blobOf(k.PublicJWK), blobOf(k.PrivateKey), micros(k.CreatedAt), micros(k.NotAfter))
}

// ListSigningKeys returns every key ordered by creation time, then ID.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list signing keys", err)
	}
	defer rows.Close()
	keys := []storage.SigningKey{}
	for rows.Next() {
		var k storage.SigningKey
		err := rows.Scan(&k.ID, &k.Alg, blob{&k.PublicJWK}, blob{&k.PrivateKey},
			microTime{&k.CreatedAt}, microTime{&k.NotAfter})
		if err != nil {
			return nil, wrap("list signing keys", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list signing keys", err)
	}
	return keys, nil
}
