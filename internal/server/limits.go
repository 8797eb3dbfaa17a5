package server

import (
	"net/http"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/adminapi"
)

// maxBodyBytes bounds every request body. The endpoints that read a body
// (forms at /authorize, /login, /consent, /logout and /account, the back
// channel at /token, /revoke, /introspect, POST /userinfo) set the same
// limit themselves and answer a body over it with their own spec-shaped
// 400 invalid_request; this is the backstop for an endpoint that forgets.
// Headers are bounded by http.Server.MaxHeaderBytes (431 beyond it).
const maxBodyBytes = 64 << 10

// limitBodies caps the body of every request at maxBodyBytes: reading
// past it fails, and the server closes the connection after the answer.
// The admin API takes larger bodies (a client with an inline JWK set of
// up to 64 KiB) and bounds them itself (adminapi.MaxBodyBytes).
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxBodyBytes)
		if strings.HasPrefix(r.URL.Path, adminapi.Prefix+"/") {
			limit = adminapi.MaxBodyBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
