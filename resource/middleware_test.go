package resource_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// TestRequire checks the answers of RFC 6750 §3 and that the claims reach
// the handler.
func TestRequire(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	v := is.verifier(func(c *resource.Config) { c.Realm = "orders" })
	handler := v.Require("orders:read", "profile")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := resource.ClaimsFrom(r.Context())
		if !ok {
			t.Error("no claims in the context")
			return
		}
		_, _ = w.Write([]byte("hello " + c.Subject))
	}))
	valid := is.token(nil)
	expired := is.token(func(c map[string]any) { c["exp"] = is.clock.Now().Add(-time.Hour).Unix() })
	readOnly := is.token(func(c map[string]any) { c["scope"] = "orders:read" })

	for _, tc := range []struct {
		name      string
		auth      []string // Authorization header values
		status    int
		challenge string // WWW-Authenticate, exactly
		errCode   string // "error" in the body
	}{
		{"valid", []string{"Bearer " + valid}, 200, "", ""},
		{"scheme in lower case, several spaces", []string{"bearer   " + valid}, 200, "", ""},
		{"no Authorization header", nil, 401, `Bearer realm="orders"`, ""},
		{"another scheme", []string{"Basic dXNlcjpwYXNz"}, 401, `Bearer realm="orders"`, ""},
		{"scheme only", []string{"Bearer"}, 400, "", "invalid_request"},
		{"empty token", []string{"Bearer "}, 400, "", "invalid_request"},
		{"space in the token", []string{"Bearer abc def"}, 400, "", "invalid_request"},
		{"padding inside the token", []string{"Bearer ab=c"}, 400, "", "invalid_request"},
		{"two Authorization headers", []string{"Bearer " + valid, "Bearer " + valid}, 400, "", "invalid_request"},
		{"not a token", []string{"Bearer abc"}, 401,
			`Bearer realm="orders", error="invalid_token", error_description="the access token is not a JWT"`, "invalid_token"},
		{"expired", []string{"Bearer " + expired}, 401,
			`Bearer realm="orders", error="invalid_token", error_description="the access token expired"`, "invalid_token"},
		{"missing a scope", []string{"Bearer " + readOnly}, 403,
			`Bearer realm="orders", error="insufficient_scope", error_description="the access token does not grant the scope this resource needs", scope="orders:read profile"`,
			"insufficient_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/orders", nil)
			for _, a := range tc.auth {
				r.Header.Add("Authorization", a)
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.status == 200 {
				if w.Body.String() != "hello user-1" {
					t.Errorf("body %q", w.Body)
				}
				return
			}
			got := w.Header().Get("WWW-Authenticate")
			if tc.challenge != "" && got != tc.challenge {
				t.Errorf("WWW-Authenticate\n %s\nwant\n %s", got, tc.challenge)
			}
			if tc.status == 400 && !strings.HasPrefix(got, `Bearer realm="orders", error="invalid_request", error_description="`) {
				t.Errorf("WWW-Authenticate %s; want an invalid_request challenge", got)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			var body map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("body %q (%s): %v", w.Body, w.Header().Get("Content-Type"), err)
			}
			if body["error"] != tc.errCode || body["error_description"] == "" {
				t.Errorf("body %v, want error %q with a description", body, tc.errCode)
			}
		})
	}
}

// TestRequireIssuerDown: a token that cannot be checked gets 503, not a
// challenge that would make the client throw a good token away.
func TestRequireIssuerDown(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	is.set(func(is *issuer) { is.jwksStatus = http.StatusBadGateway })
	v := is.verifier(nil)
	h := v.Require()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the handler ran") }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+is.token(nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("WWW-Authenticate") != "" || !strings.Contains(w.Body.String(), "temporarily_unavailable") {
		t.Errorf("status %d, challenge %q, body %s; want 503 without a challenge", w.Code, w.Header().Get("WWW-Authenticate"), w.Body)
	}
}

// TestRequireNoRealm: without a realm the bare challenge is just "Bearer".
func TestRequireNoRealm(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	h := is.verifier(nil).Require()(http.NotFoundHandler())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := w.Header().Get("WWW-Authenticate"); w.Code != 401 || got != "Bearer" {
		t.Errorf("status %d, WWW-Authenticate %q; want 401, Bearer", w.Code, got)
	}
}

// TestRequireBadScope: a route that names an impossible scope is a
// programming error, caught when the route is set up.
func TestRequireBadScope(t *testing.T) {
	t.Parallel()
	v := newIssuer(t).verifier(nil)
	for _, s := range []string{"", "a b", `a"b`, "é"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Require(%q) did not panic", s)
				}
			}()
			v.Require(s)
		}()
	}
}
