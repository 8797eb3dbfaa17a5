package postgres

import (
	"context"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// BulkCreateTokens inserts tokens in one transaction, for filling a test
// database quickly (`gatehouse-load scale`): one commit instead of one
// per token. Unlike CreateToken it does not check for revoked grants, so
// the server must not use it.
func (s *Store) BulkCreateTokens(ctx context.Context, tokens []storage.Token) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("bulk create tokens: %w", err)
	}
	defer tx.Rollback(ctx)
	for _, t := range tokens {
		if err := insertToken(ctx, tx, t); err != nil {
			return wrap("bulk create tokens", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("bulk create tokens: %w", err)
	}
	return nil
}
