package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// Clock is a settable clock; the zero value follows real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Options choose the backend and tweak the configuration.
type Options struct {
	Postgres bool                 // use a throwaway PostgreSQL database
	Config   func(*config.Config) // adjust the configuration before start
	Log      io.Writer            // server log; default discarded
	// WrapStore, when set, puts a wrapper between the server and its
	// store, so a test can observe or hold back calls and force an
	// interleaving that real timing produces only now and then. Env.Store
	// and Env.Admin use the unwrapped store.
	WrapStore func(server.Store) server.Store
}

// Env is a running Gatehouse.
type Env struct {
	t      testing.TB
	URL    string // the issuer: the server's base URL
	Server *httptest.Server
	Store  server.Store
	Admin  *admin.Service
	Clock  *Clock
}

// New starts a Gatehouse on a fresh database; it stops with the test.
func New(t testing.TB, opt Options) *Env {
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
	serverStore := server.Store(store)
	if opt.WrapStore != nil {
		serverStore = opt.WrapStore(store)
	}
	master := []byte(strings.Repeat("s", 32))
	srv, err := server.New(ctx, cfg, master, log, server.Deps{Store: serverStore, Now: clock.Now})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	// The admin service hashes client secrets under the server's master
	// secret, or the server could not verify them.
	clientSecrets, err := secret.NewClientSecrets(master)
	if err != nil {
		t.Fatalf("client secrets: %v", err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &Env{t: t, URL: cfg.Issuer, Server: ts, Store: store, Admin: admin.New(store, clientSecrets, clock.Now), Clock: clock}
}

// AddUser creates a user with a password.
func (e *Env) AddUser(email, password string) storage.User {
	e.t.Helper()
	u, err := e.Admin.CreateUser(context.Background(), admin.NewUser{Email: email, Name: "User " + email, Password: password})
	if err != nil {
		e.t.Fatalf("add user: %v", err)
	}
	return u
}

// AddClient registers a client and returns it with its plain secret.
func (e *Env) AddClient(in admin.NewClient) (storage.Client, string) {
	e.t.Helper()
	c, plain, err := e.Admin.CreateClient(context.Background(), in)
	if err != nil {
		e.t.Fatalf("add client: %v", err)
	}
	return c, plain
}

// UpdateClient changes a client's stored registration directly, for
// settings the admin service does not expose yet.
func (e *Env) UpdateClient(c storage.Client) {
	e.t.Helper()
	if err := e.Store.UpdateClient(context.Background(), c); err != nil {
		e.t.Fatalf("update client: %v", err)
	}
}
