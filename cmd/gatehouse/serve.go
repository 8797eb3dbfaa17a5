package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

func runServe(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "serve", "serve [flags]\n\nRuns the Gatehouse server. With no flags it listens on 127.0.0.1:8080 and keeps its data in ./gatehouse.db.")
	cfg.BindServe(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg.Finish()
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	log, err := server.NewLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return usagef("%v", err)
	}
	master, err := server.LoadMasterSecret(cfg.SecretFile, cfg.DB)
	if err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, master, log, server.Deps{})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server running? choose another --addr)", cfg.Addr, err)
	}
	log.Info("gatehouse is serving", "issuer", cfg.Issuer, "addr", ln.Addr().String(), "db", server.RedactDSN(cfg.DB), "pid", os.Getpid())
	return srv.Serve(ctx, ln)
}

func runMigrate(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "migrate", "migrate [--db DSN]\n\nCreates or updates the database schema. The server also does this when it starts.")
	cfg.BindDB(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(e.stdout, "database %s is up to date\n", server.RedactDSN(cfg.DB))
	return nil
}
