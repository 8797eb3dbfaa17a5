package admin

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Service performs administrative operations on a store.
type Service struct {
	store   storage.Store
	secrets *secret.ClientSecrets
	now     func() time.Time
	audit   *audit.Recorder // every change, with the actor from the context (audit.go)
	ring    KeyRing         // nil unless WithKeys
}

// New returns a Service. secrets hashes and seals client secrets under the
// master secret; it may be nil for a Service that only manages users, and
// then registering a client with a secret fails. now may be nil.
func New(store storage.Store, secrets *secret.ClientSecrets, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, secrets: secrets, now: now, audit: audit.New(store, audit.Options{Now: now})}
}

// ValidationError says which input field is wrong and why.
type ValidationError struct {
	Field string
	// Item is the 1-based position of the element at fault in the input
	// list Field names (so the admin API can say "redirect_uris[2]"); 0
	// when the error is not about one element.
	Item    int
	Message string
	value   string // the element at fault, for a caller to find its Item
}

func (e *ValidationError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// invalidItem is invalid about the item'th (1-based) element of a list.
func invalidItem(field string, item int, format string, args ...any) error {
	return &ValidationError{Field: field, Item: item, Message: fmt.Sprintf(format, args...)}
}

// itemOf returns the 1-based position of the first element of list that
// is v once trimmed (as dedupe trims), or 0 when none is.
func itemOf(list []string, v string) int {
	for i, s := range list {
		if strings.TrimSpace(s) == v {
			return i + 1
		}
	}
	return 0
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
