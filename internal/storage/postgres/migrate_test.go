package postgres

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
	"github.com/gatehouse-dev/gatehouse/internal/storage/storagetest"
)

// TestMigrateExistingRows fills a database at schema version 2 with the
// rows storagetest.CheckMigratedV2 describes, migrates it, and checks them.
func TestMigrateExistingRows(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, pgtest.NewDatabase(t))
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
	for _, q := range []string{
		`INSERT INTO users VALUES ('u1', 'u1@example.com', 'U', 'hash', '{}', false, $1, $1)`,
		`INSERT INTO clients VALUES ('c1', 'C', 'web', 'sh', '{}', '{}', '', '{}', '{}', false, false, '', $1, $1)`,
		`INSERT INTO tokens VALUES ('t1', 'refresh', 'g1', 'c1', 'u1', '{}', $1, $1, NULL)`,
		`INSERT INTO signing_keys VALUES ('k1', 'ES256', '\x7b7d', '\x00', $1, $1::timestamptz + interval '1 second')`,
	} {
		if _, err := s.pool.Exec(ctx, q, created); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storagetest.CheckMigratedV2(t, s, created)
}
