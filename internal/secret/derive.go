package secret

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// MinMasterSecretLen is the shortest master secret Gatehouse accepts.
const MinMasterSecretLen = 32

// DeriveKey derives a 32-byte key for one purpose from the master secret
// (HKDF-SHA256, RFC 5869), so that each use gets an independent key and the
// master secret itself never keys anything directly.
func DeriveKey(master []byte, purpose string) ([]byte, error) {
	if len(master) < MinMasterSecretLen {
		return nil, fmt.Errorf("master secret is %d bytes; at least %d are needed", len(master), MinMasterSecretLen)
	}
	return hkdf.Key(sha256.New, master, nil, "gatehouse "+purpose, 32)
}
