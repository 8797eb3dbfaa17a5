package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// sealer encrypts and authenticates the console's cookie values with
// AES-256-GCM, so the browser holds them but can neither read nor change
// them. The purpose is the additional data: a value sealed as one kind of
// cookie cannot be replayed as another.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("console: the session key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("console: session key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("console: session key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns v, JSON-encoded and sealed, as a cookie-safe string.
func (s *sealer) seal(purpose string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("seal %s: %w", purpose, err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // never fails
	out := s.aead.Seal(nonce, nonce, plain, []byte("gatehouse console "+purpose))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// open reverses seal; any tampering, or a value sealed for another
// purpose, gives an error.
func (s *sealer) open(purpose, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return errors.New("open: malformed value")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte("gatehouse console "+purpose))
	if err != nil {
		return errors.New("open: not sealed by this server")
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	return nil
}
