package admin

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Service performs administrative operations on a store.
type Service struct {
	store   storage.Store
	secrets *secret.ClientSecrets
	now     func() time.Time
	ring    KeyRing // nil unless WithKeys
}

// New returns a Service. secrets hashes and seals client secrets under the
// master secret; it may be nil for a Service that only manages users, and
// then registering a client with a secret fails. now may be nil.
func New(store storage.Store, secrets *secret.ClientSecrets, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, secrets: secrets, now: now}
}

// ValidationError says which input field is wrong and why.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// plainText reports whether s is valid UTF-8 without control characters,
// as every name shown to people must be.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
