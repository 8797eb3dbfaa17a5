package server

import (
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/throttle"
)

// auditClientIP resolves the client IP the audit trail records with the
// throttle's trusted-proxy logic (--trusted-proxies), so that the address
// a failed login is counted under and the one its audit record names are
// always the same. An address that does not parse gives "", and the audit
// middleware falls back to the peer's.
func auditClientIP(l *throttle.Limiter) func(*http.Request) string {
	return func(r *http.Request) string {
		ip := l.ClientIP(r)
		if !ip.IsValid() {
			return ""
		}
		return ip.String()
	}
}
