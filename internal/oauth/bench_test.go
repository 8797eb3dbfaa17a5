package oauth

import "testing"

// BenchmarkVerifyPKCE measures the S256 check of /token (RFC 7636 §4.6);
// BenchmarkMatchRedirectURI (redirect_test.go) covers redirect matching.
func BenchmarkVerifyPKCE(b *testing.B) {
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	challenge := S256Challenge(verifier)
	b.ReportAllocs()
	for b.Loop() {
		if !VerifyPKCE(PKCES256, challenge, verifier) {
			b.Fatal("verifier refused")
		}
	}
}
