package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Routes whose requests get extra labels or counters.
const (
	routeToken = "POST /token"
	routeLogin = "POST /login"
)

// StatusRecorder is a ResponseWriter that remembers the status a handler
// wrote. The middleware wraps every request in one; the server's request
// logging reads it, or makes its own where no middleware runs.
type StatusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *StatusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *StatusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Status is the status written so far, 0 before any (the server's request
// logging reads it rather than wrapping the writer again).
func (r *StatusRecorder) Status() int { return r.status }

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *StatusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Middleware counts and times every request of next, which must be (or
// wrap, without copying the request) an http.ServeMux: the route label is
// the pattern the mux matched (r.Pattern), "unmatched" when none did. With
// serve set, it also answers GET and HEAD /metrics itself (RFC 9110
// §9.3.2: HEAD wherever GET), and other methods there with 405.
func (m *Metrics) Middleware(next http.Handler, serve bool) http.Handler {
	endpoint := m.Endpoint()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if serve && r.URL.Path == Path {
			endpoint.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &StatusRecorder{ResponseWriter: w}
		defer func() {
			// Recorded also when next panics (observe turns the panic into
			// a 500 inside; an ErrAbortHandler passes through).
			m.observeRequest(r, rec, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// Endpoint answers GET and HEAD with the exposition (RFC 9110 §9.3.2:
// HEAD wherever GET) and other methods with 405 and Allow. It counts
// nothing itself: a scrape is not traffic.
func (m *Metrics) Endpoint() http.Handler {
	exposition := m.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		exposition.ServeHTTP(w, r)
	})
}

func (m *Metrics) observeRequest(r *http.Request, rec *StatusRecorder, d time.Duration) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	grant := ""
	if route == routeToken && r.PostForm != nil {
		// The token handler parsed the form on this request; reading it
		// here parses nothing.
		grant = grantLabel(r.PostForm.Get("grant_type"))
	}
	rm := m.routeMetrics(routeKey{route: route, grant: grant, code: status})
	rm.requests.Inc()
	rm.duration.Observe(d.Seconds())
	if route == routeLogin {
		m.logins.WithLabelValues(loginOutcome(status, startsSession(rec.Header()))).Inc()
	}
}

// routeMetrics returns the request counter and histogram for k, looking
// the labels up only the first time k is seen.
func (m *Metrics) routeMetrics(k routeKey) routeMetrics {
	m.routeMu.RLock()
	rm, ok := m.byRoute[k]
	m.routeMu.RUnlock()
	if ok {
		return rm
	}
	rm = routeMetrics{
		requests: m.requests.WithLabelValues(k.route, k.grant, strconv.Itoa(k.code)),
		duration: m.duration.WithLabelValues(k.route, k.grant),
	}
	m.routeMu.Lock()
	m.byRoute[k] = rm
	m.routeMu.Unlock()
	return rm
}

// loginOutcome classifies a POST /login answer: one that starts a session
// (sets the session cookie) is a sign-in, whatever page follows (consent,
// a redirect onward); 429 is a throttled attempt, 5xx an error, anything
// else (the form shown again) a failure.
func loginOutcome(status int, session bool) string {
	switch {
	case session && status < 400:
		return "success"
	case status == http.StatusTooManyRequests:
		return "throttled"
	case status >= 500:
		return "error"
	}
	return "failure"
}

// sessionCookies are the names of the session cookie (internal/session):
// "__Host-" prefixed on https issuers.
var sessionCookies = []string{"gatehouse_session=", "__Host-gatehouse_session="}

// startsSession reports whether h sets a non-empty session cookie.
func startsSession(h http.Header) bool {
	for _, c := range h.Values("Set-Cookie") {
		for _, prefix := range sessionCookies {
			if v, ok := strings.CutPrefix(c, prefix); ok && v != "" && v[0] != ';' {
				return true
			}
		}
	}
	return false
}
