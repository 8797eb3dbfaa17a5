package server_test

import (
	"net/http"
	"testing"
)

// ruleCORSPublicClientOriginsOnly checks the CORS protocol (WHATWG Fetch
// §3.2) on the endpoints a browser app calls: a preflight from the origin
// of a public client's registered redirect URI (or of its pattern) is
// allowed with Access-Control-Allow-Origin set to that origin; an
// unregistered origin, or the origin of a confidential client (which talks
// to /token from its server, RFC 6749 §2.1), gets none.
func ruleCORSPublicClientOriginsOnly(t *testing.T, e *rulesEnv) {
	paths := []string{"/token", "/userinfo", "/jwks", "/.well-known/openid-configuration"}
	for _, tc := range []struct {
		origin  string
		allowed bool
	}{
		{"https://spa.example.com", true},
		{"https://pr-7.preview.example.com", true},
		{"https://legacy.example.com", true},
		{"https://web.example.com", false},
		{"https://legacy-web.example.com", false},
		{"https://evil.example.com", false},
		{"https://spa.example.com.evil.com", false},
		{"http://spa.example.com", false},
		{"https://spa.example.com:8443", false},
		{"https://pr-7.preview.example.com.evil.com", false},
		{"null", false},
	} {
		for _, path := range paths {
			t.Run(tc.origin+path, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodOptions, e.URL+path, nil)
				req.Header.Set("Origin", tc.origin)
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "content-type")
				resp, err := e.Server.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					t.Errorf("preflight status %d, want 2xx", resp.StatusCode)
				}
				got := resp.Header.Get("Access-Control-Allow-Origin")
				if tc.allowed && got != tc.origin || !tc.allowed && got != "" {
					t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, map[bool]string{true: tc.origin}[tc.allowed])
				}
				if resp.Header.Get("Access-Control-Allow-Credentials") == "true" {
					t.Errorf("credentials allowed on a preflight")
				}
			})
		}
	}
	t.Run("actual request", func(t *testing.T) {
		for origin, want := range map[string]string{"https://spa.example.com": "https://spa.example.com", "https://web.example.com": ""} {
			req, _ := http.NewRequest(http.MethodGet, e.URL+"/jwks", nil)
			req.Header.Set("Origin", origin)
			resp, err := e.Server.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); resp.StatusCode != http.StatusOK || got != want {
				t.Errorf("GET /jwks from %s: status %d, Access-Control-Allow-Origin %q; want 200 and %q", origin, resp.StatusCode, got, want)
			}
		}
	})
}
