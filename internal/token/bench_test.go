package token

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
)

// Micro-benchmarks of minting and verification per algorithm (`make
// bench`). They measure, they do not assert speed.

func benchService(b *testing.B, alg string) *Service {
	b.Helper()
	_, ring := newService(b, time.Now)
	return New(ring, issuer, alg, time.Now)
}

func BenchmarkMintAccessToken(b *testing.B) {
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			s := benchService(b, alg)
			ctx := context.Background()
			p := AccessParams{Subject: "user-1", ClientID: "client-1", Audience: []string{issuer},
				Scopes: []string{"openid", "profile", "api:read"}, AuthTime: time.Now(), TTL: 10 * time.Minute}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.MintAccessToken(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMintIDToken(b *testing.B) {
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			s := benchService(b, alg)
			ctx := context.Background()
			p := IDParams{Subject: "user-1", ClientID: "client-1", Nonce: "n-0S6_WzA2Mj", AuthTime: time.Now(),
				AccessToken: "eyJhbGciOiJFUzI1NiJ9.e30.sig", SessionID: "sid-1", Alg: alg, TTL: 10 * time.Minute,
				Claims: map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.MintIDToken(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyAccessToken(b *testing.B) {
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			s := benchService(b, alg)
			ctx := context.Background()
			m, err := s.MintAccessToken(ctx, AccessParams{Subject: "user-1", ClientID: "client-1", Audience: []string{issuer},
				Scopes: []string{"openid"}, TTL: 10 * time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.VerifyAccessToken(ctx, m.Raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
