package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/demo"
	"github.com/gatehouse-dev/gatehouse/demo/api"
	"github.com/gatehouse-dev/gatehouse/demo/spa"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// Defaults of `gatehouse dev`: three loopback origins, so that the browser
// applies CORS to every call the app makes, and a database of its own.
const (
	devDefaultAddr    = "127.0.0.1:8080"
	devDefaultAPIAddr = "127.0.0.1:8081"
	devDefaultSPAAddr = "localhost:8082"
	devDefaultDB      = "sqlite:gatehouse-dev.db"
)

// devFlags are the settings of `gatehouse dev`.
type devFlags struct {
	addr, apiAddr, spaAddr, db, logLevel string
	json                                 bool
}

// bindDev registers dev's flags. Their environment variables are
// GATEHOUSE_DEV_*, not serve's GATEHOUSE_*: dev creates users with
// published passwords, and must never pick up a production --db from the
// environment.
func bindDev(fs *flag.FlagSet, f *devFlags) {
	devString(fs, &f.addr, "addr", devDefaultAddr, "address of Gatehouse, the issuer (port 0 picks a free one)")
	devString(fs, &f.apiAddr, "api-addr", devDefaultAPIAddr, "address of the demo API")
	devString(fs, &f.spaAddr, "spa-addr", devDefaultSPAAddr, "address of the sample app; its host names the app's origin (localhost by default, so it differs from the others)")
	devString(fs, &f.db, "db", devDefaultDB, "SQLite database for the demo (sqlite:PATH); created and seeded if needed")
	devString(fs, &f.logLevel, "log-level", "info", "log level: debug (every request), info, warn or error")
	fs.BoolVar(&f.json, "json", false, "print the URLs and demo logins as one JSON object, once everything is ready")
}

func devString(fs *flag.FlagSet, p *string, name, def, usage string) {
	env := "GATEHOUSE_DEV_" + strings.TrimPrefix(config.EnvName(name), "GATEHOUSE_")
	*p = def
	if v, ok := os.LookupEnv(env); ok {
		*p = v
	}
	fs.StringVar(p, name, *p, usage+" ["+env+"]")
}

// devListeners are the three sockets, bound before anything else so that
// port 0 becomes a real port the URLs can name.
type devListeners struct {
	gatehouse, api, spa net.Listener
}

func (l devListeners) close() {
	for _, ln := range []net.Listener{l.gatehouse, l.api, l.spa} {
		if ln != nil {
			ln.Close()
		}
	}
}

// devOrigin is http:// + the host as given (so "localhost" stays a name
// and a distinct origin) + the port actually bound.
func devOrigin(addr string, ln net.Listener) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func listenDev(f devFlags) (devListeners, error) {
	var l devListeners
	socks := []struct {
		flag, addr string
		dst        *net.Listener
	}{{"--addr", f.addr, &l.gatehouse}, {"--api-addr", f.apiAddr, &l.api}, {"--spa-addr", f.spaAddr, &l.spa}}
	for _, s := range socks {
		host, _, err := net.SplitHostPort(s.addr)
		if err != nil {
			return l, usagef("%s %q: want host:port, e.g. 127.0.0.1:8080", s.flag, s.addr)
		}
		if !config.IsLoopbackHost(host) {
			return l, usagef("%s %q: gatehouse dev serves on loopback hosts only (its demo passwords are public)", s.flag, s.addr)
		}
	}
	for _, s := range socks {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			l.close()
			return l, fmt.Errorf("listen on %s: %w (is another gatehouse dev running? choose another %s, or port 0)", s.addr, err, s.flag)
		}
		*s.dst = ln
	}
	return l, nil
}

func runDev(ctx context.Context, e env, args []string) error {
	var f devFlags
	fs := newFlags(e, "dev", `dev [flags]

Runs Gatehouse with a demo around it, for trying it out and for
development: Gatehouse on an SQLite database, the demo "assets" API and
the sample single-page app, each on its own loopback origin. It seeds an
editor, a viewer and an administrator (with published passwords:
development only), the app's OAuth client and the API's scopes, prints the URLs and logins,
and runs until interrupted. Running it again on the same database reuses
what it seeded.`)
	bindDev(fs, &f)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if !strings.HasPrefix(f.db, "sqlite:") || f.db == "sqlite:" {
		return usagef("--db %q: gatehouse dev runs on SQLite only (sqlite:PATH); use gatehouse serve for PostgreSQL", f.db)
	}
	log, err := server.NewLogger(e.stderr, "text", f.logLevel)
	if err != nil {
		return usagef("%v", err)
	}
	ls, err := listenDev(f)
	if err != nil {
		return err
	}
	defer ls.close()

	cfg := config.Default()
	cfg.DB = f.db
	cfg.Addr = ls.gatehouse.Addr().String()
	cfg.Issuer = devOrigin(f.addr, ls.gatehouse)
	cfg.Finish()
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	apiOrigin, spaOrigin := devOrigin(f.apiAddr, ls.api), devOrigin(f.spaAddr, ls.spa)
	if apiOrigin == cfg.Issuer || spaOrigin == cfg.Issuer || spaOrigin == apiOrigin {
		return usagef("the three addresses must give three different origins")
	}

	master, err := server.LoadMasterSecret("", cfg.DB)
	if err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, master, log.With("component", "gatehouse"), server.Deps{})
	if err != nil {
		return err
	}
	defer srv.Close()
	seeded, err := demo.Seed(ctx, srv.Store(), spaOrigin, nil)
	if err != nil {
		return err
	}
	for _, w := range seeded.Warnings {
		log.Warn("demo data differs from the defaults", "detail", w)
	}

	// Gatehouse serves first: the API's verifier reads its discovery.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 3)
	go func() { errc <- named("gatehouse", srv.Serve(ctx, ls.gatehouse)) }()

	apiHandler, err := api.New(ctx, api.Options{
		Issuer: cfg.Issuer, Audience: cfg.Issuer, AllowedOrigins: []string{spaOrigin}, Log: log.With("component", "api"),
	})
	if err != nil {
		cancel()
		<-errc
		return fmt.Errorf("demo api: %w", err)
	}
	spaHandler, err := spa.Handler(spa.Options{
		Issuer: cfg.Issuer, API: apiOrigin, Origin: spaOrigin, ClientID: seeded.ClientID, Scopes: demo.SPAScopes,
	})
	if err != nil {
		cancel()
		<-errc
		return err
	}
	go func() { errc <- named("demo api", serveHTTP(ctx, ls.api, apiHandler, log)) }()
	go func() { errc <- named("sample app", serveHTTP(ctx, ls.spa, spaHandler, log)) }()

	info := devInfo{Issuer: cfg.Issuer, Console: cfg.Issuer + "/console", API: apiOrigin, App: spaOrigin, ClientID: seeded.ClientID, DB: cfg.DB, Scopes: api.Scopes}
	for _, l := range seeded.Logins {
		info.Users = append(info.Users, devUser{Email: l.Email, Name: l.Name, Password: l.Password, Groups: l.Groups, Admin: l.Admin})
	}
	if f.json {
		err = printJSON(e.stdout, info)
	} else {
		err = info.print(e.stdout)
	}
	if err != nil {
		cancel()
	}

	// The first server to stop, for a signal or a failure, stops the rest.
	var errs []error
	for range 3 {
		if serr := <-errc; serr != nil {
			errs = append(errs, serr)
		}
		cancel()
	}
	return errors.Join(append([]error{err}, errs...)...)
}

func named(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// serveHTTP serves h on ln until ctx ends, then drains in-flight requests.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
