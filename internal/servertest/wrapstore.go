package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// NewWrapped is New, except that the server talks to wrap(store) instead
// of the store itself. A test can wrap the store to observe or hold back
// calls and so force an interleaving of concurrent requests that real
// timing produces only now and then (say, a replayed code arriving between
// another request's ConsumeAuthCode and CreateToken). Env.Store and
// Env.Admin use the unwrapped store.
func NewWrapped(t testing.TB, opt Options, wrap func(server.Store) server.Store) *Env {
	t.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "gatehouse.db")
	if opt.Postgres {
		dsn = pgtest.NewDatabase(t)
	}
	store, err := server.OpenMigrated(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	ts := httptest.NewUnstartedServer(nil)
	cfg := config.Default()
	cfg.DB = dsn
	cfg.Issuer = "http://" + ts.Listener.Addr().String()
	if opt.Config != nil {
		opt.Config(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	logOut := opt.Log
	if logOut == nil {
		logOut = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := &Clock{}
	srv, err := server.New(ctx, cfg, []byte(strings.Repeat("s", 32)), log, server.Deps{Store: wrap(store), Now: clock.Now})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &Env{t: t, URL: cfg.Issuer, Server: ts, Store: store, Admin: admin.New(store, clock.Now), Clock: clock}
}
