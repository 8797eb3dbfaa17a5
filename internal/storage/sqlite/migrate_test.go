package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage/storagetest"
)

// TestMigrateExistingRows fills a database at schema version 2 with the
// rows storagetest.CheckMigratedV2 describes, migrates it, and checks them.
func TestMigrateExistingRows(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version <= 2 {
			if err := s.apply(ctx, m); err != nil {
				t.Fatalf("apply %s: %v", m.name, err)
			}
		}
	}
	created := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	c := micros(created)
	for _, q := range []string{
		`INSERT INTO users VALUES ('u1', 'u1@example.com', 'U', 'hash', '[]', 0, ?1, ?1)`,
		`INSERT INTO clients VALUES ('c1', 'C', 'web', 'sh', '[]', '[]', '', '[]', '[]', 0, 0, '', ?1, ?1)`,
		`INSERT INTO tokens VALUES ('t1', 'refresh', 'g1', 'c1', 'u1', '[]', ?1, ?1, NULL)`,
		`INSERT INTO signing_keys VALUES ('k1', 'ES256', x'7b7d', x'00', ?1, ?1 + 1000000)`,
	} {
		if _, err := s.db.ExecContext(ctx, q, c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	storagetest.CheckMigratedV2(t, s, created)
}
