package storagetest

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Bench benchmarks the store operations on the hot path of the token
// endpoint and /authorize (`make bench`). open must return a new, empty,
// migrated store; each sub-benchmark gets its own. Records are created
// as the server creates them: one code, token or rotation per operation.
func Bench(b *testing.B, open func(b *testing.B) storage.Store) {
	benches := []struct {
		name string
		fn   func(b *testing.B, s storage.Store, now time.Time)
	}{
		{"GetClient", benchGetClient},
		{"CreateAuthCode", benchCreateAuthCode},
		{"ConsumeAuthCode", benchConsumeAuthCode},
		{"CreateToken", benchCreateToken},
		{"GetToken", benchGetToken},
		{"RotateRefreshToken", benchRotateRefreshToken},
		{"IssueParallel", benchIssueParallel},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			s := open(b)
			now := time.Now().UTC().Truncate(time.Microsecond)
			benchFixture(b, s, now)
			b.ReportAllocs()
			b.ResetTimer()
			bb.fn(b, s, now)
		})
	}
}

// benchFixture adds the user and client every record refers to.
func benchFixture(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	if err := s.CreateUser(ctx, storage.User{ID: "u1", Email: "u1@example.com", Name: "U1",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateClient(ctx, storage.Client{ID: "c1", Name: "C1", Type: storage.ClientWeb, SecretHash: "h",
		RedirectURIs: []string{"https://app.example.com/callback"}, Scopes: []string{"api:read"}, CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
}

func benchCode(i int, now time.Time) storage.AuthCode {
	c := newCode(fmt.Sprintf("code-%d", i), "c1", "u1", fmt.Sprintf("grant-%d", i))
	c.AuthTime, c.CreatedAt, c.ExpiresAt = now, now, now.Add(time.Minute)
	return c
}

func benchToken(id string, kind storage.TokenKind, grant string, now time.Time) storage.Token {
	t := newToken(id, kind, grant, "c1", "u1")
	t.AuthTime, t.CreatedAt, t.ExpiresAt = now, now, now.Add(time.Hour)
	if kind == storage.TokenRefresh {
		t.GrantExpiresAt = now.Add(24 * time.Hour)
	}
	return t
}

func benchGetClient(b *testing.B, s storage.Store, _ time.Time) {
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.GetClient(ctx, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCreateAuthCode(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if err := s.CreateAuthCode(ctx, benchCode(i, now)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchConsumeAuthCode(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		if err := s.CreateAuthCode(ctx, benchCode(i, now)); err != nil {
			b.Fatal(err)
		}
	}
	b.StartTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.ConsumeAuthCode(ctx, fmt.Sprintf("code-%d", i), now); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCreateToken(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if err := s.CreateToken(ctx, benchToken(fmt.Sprintf("at-%d", i), storage.TokenAccess, "g1", now)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGetToken(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	b.StopTimer()
	const n = 1000
	for i := range n {
		if err := s.CreateToken(ctx, benchToken(fmt.Sprintf("at-%d", i), storage.TokenAccess, "g1", now)); err != nil {
			b.Fatal(err)
		}
	}
	b.StartTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.GetToken(ctx, fmt.Sprintf("at-%d", i%n)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRotateRefreshToken(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	old := "rt-0"
	if err := s.CreateToken(ctx, benchToken(old, storage.TokenRefresh, "g1", now)); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= b.N; i++ {
		next := benchToken(fmt.Sprintf("rt-%d", i), storage.TokenRefresh, "g1", now)
		if _, err := s.RotateRefreshToken(ctx, old, next, now); err != nil {
			b.Fatal(err)
		}
		old = next.ID
	}
}

// benchIssueParallel is what the token endpoint does for each client
// credentials token, from 16 concurrent requests as in the load test:
// store the token, then append its audit record. It shows what the
// backend makes of concurrent writes (SQLite combines them, see
// sqlite/combine.go).
func benchIssueParallel(b *testing.B, s storage.Store, now time.Time) {
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("at-%d", n.Add(1))
			if err := s.CreateToken(ctx, benchToken(id, storage.TokenAccess, id, now)); err != nil {
				b.Fatal(err)
			}
			rec := storage.AuditRecord{Time: now, Actor: "c1", Action: "token.issued", ClientID: "c1", Target: id, Details: `{"grant_type":"client_credentials"}`}
			if _, err := s.AppendAudit(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}
