package postgres

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// roundTrips counts the statements and batches a connection sends: each
// is one network round trip (statements prepared earlier on the
// connection; preparing one costs another, which the tracer does not see).
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// TestRoundTrips pins the round trips of the token endpoint's writes, which
// wait for the network while they hold a connection (and the audit
// append, the trail-wide lock). Each operation runs once first so that
// its statements are prepared on the pool's only connection.
func TestRoundTrips(t *testing.T) {
	ctx := t.Context()
	var rt roundTrips
	s, err := openWith(ctx, pgtest.NewDatabase(t), func(c *pgxpool.Config) {
		c.MaxConns = 1
		c.ConnConfig.Tracer = &rt
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.CreateUser(ctx, storage.User{ID: "u1", Email: "u1@example.com", PasswordHash: "x",
		CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, storage.Client{ID: "c1", Name: "c1", Type: storage.ClientWeb,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	token := func(id string, kind storage.TokenKind) storage.Token {
		return storage.Token{ID: id, Kind: kind, GrantID: "g-" + id, ClientID: "c1", UserID: "u1",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	code := func(hash string) storage.AuthCode {
		return storage.AuthCode{Hash: hash, GrantID: "g-" + hash, ClientID: "c1", UserID: "u1",
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	}
	for _, tc := range []struct {
		name string
		want int64
		run  func(i string) error
	}{
		{"CreateToken", 1, func(i string) error { return s.CreateToken(ctx, token("a"+i, storage.TokenAccess)) }},
		{"RotateRefreshToken", 1, func(i string) error {
			if err := s.CreateToken(ctx, token("r"+i, storage.TokenRefresh)); err != nil {
				return err
			}
			rt.n.Store(0)
			_, err := s.RotateRefreshToken(ctx, "r"+i, token("n"+i, storage.TokenRefresh), now)
			return err
		}},
		{"ConsumeAuthCode", 1, func(i string) error {
			if err := s.CreateAuthCode(ctx, code("h"+i)); err != nil {
				return err
			}
			rt.n.Store(0)
			_, err := s.ConsumeAuthCode(ctx, "h"+i, now)
			return err
		}},
		{"AppendAuditBatch", 2, func(string) error {
			r := storage.AuditRecord{Time: now, Actor: "cli", Action: "token.issued", Details: "{}"}
			_, err := s.AppendAuditBatch(ctx, []storage.AuditRecord{r, r, r})
			return err
		}},
		{"GetToken", 1, func(i string) error { _, err := s.GetToken(ctx, "a"+i); return err }},
	} {
		for _, i := range []string{"1", "2"} {
			rt.n.Store(0)
			if err := tc.run(i); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		if got := rt.n.Load(); got != tc.want {
			t.Errorf("%s: %d round trips, want %d", tc.name, got, tc.want)
		}
	}

	// A batch that fails between its BEGIN and COMMIT rolls back and
	// keeps its connection, rather than having the pool replace it.
	conns := s.pool.Stat().NewConnsCount()
	bad := token("gone", storage.TokenAccess)
	bad.ClientID = "no-such-client"
	if err := s.CreateToken(ctx, bad); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("CreateToken for a missing client: %v, want ErrNotFound", err)
	}
	if _, err := s.RotateRefreshToken(ctx, "r1", bad, now); !errors.Is(err, storage.ErrAlreadyConsumed) {
		t.Fatalf("RotateRefreshToken of a rotated token: %v, want ErrAlreadyConsumed", err)
	}
	if err := s.CreateToken(ctx, token("after", storage.TokenAccess)); err != nil {
		t.Fatalf("CreateToken after a refused one: %v", err)
	}
	if n := s.pool.Stat().NewConnsCount(); n != conns {
		t.Errorf("the pool opened %d connections after a failed batch", n-conns)
	}
}
