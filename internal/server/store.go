package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres"
	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

// Store is a storage backend that can also apply its migrations.
type Store interface {
	storage.Store
	Migrate(ctx context.Context) error
}

// OpenStore opens the database a DSN names: sqlite:PATH or a PostgreSQL
// URL. It does not migrate; call Migrate.
func OpenStore(ctx context.Context, dsn string) (Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("--db %q: give a file path, e.g. sqlite:gatehouse.db", dsn)
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or postgres://user@host:5432/db?sslmode=disable", dsn)
}

// OpenMigrated opens the store and brings its schema up to date.
func OpenMigrated(ctx context.Context, dsn string) (Store, error) {
	s, err := OpenStore(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return s, nil
}

// sqlitePath returns the file of an sqlite: DSN, or "".
func sqlitePath(dsn string) string {
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return p
	}
	return ""
}

// RedactDSN hides a password in a database URL, for logs and messages.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}
