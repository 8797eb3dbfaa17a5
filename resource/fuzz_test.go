package resource_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// FuzzBearerHeader sends any Authorization header value through Require:
// the answer is always a well-formed RFC 6750 refusal, never a 5xx, a
// panic, or a pass.
func FuzzBearerHeader(f *testing.F) {
	is := newIssuer(f)
	for _, s := range []string{
		"", "Bearer", "Bearer ", "bearer abc", "Bearer abc==", "Bearer a=b", "Bearer a b", "Basic dXNlcjpwYXNz",
		"Bearer\tabc", "BEARER  " + is.token(func(c map[string]any) { c["aud"] = "x" }), "Bearer \x00", "Bearer é",
		"Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer ..", strings.Repeat("Bearer a", 100),
	} {
		f.Add(s)
	}
	v, err := resource.New(f.Context(), resource.Config{
		Issuer: is.srv.URL, Audience: audience, JWKSURL: is.srv.URL + "/jwks", HTTPClient: is.srv.Client(), Realm: "api", Now: is.clock.Now,
	})
	if err != nil {
		f.Fatal(err)
	}
	h := v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Errorf("the handler ran")
	}))
	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Authorization"] = []string{value}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		challenge := w.Header().Get("WWW-Authenticate")
		switch {
		case w.Code == http.StatusBadRequest:
			if !strings.HasPrefix(challenge, `Bearer realm="api", error="invalid_request"`) {
				t.Errorf("400 with challenge %q", challenge)
			}
		case w.Code == http.StatusUnauthorized:
			if challenge != `Bearer realm="api"` && !strings.HasPrefix(challenge, `Bearer realm="api", error="invalid_token"`) {
				t.Errorf("401 with challenge %q", challenge)
			}
		default:
			t.Errorf("status %d for %q", w.Code, value)
		}
		if strings.ContainsAny(challenge, "\r\n\x00") {
			t.Errorf("challenge %q", challenge)
		}
	})
}

// FuzzVerify gives Verify any string: it is refused as an invalid token,
// never with a panic or as a failure to check it.
func FuzzVerify(f *testing.F) {
	is := newIssuer(f)
	good := is.token(nil)
	parts := strings.Split(good, ".")
	for _, s := range []string{
		"", ".", "..", "a.b.c", parts[0] + "." + parts[1] + ".", parts[0] + ".." + parts[2],
		parts[0] + "." + b64([]byte(`{"exp":"x","aud":[1]}`)) + "." + parts[2],
		b64([]byte(`{"alg":"ES256","typ":"at+jwt","kid":"zz","crit":["x"]}`)) + "." + parts[1] + "." + parts[2],
		b64([]byte(`{"alg":"ES256","typ":"at+jwt","jwk":{}}`)) + "." + parts[1] + "." + parts[2],
	} {
		f.Add(s)
	}
	v, err := resource.New(f.Context(), resource.Config{
		Issuer: is.srv.URL, Audience: audience, JWKSURL: is.srv.URL + "/jwks", HTTPClient: is.srv.Client(), Now: is.clock.Now,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if raw == good {
			return
		}
		if c, err := v.Verify(t.Context(), raw); !errors.Is(err, resource.ErrInvalidToken) {
			t.Errorf("Verify(%q) = %+v, %v; want ErrInvalidToken", raw, c, err)
		}
	})
}
