package token

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// memKeys is an in-memory keys.Store.
type memKeys struct {
	mu   sync.Mutex
	keys []storage.SigningKey
}

func (m *memKeys) CreateSigningKey(_ context.Context, k storage.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

func (m *memKeys) ListSigningKeys(context.Context) ([]storage.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.keys), nil
}

const issuer = "https://id.example.com"

func newService(t testing.TB, now func() time.Time) (*Service, *keys.Ring) {
	t.Helper()
	ring, err := keys.NewRing(&memKeys{}, []byte(strings.Repeat("k", 32)), keys.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return New(ring, issuer, keys.ES256, now), ring
}

func TestAccessTokenRoundTrip(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s, _ := newService(t, func() time.Time { return now })
	ctx := context.Background()
	m, err := s.MintAccessToken(ctx, AccessParams{Subject: "u1", ClientID: "c1", Audience: []string{issuer}, Scopes: []string{"openid", "email"}, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(m.Raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if typ := tok.Headers[0].ExtraHeaders[jose.HeaderType]; typ != "at+jwt" {
		t.Errorf("typ = %v, want at+jwt (RFC 9068 §2.1)", typ)
	}
	c, err := s.VerifyAccessToken(ctx, m.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "u1" || c.ClientID != "c1" || c.ID != m.ID || !slices.Equal(c.Scopes, []string{"openid", "email"}) ||
		!c.ExpiresAt.Equal(now.Add(time.Minute)) || !slices.Equal(c.Audience, []string{issuer}) {
		t.Errorf("claims = %+v", c)
	}
}

func TestVerifyAccessTokenRejects(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := now
	s, ring := newService(t, func() time.Time { return clock })
	ctx := context.Background()
	m, err := s.MintAccessToken(ctx, AccessParams{Subject: "u1", ClientID: "c1", Audience: []string{issuer}, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	idTok, err := s.MintIDToken(ctx, IDParams{Subject: "u1", ClientID: "c1", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	other := New(ring, "https://other.example.com", keys.ES256, func() time.Time { return clock })
	foreign, err := other.MintAccessToken(ctx, AccessParams{Subject: "u1", ClientID: "c1", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(m.Raw, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + parts[1] + "."
	tests := []struct {
		name  string
		raw   string
		later time.Duration
	}{
		{"garbage", "not.a.jwt", 0},
		{"alg none", none, 0},
		{"tampered payload", tampered, 0},
		{"ID token used as access token", idTok, 0},
		{"other issuer", foreign.Raw, 0},
		{"expired beyond leeway", m.Raw, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock = now.Add(tt.later)
			defer func() { clock = now }()
			if _, err := s.VerifyAccessToken(ctx, tt.raw); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestIDTokenClaims(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			s, ring := newService(t, func() time.Time { return now })
			ctx := context.Background()
			raw, err := s.MintIDToken(ctx, IDParams{
				Subject: "u1", ClientID: "c1", Nonce: "n-1", AuthTime: now.Add(-time.Hour),
				AccessToken: "the-access-token", Alg: alg, TTL: time.Minute, SessionID: "sid-1",
				Claims: map[string]any{"email": "a@example.com", "sub": "ignored"},
			})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			k, err := ring.Verifier(ctx, tok.Headers[0].KeyID)
			if err != nil {
				t.Fatal(err)
			}
			var c map[string]any
			if err := tok.Claims(k.Public.Key, &c); err != nil {
				t.Fatal(err)
			}
			var sum []byte
			if alg == keys.EdDSA {
				h := sha512.Sum512([]byte("the-access-token"))
				sum = h[:32]
			} else {
				h := sha256.Sum256([]byte("the-access-token"))
				sum = h[:16]
			}
			want := map[string]any{
				"iss": issuer, "sub": "u1", "aud": "c1", "azp": "c1", "nonce": "n-1", "sid": "sid-1",
				"iat": float64(now.Unix()), "exp": float64(now.Add(time.Minute).Unix()),
				"auth_time": float64(now.Add(-time.Hour).Unix()), "email": "a@example.com",
				"at_hash": base64.RawURLEncoding.EncodeToString(sum),
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claim %s = %v, want %v", k, c[k], v)
				}
			}
			hint, err := s.ParseIDTokenHint(ctx, raw)
			if err != nil || hint.Subject != "u1" || hint.SessionID != "sid-1" || !slices.Equal(hint.Audience, []string{"c1"}) {
				t.Errorf("ParseIDTokenHint = %+v, %v", hint, err)
			}
		})
	}
}

func TestParseIDTokenHintAcceptsExpired(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := now
	s, _ := newService(t, func() time.Time { return clock })
	raw, err := s.MintIDToken(context.Background(), IDParams{Subject: "u1", ClientID: "c1", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	clock = now.Add(24 * time.Hour)
	if _, err := s.ParseIDTokenHint(context.Background(), raw); err != nil {
		t.Fatalf("expired hint refused: %v", err)
	}
}
