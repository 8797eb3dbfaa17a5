package resource

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Require returns middleware that lets a request through only with a valid
// access token granting every one of scopes (none: any valid token). The
// token is read from the Authorization header only (RFC 6750 §2.1), never
// from the query or body. The next handler finds the claims with
// ClaimsFrom. Otherwise the answer follows RFC 6750 §3, always with
// Cache-Control: no-store and a JSON body {"error", "error_description"}:
//
//   - no bearer token: 401 with a bare challenge, Bearer realm="..." (§3.1
//     says a request without credentials gets no error code);
//   - a malformed Authorization header (two of them, an empty token, a
//     token with characters outside b64token): 400, error="invalid_request";
//   - a token that is invalid, expired, revoked or for another API: 401,
//     error="invalid_token";
//   - a token without a needed scope: 403, error="insufficient_scope" with
//     scope="..." listing the scopes the route needs (§3);
//   - a token that could not be checked (the issuer is unreachable): 503,
//     error="temporarily_unavailable", without a challenge, since the token
//     may well be good.
//
// Require panics if a scope is not a valid scope token (RFC 6749 §3.3).
func (v *Verifier) Require(scopes ...string) func(http.Handler) http.Handler {
	for _, s := range scopes {
		if !isScopeToken(s) {
			panic(fmt.Sprintf("resource: Require: %q is not a scope token", s))
		}
	}
	needed := strings.Join(scopes, " ")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, err := bearerToken(r.Header.Values("Authorization"))
			if errors.Is(err, errNoBearer) {
				v.deny(w, http.StatusUnauthorized, "", "this resource needs a bearer access token", "")
				return
			}
			if err != nil {
				v.deny(w, http.StatusBadRequest, "invalid_request", err.Error(), "")
				return
			}
			claims, err := v.Verify(r.Context(), raw)
			var te *tokenError
			if errors.As(err, &te) {
				v.deny(w, http.StatusUnauthorized, "invalid_token", te.desc, "")
				return
			}
			if err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{
					"error":             "temporarily_unavailable",
					"error_description": "the access token could not be checked; try again later",
				})
				return
			}
			for _, s := range scopes {
				if !claims.HasScope(s) {
					v.deny(w, http.StatusForbidden, "insufficient_scope", "the access token does not grant the scope this resource needs", needed)
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), claims)))
		})
	}
}

// errNoBearer: the request carries no bearer token at all.
var errNoBearer = errors.New("no bearer token")

// bearerToken reads the Authorization header field values (RFC 6750 §2.1):
//
//	credentials = "Bearer" 1*SP b64token
//	b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//
// The scheme is case-insensitive (RFC 9110 §11.1). Another scheme means no
// bearer token; the errors other than errNoBearer are sentences for the
// client.
func bearerToken(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", errNoBearer
	case 1:
	default:
		return "", errors.New("the request has more than one Authorization header")
	}
	scheme, rest, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNoBearer
	}
	token := strings.TrimLeft(rest, " ")
	if !isB64Token(token) {
		return "", errors.New("the Authorization header does not hold a bearer token")
	}
	return token, nil
}

func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range []byte(body) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/':
		default:
			return false
		}
	}
	return true
}

// isScopeToken: scope-token = 1*NQCHAR (RFC 6749 §3.3).
func isScopeToken(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
			return false
		}
	}
	return s != ""
}

// deny answers with a Bearer challenge (RFC 6750 §3). code is empty for
// the bare challenge; scope is the scope the resource needs, for
// insufficient_scope.
func (v *Verifier) deny(w http.ResponseWriter, status int, code, desc, scope string) {
	var params []string
	add := func(name, value string) {
		if value != "" {
			params = append(params, name+"="+quote(value))
		}
	}
	add("realm", v.realm)
	add("error", code)
	if code != "" {
		add("error_description", desc)
	}
	add("scope", scope)
	challenge := "Bearer"
	if len(params) > 0 {
		challenge += " " + strings.Join(params, ", ")
	}
	w.Header().Set("WWW-Authenticate", challenge)
	body := map[string]string{"error_description": desc}
	if code != "" {
		body["error"] = code
	}
	if scope != "" {
		body["scope"] = scope
	}
	writeJSON(w, status, body)
}

// quote makes a quoted-string (RFC 9110 §5.6.4). Descriptions and scopes
// are this package's or the developer's, never the client's; characters a
// header cannot carry are dropped all the same.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range []byte(s) {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || 0x20 <= c && c < 0x7f:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeJSON(w http.ResponseWriter, status int, body map[string]string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
