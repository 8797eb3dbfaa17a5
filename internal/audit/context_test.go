package audit

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestClientIPMiddleware: RemoteIP and the context carry the address the
// resolver gives, or the peer's when it gives none or there is none.
func TestClientIPMiddleware(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		resolve  func(*http.Request) string
		remote   string
		wantIP   string
		noMiddle bool
	}{
		{"resolver", func(*http.Request) string { return "203.0.113.9" }, "192.0.2.1:5555", "203.0.113.9", false},
		{"resolver gives none", func(*http.Request) string { return "" }, "192.0.2.1:5555", "192.0.2.1", false},
		{"no resolver", nil, "[2001:db8::1]:443", "2001:db8::1", false},
		{"without the middleware", nil, "192.0.2.7:1", "192.0.2.7", true},
		{"peer without port", nil, "192.0.2.8", "192.0.2.8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotRemote, gotCtx string
			h := http.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				gotRemote, gotCtx = RemoteIP(r), remoteIPFrom(r.Context())
			}))
			if !tc.noMiddle {
				h = ClientIPMiddleware(tc.resolve)(h)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			h.ServeHTTP(httptest.NewRecorder(), r)
			if gotRemote != tc.wantIP {
				t.Errorf("RemoteIP = %q, want %q", gotRemote, tc.wantIP)
			}
			if wantCtx := tc.wantIP; tc.noMiddle && gotCtx != "" || !tc.noMiddle && gotCtx != wantCtx {
				t.Errorf("context IP = %q, want %q (none without the middleware)", gotCtx, wantCtx)
			}
		})
	}
}
