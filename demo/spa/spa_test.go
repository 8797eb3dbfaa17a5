package spa

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	h, err := Handler(Options{
		Issuer: "http://127.0.0.1:8080", API: "http://127.0.0.1:8081", Origin: "http://localhost:8082",
		ClientID: "app123", Scopes: []string{"openid", "models.read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec
	}
	for _, tc := range []struct {
		method, path string
		status       int
		ctype, body  string
	}{
		{"GET", "/", 200, "text/html", `<script type="module" src="/app.js">`},
		{"GET", "/callback?code=c&state=s&iss=x", 200, "text/html", `id="signed-in"`},
		{"GET", "/app.js", 200, "text/javascript", "createClient"},
		{"GET", "/app.css", 200, "text/css", ":root"},
		{"GET", "/favicon.svg", 200, "image/svg+xml", "<svg"},
		{"GET", "/config.json", 200, "application/json", `"client_id":"app123"`},
		{"GET", "/index.html", 404, "", ""},
		{"GET", "/static/app.js", 404, "", ""},
		{"GET", "/nothing", 404, "", ""},
		{"POST", "/", 405, "", ""},
	} {
		rec := get(tc.method, tc.path)
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", tc.path, ct, tc.ctype)
		}
		if !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: body lacks %q", tc.path, tc.body)
		}
		hdr := rec.Header()
		if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", tc.path, hdr)
		}
		csp := hdr.Get("Content-Security-Policy")
		for _, d := range []string{
			"default-src 'none'", "script-src 'self' http://127.0.0.1:8080",
			"connect-src 'self' http://127.0.0.1:8080 http://127.0.0.1:8081", "frame-ancestors 'none'", "base-uri 'none'",
		} {
			if !strings.Contains(csp, d+";") && !strings.HasSuffix(csp, d) {
				t.Errorf("%s: CSP %q lacks %q", tc.path, csp, d)
			}
		}
	}

	var cfg map[string]string
	if err := json.Unmarshal(get("GET", "/config.json").Body.Bytes(), &cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"issuer": "http://127.0.0.1:8080", "api": "http://127.0.0.1:8081", "client_id": "app123",
		"redirect_uri": "http://localhost:8082/callback", "post_logout_redirect_uri": "http://localhost:8082/", "scope": "openid models.read",
	}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("config %s = %q, want %q", k, cfg[k], v)
		}
	}
	if len(cfg) != len(want) {
		t.Errorf("config %v has members beyond %v", cfg, want)
	}
}
