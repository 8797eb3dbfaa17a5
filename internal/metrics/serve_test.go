package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMiddlewareServesMetrics: /metrics answers GET and HEAD with the
// exposition and refuses other methods with 405 and Allow, without
// reaching the wrapped handler; without serve, /metrics is the wrapped
// handler's.
func TestMiddlewareServesMetrics(t *testing.T) {
	for _, tc := range []struct {
		method    string
		serve     bool
		status    int
		allow     string
		reachNext bool
	}{
		{http.MethodGet, true, http.StatusOK, "", false},
		{http.MethodHead, true, http.StatusOK, "", false},
		{http.MethodPost, true, http.StatusMethodNotAllowed, "GET, HEAD", false},
		{http.MethodDelete, true, http.StatusMethodNotAllowed, "GET, HEAD", false},
		{"FOO", true, http.StatusMethodNotAllowed, "GET, HEAD", false},
		{http.MethodGet, false, http.StatusTeapot, "", true},
		{http.MethodPost, false, http.StatusTeapot, "", true},
	} {
		reached := false
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			w.WriteHeader(http.StatusTeapot)
		})
		rec := httptest.NewRecorder()
		New().Middleware(next, tc.serve).ServeHTTP(rec, httptest.NewRequest(tc.method, Path, nil))
		if rec.Code != tc.status || rec.Header().Get("Allow") != tc.allow || reached != tc.reachNext {
			t.Errorf("%s %s (serve %v): status %d, Allow %q, reached next %v; want %d, %q, %v",
				tc.method, Path, tc.serve, rec.Code, rec.Header().Get("Allow"), reached, tc.status, tc.allow, tc.reachNext)
		}
		if tc.status == http.StatusOK && tc.method == http.MethodGet && !strings.Contains(rec.Body.String(), "# TYPE ") {
			t.Errorf("GET %s: no metrics in the body", Path)
		}
	}
}
