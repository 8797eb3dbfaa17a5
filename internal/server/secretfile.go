package server

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
)

// LoadMasterSecret reads the master secret that encrypts signing keys and
// keys the CSRF tokens. With no --secret-file and an SQLite database, the
// secret lives beside the database file and is created on first start, so
// that `gatehouse serve` needs no setup. PostgreSQL deployments, where
// replicas must share it, have to name the file.
func LoadMasterSecret(path, dsn string) ([]byte, error) {
	create := false
	if path == "" {
		db := sqlitePath(dsn)
		if db == "" {
			return nil, errors.New("--secret-file is required with PostgreSQL: every replica must use the same master secret (create one with: head -c 32 /dev/urandom | base64 > gatehouse.secret)")
		}
		path, create = db+".secret", true
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return createSecretFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read master secret: %w", err)
	}
	b = bytes.TrimSpace(b)
	if len(b) < secret.MinMasterSecretLen {
		return nil, fmt.Errorf("master secret in %s is %d bytes; use at least %d random bytes (e.g. head -c 32 /dev/urandom | base64)", path, len(b), secret.MinMasterSecretLen)
	}
	return b, nil
}

// createSecretFile writes a new secret to a temporary file and links it
// into place, so a concurrent reader never sees a partly written file and
// of two concurrent creators exactly one wins; the other uses its secret.
func createSecretFile(path string) ([]byte, error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	enc := []byte(base64.StdEncoding.EncodeToString(raw))
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("create master secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create master secret: %w", err)
	}
	if _, err := tmp.Write(append(enc, '\n')); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write master secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write master secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write master secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first; use theirs.
			return LoadMasterSecret(path, "")
		}
		return nil, fmt.Errorf("create master secret: %w", err)
	}
	return enc, nil
}
