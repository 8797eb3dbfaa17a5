package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/metrics"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestDebugListeners starts --metrics-addr and --pprof-addr on free
// loopback ports and checks what each serves, that the main handler then
// leaves /metrics alone, and that stop closes both.
func TestDebugListeners(t *testing.T) {
	var logs syncBuffer
	s := &Server{
		cfg:     config.Config{MetricsAddr: "127.0.0.1:0", PprofAddr: "127.0.0.1:0"},
		metrics: metrics.New(),
		log:     slog.New(slog.NewTextHandler(&logs, nil)),
	}
	stop, err := s.startDebugListeners(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	addrs := map[string]string{}
	for _, m := range regexp.MustCompile(`flag=(\S+) addr=(\S+)`).FindAllStringSubmatch(logs.String(), -1) {
		addrs[m[1]] = m[2]
	}
	if addrs["metrics-addr"] == "" || addrs["pprof-addr"] == "" {
		stop()
		t.Fatalf("listener addresses not logged: %s", logs.String())
	}
	if code, body := get(t, "http://"+addrs["metrics-addr"]+"/metrics"); code != http.StatusOK || !strings.Contains(body, "process_cpu_seconds_total") {
		t.Errorf("metrics listener: %d", code)
	}
	if code, _ := get(t, "http://"+addrs["metrics-addr"]+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("metrics listener serves pprof: %d", code)
	}
	if code, body := get(t, "http://"+addrs["pprof-addr"]+"/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof listener: %d", code)
	}
	main := s.instrument(http.NotFoundHandler())
	rec := httptest.NewRecorder()
	main.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("main listener /metrics with --metrics-addr set: %d, want 404", rec.Code)
	}
	stop()
	if _, err := http.Get("http://" + addrs["metrics-addr"] + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after stop")
	}
}

// TestDebugListenerBadAddress reports a listen failure naming the flag.
func TestDebugListenerBadAddress(t *testing.T) {
	s := &Server{cfg: config.Config{PprofAddr: "256.0.0.1:1"}, metrics: metrics.New(), log: slog.New(slog.DiscardHandler)}
	if _, err := s.startDebugListeners(context.Background()); err == nil || !strings.Contains(err.Error(), "--pprof-addr") {
		t.Errorf("error = %v, want one naming --pprof-addr", err)
	}
}
