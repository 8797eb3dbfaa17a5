package resource_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// BenchmarkVerify measures checking a JWT access token against a cached
// JWK set, per algorithm (`make bench`).
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA, jose.RS256} {
		b.Run(string(alg), func(b *testing.B) {
			is := newIssuer(b)
			is.addKey("bench", alg, true)
			v := is.verifier(nil)
			raw := is.sign("bench", "at+jwt", is.claims())
			ctx := context.Background()
			if _, err := v.Verify(ctx, raw); err != nil { // fetches the keys once
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRequire measures the bearer middleware around a handler: the
// header parse, the ES256 check and the scope check.
func BenchmarkRequire(b *testing.B) {
	is := newIssuer(b)
	v := is.verifier(nil)
	h := v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.Header.Set("Authorization", "Bearer "+is.token(nil))
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status %d", w.Code)
		}
	}
}
