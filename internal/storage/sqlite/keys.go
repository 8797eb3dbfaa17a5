package sqlite

import (
	"context"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const keyColumns = `id, alg, public_jwk, private_key, created_at, activates_at, not_after`

func scanKey(r row) (storage.SigningKey, error) {
	var k storage.SigningKey
	err := r.Scan(&k.ID, &k.Alg, blob{&k.PublicJWK}, blob{&k.PrivateKey},
		microTime{&k.CreatedAt}, microTime{&k.ActivatesAt}, microTime{&k.NotAfter})
	return k, err
}

// CreateSigningKey stores a new signing key.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	return s.exec(ctx, "create signing key",
		`INSERT INTO signing_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Alg, blobOf(k.PublicJWK), blobOf(k.PrivateKey),
		micros(k.CreatedAt), micros(k.ActivatesAt), micros(k.NotAfter))
}

// UpdateSigningKey sets when the key starts and stops signing.
func (s *Store) UpdateSigningKey(ctx context.Context, id string, activatesAt, notAfter time.Time) error {
	return s.execOne(ctx, "update signing key",
		`UPDATE signing_keys SET activates_at = ?, not_after = ? WHERE id = ?`,
		micros(activatesAt), micros(notAfter), id)
}

// DeleteSigningKey deletes the key.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete signing key", `DELETE FROM signing_keys WHERE id = ?`, id)
}

// ListSigningKeys returns every key ordered by creation time, then ID.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list signing keys", err)
	}
	return collect(rows, "list signing keys", scanKey)
}
