package token

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
)

// TestDirectSigningMatchesJose checks, for every algorithm, that the
// tokens sign writes directly have go-jose's header byte for byte, the
// payload as encoded, a signature of the JWS length, and verify with
// go-jose under the signing key.
func TestDirectSigningMatchesJose(t *testing.T) {
	ctx := context.Background()
	s, ring := newService(t, time.Now)
	sigLen := map[string]int{keys.ES256: 64, keys.RS256: 256, keys.EdDSA: 64}
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			k, err := ring.Signer(ctx, alg)
			if err != nil {
				t.Fatal(err)
			}
			payload := []byte(`{"iss":"https://id.example.com","sub":"u1"}`)
			want, err := signWithJose(k, alg, TypeAccessToken, payload)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second from the header cache
				got, err := s.sign(ctx, alg, TypeAccessToken, map[string]string{"iss": "https://id.example.com", "sub": "u1"})
				if err != nil {
					t.Fatal(err)
				}
				gotParts, wantParts := strings.Split(got, "."), strings.Split(want, ".")
				if len(gotParts) != 3 || gotParts[0] != wantParts[0] || gotParts[1] != wantParts[1] {
					t.Fatalf("token %q, want header and payload of %q", got, want)
				}
				sig, err := base64.RawURLEncoding.DecodeString(gotParts[2])
				if err != nil || len(sig) != sigLen[alg] {
					t.Errorf("signature %d bytes (%v), want %d", len(sig), err, sigLen[alg])
				}
				obj, err := jose.ParseSignedCompact(got, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
				if err != nil {
					t.Fatal(err)
				}
				out, err := obj.Verify(k.Public.Key)
				if err != nil || string(out) != string(payload) {
					t.Errorf("go-jose verification: %q, %v", out, err)
				}
			}
		})
	}
}
