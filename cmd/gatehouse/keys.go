package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// keyJSON is a signing key as `keys list --json` prints it.
type keyJSON struct {
	KID         string    `json:"kid"`
	Alg         string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatesAt time.Time `json:"activates_at"`
	NotAfter    time.Time `json:"not_after"`
}

// rotationJSON is one algorithm's rotation as `keys rotate --json` prints it.
type rotationJSON struct {
	Alg         string    `json:"alg"`
	PreviousKID string    `json:"previous_kid"`
	CurrentKID  string    `json:"current_kid"`
	NextKID     string    `json:"next_kid"`
	RotatedAt   time.Time `json:"rotated_at"`
	NextAt      time.Time `json:"next_activates_at"`
}

func runKeys(ctx context.Context, e env, args []string) error {
	return dispatch(ctx, e, args, "Usage: gatehouse keys list|rotate [flags]\nRun 'gatehouse keys rotate --help' for its flags.",
		subcommand{"list", runKeysList}, subcommand{"rotate", runKeysRotate})
}

func runKeysList(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "keys list", `keys list [--db DSN] [--json]

Lists the signing keys, oldest first, with their state:
  next      published in the JWKS; signs from ACTIVATES
  current   signs tokens until NOT AFTER
  previous  no longer signs; still published so that the tokens it signed
            verify, until the server deletes it when they have expired`)
	cfg.BindDB(fs)
	asJSON := fs.Bool("json", false, "print the keys as a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	// What the admin API and console list. Without the ring (whose
	// retention is the server's token lifetimes) no key is shown as
	// retired, only as previous until the server deletes it.
	infos, err := svc.ListKeys(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]keyJSON, 0, len(infos))
		for _, i := range infos {
			out = append(out, keyJSON{KID: i.ID, Alg: i.Alg, State: string(i.State),
				CreatedAt: i.CreatedAt.UTC(), ActivatesAt: i.ActivatesAt.UTC(), NotAfter: i.NotAfter.UTC()})
		}
		return printJSON(e.stdout, out)
	}
	if len(infos) == 0 {
		fmt.Fprintln(e.stdout, "No signing keys yet: the server creates them when it starts (or run gatehouse keys rotate).")
		return nil
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tCREATED\tACTIVATES\tNOT AFTER")
	for _, i := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.ID, i.Alg, i.State, stamp(i.CreatedAt), stamp(i.ActivatesAt), stamp(i.NotAfter))
	}
	return tw.Flush()
}

func runKeysRotate(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "keys rotate", `keys rotate [--alg ALG] [--db DSN] [--secret-file PATH] [--json]

Makes the next signing key sign from now and publishes a new next key.
The key that signed until now keeps verifying the tokens it signed until
they expire. Running servers switch within a minute. Give the server's
--key-rotation-period (or set GATEHOUSE_KEY_ROTATION_PERIOD for both).`)
	cfg.BindDB(fs)
	cfg.BindSecretFile(fs)
	cfg.BindKeyRotation(fs)
	alg := fs.String("alg", "", "rotate only this algorithm's keys: ES256, RS256 or EdDSA (default all)")
	asJSON := fs.Bool("json", false, "print the rotations as a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *alg != "" && !keys.SupportedAlg(*alg) {
		return usagef("--alg %q: want ES256, RS256 or EdDSA", *alg)
	}
	if cfg.KeyRotationPeriod < config.MinKeyRotationPeriod {
		return usagef("--key-rotation-period %v: must be at least %v", cfg.KeyRotationPeriod, config.MinKeyRotationPeriod)
	}
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	master, err := server.LoadMasterSecret(cfg.SecretFile, cfg.DB)
	if err != nil {
		return err
	}
	ring, err := keys.NewRing(store, master, keys.Options{Period: cfg.KeyRotationPeriod, Audit: audit.New(store, audit.Options{})})
	if err != nil {
		return err
	}
	// The admin API's code path: admin.Service.RotateKeys through the ring,
	// which records each rotation in the audit trail.
	rots, err := admin.New(store, nil, nil).WithKeys(ring).RotateKeys(ctx, *alg)
	if err != nil {
		return explain(err)
	}
	out := make([]rotationJSON, 0, len(rots))
	for _, rot := range rots {
		a := rot.Alg
		out = append(out, rotationJSON{Alg: a, PreviousKID: rot.Previous.ID, CurrentKID: rot.Current.ID, NextKID: rot.Next.ID,
			RotatedAt: rot.Current.ActivatesAt.UTC(), NextAt: rot.Next.ActivatesAt.UTC()})
		// Relying parties cache the JWKS for a minute and replicas reread
		// keys every minute; a key younger than that may surprise them.
		if age := rot.Current.ActivatesAt.Sub(rot.Current.CreatedAt); age < 2*keys.DefaultRefresh {
			fmt.Fprintf(e.stderr, "warning: the new %s key was published only %v before it began signing; relying parties that cached the JWKS before then must fetch it again when they see its kid\n", a, age.Round(time.Second))
		}
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	for _, r := range out {
		fmt.Fprintf(e.stdout, "%s: %s signs from now; %s stopped signing and verifies until its tokens expire; %s is next, from %s\n",
			r.Alg, r.CurrentKID, r.PreviousKID, r.NextKID, stamp(r.NextAt))
	}
	fmt.Fprintln(e.stdout, "Running servers switch within a minute.")
	return nil
}

// stamp formats a key time for people: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
