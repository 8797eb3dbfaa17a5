package loadgen

import (
	"errors"
	"fmt"
	"net/url"
)

// opError is a failed operation with a short kind to count it under
// ("http_400", "no_login_form", "state_mismatch", ...).
type opError struct {
	kind string
	err  error
}

func (e *opError) Error() string { return e.kind + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// failf returns an opError of kind.
func failf(kind, format string, args ...any) error {
	return &opError{kind: kind, err: fmt.Errorf(format, args...)}
}

// errorKind names err for the error table: its opError kind, "transport"
// for a failed connection or timeout, "other" otherwise.
func errorKind(err error) string {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.kind
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return "transport"
	}
	return "other"
}
