package resource_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// corsCase is a request to a CORS handler and what the answer must say.
type corsCase struct {
	name    string
	method  string
	path    string
	headers map[string]string
	status  int               // 200 means next ran
	want    map[string]string // response headers; "" means absent
	vary    []string          // exactly these Vary values
}

const appOrigin = "https://app.example.com"

func preflight(origin, method, headers string) map[string]string {
	h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
	if headers != "" {
		h["Access-Control-Request-Headers"] = headers
	}
	return h
}

// noCORS are the headers an answer that allows nothing must not have.
var noCORS = map[string]string{
	"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": "", "Access-Control-Allow-Methods": "",
	"Access-Control-Allow-Headers": "", "Access-Control-Expose-Headers": "", "Access-Control-Max-Age": "",
}

var preflightVary = []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}

// TestCORS checks a policy with every knob set: exact and pattern origins,
// paths, methods, headers, exposed headers, max age and credentials.
func TestCORS(t *testing.T) {
	t.Parallel()
	policy := resource.CORS{
		AllowedOrigins:        []string{"https://App.example.com/"}, // normalized
		AllowedOriginPatterns: []*regexp.Regexp{regexp.MustCompile(`https://[a-z0-9]+\.preview\.example\.com`)},
		AllowedPaths:          []*regexp.Regexp{regexp.MustCompile(`/api/.*`)},
		AllowedMethods:        []string{"GET", "put"},
		AllowedHeaders:        []string{"Authorization", "Content-Type"},
		ExposedHeaders:        []string{"WWW-Authenticate", "X-Request-Id"},
		MaxAge:                10 * time.Minute,
		AllowCredentials:      true,
	}
	allowed := map[string]string{
		"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Credentials": "true",
		"Access-Control-Expose-Headers": "WWW-Authenticate, X-Request-Id",
		"Access-Control-Allow-Methods":  "", "Access-Control-Max-Age": "",
	}
	preflightOK := map[string]string{
		"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Allow-Headers": "authorization, content-type",
		"Access-Control-Max-Age": "600", "Access-Control-Expose-Headers": "",
	}
	runCORS(t, policy, []corsCase{
		{"allowed origin", "GET", "/api/orders", map[string]string{"Origin": appOrigin}, 200, allowed, []string{"Origin"}},
		{"origin matching a pattern", "GET", "/api/orders", map[string]string{"Origin": "https://pr42.preview.example.com"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://pr42.preview.example.com"}, []string{"Origin"}},
		{"pattern matches only in full", "GET", "/api/orders", map[string]string{"Origin": "https://pr42.preview.example.com.evil.example"}, 200,
			noCORS, []string{"Origin"}},
		{"other origin", "GET", "/api/orders", map[string]string{"Origin": "https://evil.example"}, 200, noCORS, []string{"Origin"}},
		{"origin null", "GET", "/api/orders", map[string]string{"Origin": "null"}, 200, noCORS, []string{"Origin"}},
		{"no origin", "GET", "/api/orders", nil, 200, noCORS, []string{"Origin"}},
		{"method not allowed", "DELETE", "/api/orders", map[string]string{"Origin": appOrigin}, 200, noCORS, []string{"Origin"}},
		{"path not allowed", "GET", "/admin", map[string]string{"Origin": appOrigin}, 200, noCORS, nil},
		{"path matches only in full", "GET", "/v2/api/orders", map[string]string{"Origin": appOrigin}, 200, noCORS, nil},

		{"preflight allowed", "OPTIONS", "/api/orders/7", preflight(appOrigin, "PUT", "authorization,Content-Type"), 204, preflightOK, preflightVary},
		{"preflight without request headers", "OPTIONS", "/api/orders/7", preflight(appOrigin, "GET", ""), 204,
			map[string]string{"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Headers": ""}, preflightVary},
		{"preflight for a method not allowed", "OPTIONS", "/api/orders/7", preflight(appOrigin, "DELETE", ""), 403, noCORS, preflightVary},
		{"preflight for a header not allowed", "OPTIONS", "/api/orders/7", preflight(appOrigin, "PUT", "authorization, x-debug"), 403, noCORS, preflightVary},
		{"preflight from another origin", "OPTIONS", "/api/orders/7", preflight("https://evil.example", "GET", ""), 403, noCORS, preflightVary},
		{"preflight for a path not allowed goes on", "OPTIONS", "/admin", preflight(appOrigin, "GET", ""), 200, noCORS, nil},
		{"OPTIONS that is not a preflight goes on", "OPTIONS", "/api/orders", map[string]string{"Origin": appOrigin}, 200, noCORS, []string{"Origin"}},
	})
}

// TestCORSDefaults checks the defaults: GET, HEAD and POST, no request
// headers beyond the safelisted ones, no max age, and "*" for a public API.
func TestCORSDefaults(t *testing.T) {
	t.Parallel()
	runCORS(t, resource.CORS{AllowedOrigins: []string{"*"}}, []corsCase{
		{"any origin", "POST", "/", map[string]string{"Origin": "https://anyone.example"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Access-Control-Expose-Headers": ""}, nil},
		{"preflight for POST", "OPTIONS", "/", preflight("https://anyone.example", "POST", ""), 204,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, POST", "Access-Control-Max-Age": ""},
			[]string{"Access-Control-Request-Method", "Access-Control-Request-Headers"}},
		{"preflight for PUT", "OPTIONS", "/", preflight("https://anyone.example", "PUT", ""), 403, noCORS,
			[]string{"Access-Control-Request-Method", "Access-Control-Request-Headers"}},
		{"preflight with a header", "OPTIONS", "/", preflight("https://anyone.example", "POST", "content-type"), 403, noCORS,
			[]string{"Access-Control-Request-Method", "Access-Control-Request-Headers"}},
	})
	runCORS(t, resource.CORS{AllowedOrigins: []string{appOrigin}, AllowedHeaders: []string{"*"}}, []corsCase{
		{"any header", "OPTIONS", "/", preflight(appOrigin, "GET", "x-a, authorization"), 204,
			map[string]string{"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Headers": "x-a, authorization"}, preflightVary},
	})
	runCORS(t, resource.CORS{}, []corsCase{
		{"nothing configured", "GET", "/", map[string]string{"Origin": appOrigin}, 200, noCORS, []string{"Origin"}},
		{"nothing configured, preflight", "OPTIONS", "/", preflight(appOrigin, "GET", ""), 403, noCORS, preflightVary},
	})
}

// TestCORSWildcardWithCredentials: "*" with credentials would let any site
// use the user's cookies; the handler refuses to be built.
func TestCORSWildcardWithCredentials(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Handler did not panic")
		}
	}()
	resource.CORS{AllowedOrigins: []string{"*"}, AllowCredentials: true}.Handler(http.NotFoundHandler())
}

func runCORS(t *testing.T, policy resource.CORS, cases []corsCase) {
	t.Helper()
	ran := false
	h := policy.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true }))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ran = false
			r := httptest.NewRequest(tc.method, tc.path, nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if ran != (tc.status == 200) || w.Code != tc.status {
				t.Errorf("status %d, next ran %v; want %d", w.Code, ran, tc.status)
			}
			for k, want := range tc.want {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			var vary []string
			for _, v := range w.Header().Values("Vary") {
				for f := range strings.SplitSeq(v, ",") {
					vary = append(vary, strings.TrimSpace(f))
				}
			}
			if !slices.Equal(vary, tc.vary) {
				t.Errorf("Vary %q, want %q", vary, tc.vary)
			}
		})
	}
}
