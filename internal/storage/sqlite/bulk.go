package sqlite

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// BulkCreateTokens inserts tokens in one transaction, for filling a test
// database quickly (`gatehouse-load scale`): one commit instead of one
// per token. Unlike CreateToken it does not check for revoked grants, so
// the server must not use it.
func (s *Store) BulkCreateTokens(ctx context.Context, tokens []storage.Token) error {
	tx, err := s.db.begin(ctx)
	if err != nil {
		return wrap("bulk create tokens", err)
	}
	defer tx.Rollback()
	for _, t := range tokens {
		if err := insertToken(ctx, tx, t); err != nil {
			return wrap("bulk create tokens", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap("bulk create tokens", err)
	}
	return nil
}
