package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
)

// sealer encrypts private keys at rest. The key ID is bound as additional
// data, so a ciphertext moved to another row does not decrypt.
type sealer struct{ aead cipher.AEAD }

func newSealer(master []byte) (*sealer, error) {
	k, err := secret.DeriveKey(master, "signing-key encryption v1")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("key encryption: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("key encryption: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(kid string, plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, []byte(kid))
}

// errWrongSecret means a key cannot be decrypted: the master secret differs
// from the one that encrypted it.
var errWrongSecret = errors.New("cannot decrypt signing key: is this the master secret the keys were created with?")

func (s *sealer) open(kid string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errWrongSecret
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(kid))
	if err != nil {
		return nil, errWrongSecret
	}
	return plain, nil
}
