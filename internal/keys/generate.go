package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Supported JWS algorithms. ES256 is Gatehouse's default; RS256 is the
// OpenID Connect default every relying party supports (OIDC Core §15.1).
const (
	ES256 = string(jose.ES256)
	RS256 = string(jose.RS256)
	EdDSA = string(jose.EdDSA)
)

// Algorithms lists the supported algorithms, default first.
var Algorithms = []string{ES256, RS256, EdDSA}

// SupportedAlg reports whether alg is one of Algorithms.
func SupportedAlg(alg string) bool {
	for _, a := range Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

func generatePrivate(alg string) (crypto.Signer, error) {
	switch alg {
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		return rsa.GenerateKey(rand.Reader, 2048)
	case EdDSA:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
}

// newRecord generates a key for alg, published at now, that signs from
// activates until notAfter, and returns its storage record with the
// private half sealed.
func newRecord(alg string, s *sealer, now, activates, notAfter time.Time) (storage.SigningKey, error) {
	priv, err := generatePrivate(alg)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	kid := secret.NewID()
	pub := jose.JSONWebKey{Key: priv.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("encode public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("encode private key: %w", err)
	}
	return storage.SigningKey{
		ID:          kid,
		Alg:         alg,
		PublicJWK:   pubJSON,
		PrivateKey:  s.seal(kid, der),
		CreatedAt:   now,
		ActivatesAt: activates,
		NotAfter:    notAfter,
	}, nil
}

// decode turns a record back into a usable key pair.
func decode(rec storage.SigningKey, s *sealer) (Key, error) {
	k := keyTimes(rec)
	pub, err := publicOf(rec)
	if err != nil {
		return Key{}, err
	}
	der, err := s.open(rec.ID, rec.PrivateKey)
	if err != nil {
		return Key{}, fmt.Errorf("key %s: %w", rec.ID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return Key{}, fmt.Errorf("decode private key %s: %w", rec.ID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return Key{}, fmt.Errorf("key %s is not a signing key", rec.ID)
	}
	k.Public, k.Private = pub, signer
	return k, nil
}
