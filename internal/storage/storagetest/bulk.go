package storagetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestBulkCreateTokens checks a backend's BulkCreateTokens (the scale
// fill of gatehouse-load): every token is stored as CreateToken would
// store it, and a batch with a taken ID stores none.
func TestBulkCreateTokens(t *testing.T, s storage.Store, bulk func(ctx context.Context, tokens []storage.Token) error) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	var batch []storage.Token
	for i := range 3 {
		tok := newToken(fmt.Sprintf("bulk-%d", i), storage.TokenAccess, "g1", "c1", "u1")
		if i == 2 {
			tok = newToken("bulk-2", storage.TokenRefresh, "g1", "c1", "u1")
			tok.GrantExpiresAt = at(24 * time.Hour)
		}
		batch = append(batch, tok)
	}
	if err := bulk(ctx, batch); err != nil {
		t.Fatalf("BulkCreateTokens: %v", err)
	}
	for _, want := range batch {
		got, err := s.GetToken(ctx, want.ID)
		if err != nil {
			t.Fatalf("GetToken(%s): %v", want.ID, err)
		}
		if d := diff(normalize(want), got); d != "" {
			t.Errorf("GetToken(%s) after BulkCreateTokens:\n%s", want.ID, d)
		}
	}
	dup := []storage.Token{newToken("bulk-new", storage.TokenAccess, "g1", "c1", "u1"), batch[0]}
	if err := bulk(ctx, dup); err == nil {
		t.Fatal("a batch with a taken ID was stored")
	}
	if _, err := s.GetToken(ctx, "bulk-new"); err == nil {
		t.Error("a failed batch stored some of its tokens")
	}
}
