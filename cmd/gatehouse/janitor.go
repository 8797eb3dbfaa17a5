package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/janitor"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// janitorJSON is what `janitor --once --json` prints.
type janitorJSON struct {
	Removed int `json:"removed"`
}

func runJanitor(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "janitor", `janitor --once [--db DSN] [--json]
       gatehouse janitor [--janitor-interval 10m] [--db DSN]

Deletes expired authorization codes, tokens, sessions and client-assertion
IDs, and revoked grants that have no tokens left, in small batches. With
--once it sweeps once and exits (say, from cron); otherwise it sweeps every
--janitor-interval until stopped. A running server does this itself unless
its --janitor-interval is 0.`)
	cfg.BindDB(fs)
	cfg.BindJanitor(fs)
	once := fs.Bool("once", false, "sweep once and exit")
	asJSON := fs.Bool("json", false, `with --once: print {"removed": N}`)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *asJSON && !*once {
		return usagef("--json needs --once")
	}
	if !*once && cfg.JanitorInterval <= 0 {
		return usagef("--janitor-interval must be positive to run in a loop; use --once for a single sweep")
	}
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	if *once {
		n, err := janitor.Once(ctx, store, time.Now())
		if err != nil {
			return fmt.Errorf("removed %d expired rows, then failed: %w", n, err)
		}
		if *asJSON {
			return printJSON(e.stdout, janitorJSON{Removed: n})
		}
		fmt.Fprintf(e.stdout, "removed %d expired rows\n", n)
		return nil
	}
	log, err := server.NewLogger(e.stderr, "text", "info")
	if err != nil {
		return err
	}
	log.Info("janitor running", "interval", cfg.JanitorInterval.String(), "db", server.RedactDSN(cfg.DB))
	janitor.Run(ctx, store, janitor.Options{Interval: cfg.JanitorInterval, Log: log})
	log.Info("janitor stopped")
	return nil
}
