package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/storagetest"
)

// open returns a migrated store on a new file in a temporary directory.
func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
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
		return open(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	})
}

// TestShared races stores on one file, as the server and the CLI, or two
// processes, would.
func TestShared(t *testing.T) {
	storagetest.RunShared(t, func(t *testing.T) []storage.Store {
		path := filepath.Join(t.TempDir(), "gatehouse.db")
		return []storage.Store{open(t, path), open(t, path), open(t, path)}
	})
}

// TestPragmas checks every pooled connection, not only the first, has the
// settings the DSN asks for.
func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	defer s.Close()
	ctx := t.Context()
	var conns []interface{ Close() error }
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 3 {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		for pragma, want := range map[string]string{
			"journal_mode": "wal",
			"foreign_keys": "1",
			"busy_timeout": "5000",
			"synchronous":  "1", // NORMAL
		} {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", pragma, err)
			}
			if got != want {
				t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
			}
		}
	}
}

// TestOpenPath checks a file name holding URI syntax is used as it is.
func TestOpenPath(t *testing.T) {
	dir := t.TempDir()
	name := "odd name?mode=ro#x%41.db"
	s := open(t, filepath.Join(dir, name))
	defer s.Close()
	if err := s.CreateUser(t.Context(), storage.User{ID: "u1", Email: "u1@example.com"}); err != nil {
		t.Fatalf("write to %q: %v", name, err)
	}
	matches, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{name: true, name + "-wal": true, name + "-shm": true}
	for _, m := range matches {
		if !want[filepath.Base(m)] {
			t.Errorf("unexpected file %q in %v", filepath.Base(m), matches)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	for _, path := range []string{"", ":memory:", filepath.Join(t.TempDir(), "missing", "dir", "x.db")} {
		if s, err := Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q): got nil error", path)
		}
	}
}

// TestMigrateConcurrent migrates one new file from several stores at once,
// as replicas or a CLI and a server starting together would, then again.
func TestMigrateConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	const n = 4
	stores := make([]*Store, n)
	for i := range stores {
		s, err := Open(t.Context(), path)
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
	err = stores[0].db.QueryRowContext(t.Context(),
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&count, &maxVersion)
	if err != nil {
		t.Fatal(err)
	}
	if count != len(ms) || maxVersion != ms[len(ms)-1].version {
		t.Errorf("schema_migrations has %d rows up to version %d; want %d up to %d",
			count, maxVersion, len(ms), ms[len(ms)-1].version)
	}
}
