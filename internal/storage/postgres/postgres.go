package postgres

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
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

// defaultMaxConns is the pool size unless the connection string sets
// pool_max_conns. pgxpool's own default, the number of CPUs and at least
// 4, suits CPU-bound work; a token request here mostly waits for a commit
// (a WAL flush) while holding its connection, and with 4 connections 16
// concurrent requests queued for the pool rather than for the disk, and
// PostgreSQL could not flush their commits together.
const defaultMaxConns = 16

// Open connects to the database at url, a postgres:// URL or a key=value
// connection string, and checks that it answers. It does not create the
// schema; call Migrate for that.
func Open(ctx context.Context, url string) (*Store, error) {
	return openWith(ctx, url, nil)
}

// openWith is Open, with configure (if not nil) applied to the pool's
// configuration last.
func openWith(ctx context.Context, url string, configure func(*pgxpool.Config)) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if !setsPoolMaxConns(url) {
		cfg.MaxConns = defaultMaxConns
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
	if configure != nil {
		configure(cfg)
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

// batch sends b to the server in one round trip, on one connection of the
// pool, and passes its results to read, which must read them in order and
// may stop at the first error. The statements of b share one implicit
// transaction, committed when the last one has run, unless b says BEGIN and
// COMMIT itself: a statement queued after a COMMIT runs in a transaction of
// its own, which starts after that commit. When a statement fails, the
// server skips the rest of b; a transaction left open (failed between
// BEGIN and COMMIT, or read stopped early) is rolled back before the
// connection goes back to the pool.
func (s *Store) batch(ctx context.Context, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	br := c.SendBatch(ctx, b)
	err = read(br)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if c.Conn().PgConn().TxStatus() != 'I' {
		// If this fails too, Release closes the connection, which
		// rolls back.
		_, _ = c.Exec(ctx, "ROLLBACK")
	}
	return err
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

// setsPoolMaxConns reports whether the connection string, a URL or
// key=value pairs, sets pool_max_conns (a password containing the words
// does not count).
func setsPoolMaxConns(conn string) bool {
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		u, err := neturl.Parse(conn)
		return err == nil && u.Query().Has("pool_max_conns")
	}
	for _, field := range strings.Fields(conn) {
		if strings.HasPrefix(field, "pool_max_conns=") {
			return true
		}
	}
	return false
}
