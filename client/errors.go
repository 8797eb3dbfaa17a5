package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// Error is an error the authorization server reported with an OAuth error
// code: in the authorization response (RFC 6749 §4.1.2.1), from the token
// endpoint (RFC 6749 §5.2) or in a Bearer challenge from a protected
// resource such as userinfo (RFC 6750 §3). Match it with errors.As and
// decide on Code, e.g. "access_denied" or "invalid_grant".
type Error struct {
	Code        string // the error parameter
	Description string // error_description, for people, may be empty
	URI         string // error_uri, may be empty
	// StatusCode is the HTTP status of a back-channel answer; 0 for an
	// error delivered in the authorization response.
	StatusCode int
	err        error // the underlying error, e.g. *oauth2.RetrieveError
}

func (e *Error) Error() string {
	if e.Description == "" {
		return "authorization server: " + e.Code
	}
	return fmt.Sprintf("authorization server: %s: %s", e.Code, e.Description)
}

// Unwrap returns the error Error was built from (*oauth2.RetrieveError for
// token endpoint errors), or nil.
func (e *Error) Unwrap() error { return e.err }

// Errors of checks this package makes on what it receives. They are
// returned wrapped; match them with errors.Is.
var (
	// ErrStateMismatch: the authorization response's state is not the
	// one sent, so it may be forged (RFC 6749 §10.12).
	ErrStateMismatch = errors.New("client: authorization response state does not match the request")
	// ErrIssuerMismatch: the authorization response names another
	// issuer, a sign of a mix-up attack (RFC 9207 §2.4).
	ErrIssuerMismatch = errors.New("client: authorization response iss is not the issuer")
	// ErrIssuerMissing: the server announces
	// authorization_response_iss_parameter_supported but the response
	// carries no iss (RFC 9207 §2.4).
	ErrIssuerMissing = errors.New("client: authorization response has no iss")
	// ErrCodeMissing: the authorization response has neither a code nor
	// an error.
	ErrCodeMissing = errors.New("client: authorization response has no code")
	// ErrIDTokenMissing: openid was asked for but the token response has
	// no id_token (OIDC Core §3.1.3.3).
	ErrIDTokenMissing = errors.New("client: token response has no id_token")
	// ErrInvalidIDToken: the ID token failed validation (OIDC Core
	// §3.1.3.7): signature, issuer, audience, expiry, nonce, azp, at_hash,
	// or after a refresh a different subject (OIDC Core §12.2).
	ErrInvalidIDToken = errors.New("client: invalid ID token")
)

// wrapTokenError turns an *oauth2.RetrieveError that carries an error code
// into an *Error; other errors pass through.
func wrapTokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode == "" {
		return err
	}
	e := &Error{Code: re.ErrorCode, Description: re.ErrorDescription, URI: re.ErrorURI, err: err}
	if re.Response != nil {
		e.StatusCode = re.Response.StatusCode
	}
	return e
}

// bearerError reads the error of a Bearer challenge in resp's
// WWW-Authenticate headers (RFC 6750 §3), or returns nil.
func bearerError(resp *http.Response) *Error {
	for _, h := range resp.Header.Values("WWW-Authenticate") {
		params, ok := parseBearerChallenge(h)
		if ok && params["error"] != "" {
			return &Error{Code: params["error"], Description: params["error_description"], URI: params["error_uri"], StatusCode: resp.StatusCode}
		}
	}
	return nil
}

// parseBearerChallenge parses a WWW-Authenticate value whose first
// challenge is Bearer into its auth-params (RFC 9110 §11.2: token or
// quoted-string values, separated by commas). ok is false when the value
// is not a Bearer challenge or is malformed.
func parseBearerChallenge(h string) (params map[string]string, ok bool) {
	scheme, rest, _ := strings.Cut(strings.TrimLeft(h, " \t"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, false
	}
	params = map[string]string{}
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			return params, true
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			// A token without "=" starts the next challenge.
			return params, true
		}
		name := strings.ToLower(strings.TrimRight(rest[:eq], " \t"))
		if strings.ContainsAny(name, " \t,\"") {
			return params, true
		}
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		var value string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return nil, false // unterminated quoted-string
			}
			value, rest = b.String(), rest[i+1:]
		} else {
			end := strings.IndexAny(rest, " \t,")
			if end < 0 {
				end = len(rest)
			}
			value, rest = rest[:end], rest[end:]
		}
		if _, dup := params[name]; !dup {
			params[name] = value
		}
	}
}
