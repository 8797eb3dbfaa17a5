package postgres

import (
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
	"github.com/gatehouse-dev/gatehouse/internal/storage/storagetest"
)

func TestBulkCreateTokens(t *testing.T) {
	s := open(t, pgtest.NewDatabase(t))
	defer s.Close()
	storagetest.TestBulkCreateTokens(t, s, s.BulkCreateTokens)
}
