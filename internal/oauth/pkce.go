package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE code challenge methods (RFC 7636 §4.2).
const (
	PKCES256  = "S256"
	PKCEPlain = "plain"
)

// ValidPKCEValue reports whether s is a well-formed code_verifier or
// code_challenge: 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func ValidPKCEValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// VerifyPKCE checks a code_verifier against the challenge recorded with the
// authorization code (RFC 7636 §4.6), in constant time.
func VerifyPKCE(method, challenge, verifier string) bool {
	if !ValidPKCEValue(verifier) {
		return false
	}
	var derived string
	switch method {
	case PKCES256:
		sum := sha256.Sum256([]byte(verifier))
		derived = base64.RawURLEncoding.EncodeToString(sum[:])
	case PKCEPlain:
		derived = verifier
	default:
		return false
	}
	return subtle.ConstantTimeCompare([]byte(derived), []byte(challenge)) == 1
}

// S256Challenge derives the S256 code_challenge of a verifier.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
