package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCache checks that repeated queries reuse one prepared
// statement, that a script of several statements is not cached, and that
// the cache stays bounded.
func TestStatementCache(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	defer s.Close()
	ctx := context.Background()
	count := func() int {
		s.db.mu.RLock()
		defer s.db.mu.RUnlock()
		return len(s.db.stmts)
	}
	before := count()
	for range 3 {
		if _, err := s.GetClient(ctx, "nobody"); err == nil {
			t.Fatal("GetClient of an unknown ID succeeded")
		}
	}
	if got := count(); got != before+1 {
		t.Errorf("three GetClient calls cached %d statements, want 1", got-before)
	}
	if _, err := s.db.ExecContext(ctx, "SELECT 1; SELECT 2"); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before+1 {
		t.Errorf("a two-statement script was cached")
	}
	for i := range maxCachedStatements + 10 {
		var n int
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT ? + %d", i), 1).Scan(&n); err != nil || n != 1+i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if got := count(); got > maxCachedStatements {
		t.Errorf("cache holds %d statements, want at most %d", got, maxCachedStatements)
	}
}
