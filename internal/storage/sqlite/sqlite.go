package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Store is a storage.Store on one SQLite database file.
type Store struct {
	db *cachedDB
	// w combines the hot path's concurrent writes into shared
	// transactions (combine.go).
	w *combiner
}

var _ storage.Store = (*Store)(nil)

// busyTimeoutMillis is how long a statement waits for another connection's
// write lock before failing with SQLITE_BUSY.
const busyTimeoutMillis = 5000

// Open opens the SQLite database at path, creating the file if it does not
// exist. It does not create the schema; call Migrate for that.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") {
		return nil, fmt.Errorf("open sqlite: need a file path, got %q", path)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Opening a connection creates the file and applies the pragmas.
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Keep idle connections (database/sql keeps 2): a connection opened
	// under load and closed after its query costs more than the query
	// (pragmas, schema read), as profiles showed.
	db.SetMaxIdleConns(maxIdleConns)
	cdb := newCachedDB(db)
	return &Store{db: cdb, w: newCombiner(cdb)}, nil
}

// maxIdleConns is how many connections stay open between bursts: enough
// for the concurrency of a busy server on a few cores.
const maxIdleConns = 32

// dsn is the driver's connection string for path. The pragmas are DSN
// parameters, not statements run once, because database/sql opens
// connections on demand and each must have them. busy_timeout comes first
// (the driver applies it first) so that switching to WAL can wait too.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// BEGIN IMMEDIATE takes the write lock at once, while the busy timeout
	// applies; a deferred transaction that reads and then writes can fail
	// with SQLITE_BUSY without waiting.
	q.Set("_txlock", "immediate")
	// A file: URI with the path escaped keeps '?' or '#' in a file name
	// from being read as the start of the parameters.
	u := url.URL{Scheme: "file", Path: path, OmitHost: true, RawQuery: q.Encode()}
	return u.String()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close closes every connection. It is safe to call more than once.
func (s *Store) Close() error {
	return s.db.Close()
}

// wrap adds op as context to err and maps driver errors to the storage
// sentinel errors.
func wrap(op string, err error) error {
	var se *sqlitedriver.Error
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", op, storage.ErrNotFound)
	case errors.As(err, &se) &&
		(se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return fmt.Errorf("%s: %w: %v", op, storage.ErrAlreadyExists, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// execOne runs a statement that must change a row, mapping "no row" to
// storage.ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// exec runs a statement, discarding its result.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) error {
	if _, err := s.db.ExecContext(ctx, query, args...); err != nil {
		return wrap(op, err)
	}
	return nil
}

// collect scans every row with scan into a non-nil slice and closes rows.
func collect[T any](rows *sql.Rows, op string, scan func(row) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// rowsAffected runs a statement and reports how many rows it changed.
func (s *Store) rowsAffected(ctx context.Context, op, query string, args ...any) (int, error) {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap(op, err)
	}
	return int(n), nil
}
