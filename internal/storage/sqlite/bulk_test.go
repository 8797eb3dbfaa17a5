package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage/storagetest"
)

func TestBulkCreateTokens(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	defer s.Close()
	storagetest.TestBulkCreateTokens(t, s, s.BulkCreateTokens)
}
