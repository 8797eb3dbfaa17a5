package storage

import "errors"

var (
	// ErrNotFound means no record has the requested key.
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists means a record with the same unique key exists.
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrAlreadyConsumed means a single-use record was used before; the
	// record is returned alongside so the caller can react (RFC 6749 §4.1.2:
	// revoke what the first use produced).
	ErrAlreadyConsumed = errors.New("storage: already consumed")
	// ErrInactive means a token exists but is revoked or expired.
	ErrInactive = errors.New("storage: token revoked or expired")
	// ErrGrantRevoked means a token was created for a grant that had
	// already been revoked; the token is stored revoked.
	ErrGrantRevoked = errors.New("storage: grant revoked")
	// ErrInUse means a record cannot be deleted because others still refer
	// to it: a project that owns APIs or clients, an API a client lists.
	ErrInUse = errors.New("storage: in use")
)
