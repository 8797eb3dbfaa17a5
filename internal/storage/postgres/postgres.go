package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Store is a storage.Store on one PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
}

var _ storage.Store = (*Store)(nil)

// Open connects to the database at url, a postgres:// URL or a key=value
// connection string, and checks that it answers. It does not create the
// schema; call Migrate for that.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		// Return timestamptz values in UTC rather than the process's
		// local zone, as storage.Store promises.
		conn.TypeMap().RegisterType(&pgtype.Type{
			Name:  "timestamptz",
			OID:   pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close closes every connection of the pool. It is safe to call more than
// once.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// uniqueViolation is the SQLSTATE of a unique or primary key violation.
const uniqueViolation = "23505"

// wrap adds op as context to err and maps driver errors to the storage
// sentinel errors.
func wrap(op string, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s: %w", op, storage.ErrNotFound)
	case errors.As(err, &pgErr) && pgErr.Code == uniqueViolation:
		return fmt.Errorf("%s: %w: %v", op, storage.ErrAlreadyExists, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// exec runs a statement, discarding its result.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) error {
	if _, err := s.pool.Exec(ctx, query, args...); err != nil {
		return wrap(op, err)
	}
	return nil
}

// execOne runs a statement that must change a row, mapping "no row" to
// storage.ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// texts is s for a text[] NOT NULL parameter: pgx sends a nil slice as NULL.
func texts(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// bytea is b for a bytea NOT NULL parameter: pgx sends a nil slice as NULL.
func bytea(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// nonNil makes a scanned slice non-nil, as storage.Store promises.
func nonNil[T any](p *[]T) {
	if *p == nil {
		*p = []T{}
	}
}

// storable reports whether every key could be stored in a text column:
// PostgreSQL refuses invalid UTF-8 and NUL bytes with an error, but a
// lookup by such a key (say, a client_id sent by an attacker) simply has
// no record, and must say so rather than fail.
func storable(keys ...string) bool {
	for _, k := range keys {
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			return false
		}
	}
	return true
}

func notFound(op string) error { return fmt.Errorf("%s: %w", op, storage.ErrNotFound) }

// optTime is t for a nullable timestamptz whose zero value means "unset":
// the zero time is stored as NULL.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromOpt is the time scanned from a nullable timestamptz; NULL is zero.
func fromOpt(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// durationMicros is d as stored: whole microseconds, rounded toward zero.
func durationMicros(d time.Duration) int64 { return int64(d / time.Microsecond) }

// collect scans every row with scan into a non-nil slice.
func collect[T any](rows pgx.Rows, op string, scan func(pgx.Row) (T, error)) ([]T, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, wrap(op, err)
	}
	nonNil(&out)
	return out, nil
}

// rowsAffected runs a statement and reports how many rows it changed.
func (s *Store) rowsAffected(ctx context.Context, op, query string, args ...any) (int, error) {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return 0, wrap(op, err)
	}
	return int(tag.RowsAffected()), nil
}
