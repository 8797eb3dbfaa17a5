package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
	"github.com/gatehouse-dev/gatehouse/internal/storage/storagetest"
)

// open returns a migrated store on the database at url.
func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return open(t, pgtest.NewDatabase(t))
	})
}

// TestShared races stores on one database, as replicas would.
func TestShared(t *testing.T) {
	storagetest.RunShared(t, func(t *testing.T) []storage.Store {
		url := pgtest.NewDatabase(t)
		return []storage.Store{open(t, url), open(t, url), open(t, url)}
	})
}

// TestStoreICU runs the suite on databases whose default collation is a
// natural-language one, as on many production servers: orderings must still
// be byte order, as on SQLite.
func TestStoreICU(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return open(t, pgtest.NewDatabaseICU(t, "en-US"))
	})
}

// TestMigrateConcurrent migrates one new database from several stores at
// once, as replicas starting together would, then again.
func TestMigrateConcurrent(t *testing.T) {
	url := pgtest.NewDatabase(t)
	const n = 4
	stores := make([]*Store, n)
	for i := range stores {
		s, err := Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	if err := stores[0].Migrate(t.Context()); err != nil {
		t.Errorf("Migrate again: %v", err)
	}

	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var count, maxVersion int
	err = stores[0].pool.QueryRow(t.Context(),
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&count, &maxVersion)
	if err != nil {
		t.Fatal(err)
	}
	if count != len(ms) || maxVersion != ms[len(ms)-1].version {
		t.Errorf("schema_migrations has %d rows up to version %d; want %d up to %d",
			count, maxVersion, len(ms), ms[len(ms)-1].version)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, url := range []string{
		"postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5",
		"postgres://%zz",
		"not a url",
	} {
		if s, err := Open(t.Context(), url); err == nil {
			s.Close()
			t.Errorf("Open(%q): got nil error", url)
		}
	}
}
