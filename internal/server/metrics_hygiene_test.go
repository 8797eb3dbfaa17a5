package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/metrics"
)

// TestMetricsEndpointHygiene: /metrics on the main listener gets what
// every other request gets from observe (an X-Request-Id, a log line),
// and is not counted in gatehouse_http_requests_total, while a route that
// panics is recovered to a 500 and counted once, as a 500.
func TestMetricsEndpointHygiene(t *testing.T) {
	var logs syncBuffer
	s := &Server{
		metrics: metrics.New(),
		log:     slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := s.instrument(mux)

	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, metrics.Path, http.StatusOK},
		{http.MethodHead, metrics.Path, http.StatusOK},
		{http.MethodPost, metrics.Path, http.StatusMethodNotAllowed},
		{http.MethodGet, "/boom", http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, rec.Code, tc.status)
		}
		if id := rec.Header().Get("X-Request-Id"); len(id) != 12 {
			t.Errorf("%s %s: X-Request-Id %q, want a 12-character ID", tc.method, tc.path, id)
		}
	}

	logged := map[string]int{}
	for _, r := range logs.records(t) {
		if r["msg"] == "request" {
			logged[r["method"].(string)+" "+r["path"].(string)]++
		}
	}
	for _, want := range []string{"GET /metrics", "HEAD /metrics", "POST /metrics", "GET /boom"} {
		if logged[want] != 1 {
			t.Errorf("%d log lines for %s, want 1 (%v)", logged[want], want, logged)
		}
	}

	rec := httptest.NewRecorder()
	s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metrics.Path, nil))
	var series []string
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "gatehouse_http_requests_total{") {
			series = append(series, strings.TrimSpace(line))
		}
	}
	want := `gatehouse_http_requests_total{code="500",grant_type="",route="GET /boom"} 1`
	if len(series) != 1 || series[0] != want {
		t.Errorf("request counters %q, want only %q: the panic once, no scrape", series, want)
	}
}

// TestMetricsListenerHygiene: the --metrics-addr listener answers with an
// X-Request-Id too.
func TestMetricsListenerHygiene(t *testing.T) {
	var logs syncBuffer
	s := &Server{metrics: metrics.New(), log: slog.New(slog.NewTextHandler(&logs, nil))}
	s.cfg.MetricsAddr = "127.0.0.1:0"
	stop, err := s.startDebugListeners(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	_, addr, ok := strings.Cut(logs.String(), "addr=")
	if !ok {
		t.Fatalf("listener address not logged: %s", logs.String())
	}
	resp, err := http.Get("http://" + strings.TrimSpace(addr) + metrics.Path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Header.Get("X-Request-Id")) != 12 {
		t.Errorf("metrics listener: %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
}
