package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// NewToken returns a URL-safe random string carrying 256 bits of entropy.
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewID returns a shorter random identifier (128 bits) for records that are
// public but must not be enumerable, such as client IDs. It is lower-case
// base32, so it never starts with '-' (which a command line would take for
// a flag) and reads unambiguously.
func NewID() string {
	return strings.ToLower(rand.Text())
}

// Hash returns the storage form of a high-entropy token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// HashFor returns the storage form of a token that only owner may use,
// such as an authorization code bound to its client: looked up with any
// other owner, the token is simply not found, so another client can
// neither redeem nor burn it (RFC 6749 §4.1.3).
func HashFor(owner, token string) string {
	return Hash(owner + "\x00" + token)
}

// PublicTag derives an identifier that can be shown to others from a
// private key, such as the sid claim from a session's storage key: it
// names the same thing but cannot be turned back into the key.
func PublicTag(purpose, key string) string {
	return Hash(purpose + "\x00" + key)[:22]
}

// Equal compares two secrets in time independent of where they differ.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// HashPrefix returns a short, non-reversible tag of a secret for logs, so
// that log lines can be correlated without revealing the secret.
func HashPrefix(token string) string {
	return Hash(token)[:8]
}
