package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error codes from RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1 and
// OpenID Connect Core §3.1.2.6.
const (
	InvalidRequest          = "invalid_request"
	InvalidClient           = "invalid_client"
	InvalidGrant            = "invalid_grant"
	UnauthorizedClient      = "unauthorized_client"
	UnsupportedGrantType    = "unsupported_grant_type"
	UnsupportedResponseType = "unsupported_response_type"
	InvalidScope            = "invalid_scope"
	AccessDenied            = "access_denied"
	ServerError             = "server_error"
	InvalidToken            = "invalid_token"
	InsufficientScope       = "insufficient_scope"
	LoginRequired           = "login_required"
	ConsentRequired         = "consent_required"
	InteractionRequired     = "interaction_required"
	RequestNotSupported     = "request_not_supported"
	RequestURINotSupported  = "request_uri_not_supported"
	// InvalidTarget refuses a resource parameter (RFC 8707 §2).
	InvalidTarget = "invalid_target"
)

// Error is the one protocol error type. It is built where the rule lives and
// rendered by one writer per transport: JSON on the back channel, a redirect
// or an error page on the front channel.
type Error struct {
	Code        string
	Description string
	// Status is the HTTP status on the back channel; 0 means 400.
	Status int
	// Challenge, when set, is sent as WWW-Authenticate (RFC 6749 §5.2 for
	// invalid_client with Basic, RFC 6750 §3 for bearer tokens).
	Challenge string
	// RetryAfter, when positive, is sent as Retry-After in whole seconds,
	// rounded up (RFC 9110 §10.2.3): when a throttled client may retry.
	RetryAfter time.Duration
	cause      error
}

// Errorf builds an Error with a formatted description.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure as server_error. The cause is kept for
// the log only; clients see a generic description.
func Internal(cause error) *Error {
	return &Error{Code: ServerError, Description: "the server could not complete the request", Status: http.StatusInternalServerError, cause: cause}
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Description, e.cause)
	}
	return e.Code + ": " + e.Description
}

// Unwrap exposes the internal cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.cause }

// SafeDescription is the description restricted to the characters RFC 6749
// §5.2 and RFC 6750 §3 allow in error_description (printable ASCII without
// '"' and '\'), for every transport.
func (e *Error) SafeDescription() string {
	b := []byte(e.Description)
	for i, c := range b {
		switch {
		case c == '"':
			b[i] = '\''
		case c == '\\':
			b[i] = '/'
		case c < 0x20 || c > 0x7e:
			b[i] = '?'
		}
	}
	return string(b)
}

// HTTPStatus returns the status to send on the back channel.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return http.StatusBadRequest
}

// WithStatus returns a copy of e with the given HTTP status.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// As converts any error into an *Error; errors that are not protocol errors
// become server_error.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
