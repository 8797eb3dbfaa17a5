package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCORS: the app's origin may call the API from a browser, with the
// methods and headers it needs; no other origin may; and the app can read
// error answers, challenge included.
func TestCORS(t *testing.T) {
	e := newTestEnv(t)
	preflight := func(origin, method, headers string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, e.api.URL+"/folders", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", headers)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, tc := range []struct {
		name, origin, method, headers string
		allowed                       bool
	}{
		{"app POST", appOrigin, "POST", "authorization,content-type,x-api-key", true},
		{"app DELETE", appOrigin, "DELETE", "authorization,x-api-key", true},
		{"app PUT", appOrigin, "PUT", "authorization", false},
		{"app with another header", appOrigin, "GET", "authorization,x-debug", false},
		{"other origin", "http://localhost:3001", "GET", "authorization", false},
		{"issuer-like origin", "http://127.0.0.1:3000", "GET", "authorization", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := preflight(tc.origin, tc.method, tc.headers)
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if tc.allowed {
				if resp.StatusCode != http.StatusNoContent || acao != tc.origin {
					t.Fatalf("preflight: %d, Allow-Origin %q; want 204 and %s", resp.StatusCode, acao, tc.origin)
				}
				if m := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, tc.method) {
					t.Errorf("Allow-Methods %q lacks %s", m, tc.method)
				}
				return
			}
			if acao != "" {
				t.Fatalf("preflight allowed (Allow-Origin %q)", acao)
			}
		})
	}

	// A 401 to the app carries the CORS headers, so the app can show it.
	r := e.call(t, http.MethodGet, "/models", "", "", "", "Origin", appOrigin)
	if r.Status != http.StatusUnauthorized || r.Header.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Fatalf("401: status %d, Allow-Origin %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	}
	if exp := strings.ToLower(r.Header.Get("Access-Control-Expose-Headers")); !strings.Contains(exp, "www-authenticate") {
		t.Errorf("Expose-Headers %q lacks WWW-Authenticate", exp)
	}
	r = e.call(t, http.MethodGet, "/models", "", "", "", "Origin", "http://localhost:3001")
	if acao := r.Header.Get("Access-Control-Allow-Origin"); acao != "" {
		t.Errorf("another origin got Allow-Origin %q", acao)
	}
}

// TestCreateFolderInput: only one JSON object with a sensible name makes a
// folder.
func TestCreateFolderInput(t *testing.T) {
	e := newTestEnv(t)
	token := e.appToken(t, editor, allScopes)
	for _, tc := range []struct {
		name, body, contentType string
		status                  int
	}{
		{"form body", "name=x", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"no content type", `{"name":"x"}`, "-", http.StatusUnsupportedMediaType},
		{"empty name", `{"name":"   "}`, "", http.StatusBadRequest},
		{"long name", `{"name":"` + strings.Repeat("é", 81) + `"}`, "", http.StatusBadRequest},
		{"control character", `{"name":"a\u0007b"}`, "", http.StatusBadRequest},
		{"unknown field", `{"name":"x","owner":"me"}`, "", http.StatusBadRequest},
		{"two objects", `{"name":"x"}{"name":"y"}`, "", http.StatusBadRequest},
		{"not JSON", `name`, "", http.StatusBadRequest},
		{"too big", `{"name":"x","pad":"` + strings.Repeat("a", 5000) + `"}`, "", http.StatusBadRequest},
		{"charset parameter", `{"name":"With charset"}`, "application/json; charset=utf-8", http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			switch tc.contentType {
			case "":
			case "-":
				hdr = []string{"Content-Type", ""}
			default:
				hdr = []string{"Content-Type", tc.contentType}
			}
			r := e.call(t, http.MethodPost, "/folders", token, e.clientID, tc.body, hdr...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, tc.status, r.Body)
			}
		})
	}
	e.call(t, http.MethodGet, "/nowhere", token, e.clientID, "").wantError(t, http.StatusNotFound, "not_found")
}
