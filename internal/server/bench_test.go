package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Micro-benchmarks of whole requests through the server's handler (every
// middleware, SQLite store, warn-level log as `serve` runs by default),
// in process: no network, no load generator. They measure CPU and
// allocations per request; they do not assert speed.

type benchEnv struct {
	h      http.Handler
	id     string
	secret string
}

func newBenchEnv(b *testing.B) benchEnv {
	b.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(b.TempDir(), "gatehouse.db")
	store, err := server.OpenMigrated(ctx, dsn)
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	master := []byte(strings.Repeat("s", 32))
	cs, err := secret.NewClientSecrets(master)
	if err != nil {
		b.Fatal(err)
	}
	c, plain, err := admin.New(store, cs, nil).CreateClient(ctx, admin.NewClient{Type: storage.ClientService, Name: "bench"})
	store.Close()
	if err != nil {
		b.Fatalf("add client: %v", err)
	}
	cfg := config.Default()
	cfg.DB = dsn
	cfg.Issuer = "http://127.0.0.1:1"
	if err := cfg.Validate(); err != nil {
		b.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// No Deps.Store: the server opens the database itself, with the cache
	// `serve` has.
	srv, err := server.New(ctx, cfg, master, log, server.Deps{})
	if err != nil {
		b.Fatalf("start server: %v", err)
	}
	b.Cleanup(func() { srv.Close() })
	return benchEnv{h: srv.Handler(), id: c.ID, secret: plain}
}

func (e benchEnv) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(e.id), url.QueryEscape(e.secret))
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ns/op, the process CPU time (garbage collection
// included) per iteration since start: on a shared machine it varies
// much less than ns/op, which is wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkClientCredentialsRequest(b *testing.B) {
	e := newBenchEnv(b)
	form := url.Values{"grant_type": {"client_credentials"}}
	b.ReportAllocs()
	start := cpuTime(b)
	defer reportCPU(b, start)
	for b.Loop() {
		if rec := e.post("/token", form); rec.Code != http.StatusOK {
			b.Fatalf("token: %d %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkIntrospectRequest(b *testing.B) {
	e := newBenchEnv(b)
	rec := e.post("/token", url.Values{"grant_type": {"client_credentials"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	form := url.Values{"token": {tok.AccessToken}}
	b.ReportAllocs()
	start := cpuTime(b)
	defer reportCPU(b, start)
	for b.Loop() {
		rec := e.post("/introspect", form)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"active":true`) {
			b.Fatalf("introspect: %d %s", rec.Code, rec.Body)
		}
	}
}
