// Command gatehouse-load drives a running OpenID provider with concurrent
// virtual users and reports throughput, latency percentiles, errors and
// the server's CPU time per operation. See internal/loadgen, and
// BENCHMARKS.md for how the published figures were made.
//
//	gatehouse-load seed  --db DSN [--secret-file F] [--users 16] [--out creds.json]
//	gatehouse-load scale --db DSN [--users 100000] [--clients 10000] [--tokens 1000000]
//	gatehouse-load run   --issuer URL --creds creds.json [-c 16] [-d 10s] [--warmup 2s] [--scenarios a,b]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/loadgen"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

const usage = `usage:
  gatehouse-load seed  --db DSN [--secret-file F] [--users N] [--out FILE]
      create load users and clients in a Gatehouse database; print their credentials (JSON)
  gatehouse-load scale --db DSN [--users N] [--clients N] [--tokens N]
      bulk-fill a Gatehouse database with users, clients and live tokens
  gatehouse-load run   --issuer URL --creds FILE [-c N] [-d DURATION] [--warmup DURATION] [--scenarios LIST]
      run scenarios against a running provider and print a table
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "gatehouse-load:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "seed":
		return runSeed(ctx, args[1:], stdout, stderr)
	case "scale":
		return runScale(ctx, args[1:], stdout, stderr)
	case "run":
		return runLoad(ctx, args[1:], stdout, stderr)
	}
	return errUsage
}

// openAdmin opens the database the way `gatehouse serve` does, with the
// master secret that keys client-secret hashes.
func openAdmin(ctx context.Context, dsn, secretFile string) (server.Store, *admin.Service, error) {
	master, err := server.LoadMasterSecret(secretFile, dsn)
	if err != nil {
		return nil, nil, err
	}
	store, err := server.OpenMigrated(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	secrets, err := secret.NewClientSecrets(master)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, admin.New(store, secrets, time.Now), nil
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", config.DefaultDB, "database: sqlite:PATH or postgres://...")
	secretFile := fs.String("secret-file", "", "the server's master secret file (default: beside an SQLite database)")
	users := fs.Int("users", 16, "load users to create (one per connection is plenty)")
	out := fs.String("out", "-", "write the credentials (JSON) to this file; - is stdout")
	redirect := fs.String("redirect-uri", loadgen.DefaultRedirectURI, "the public client's redirect URI (never opened)")
	idAlg := fs.String("id-token-alg", "ES256", "the public client's ID token algorithm: ES256, EdDSA or RS256 (empty: the OIDC default, RS256)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, adm, err := openAdmin(ctx, *dsn, *secretFile)
	if err != nil {
		return err
	}
	defer store.Close()
	creds, err := loadgen.Seed(ctx, adm, loadgen.SeedOptions{Users: *users, RedirectURI: *redirect, IDTokenAlg: *idAlg})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *out == "-" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o600)
}

func runScale(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", config.DefaultDB, "database: sqlite:PATH or postgres://...")
	opt := loadgen.ScaleOptions{}
	fs.IntVar(&opt.Users, "users", 100_000, "users to add")
	fs.IntVar(&opt.Clients, "clients", 10_000, "clients to add")
	fs.IntVar(&opt.Tokens, "tokens", 1_000_000, "live tokens to add (half access, half refresh)")
	fs.IntVar(&opt.Workers, "workers", 8, "concurrent writers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := server.OpenMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	opt.Progress = func(what string, n int) {
		fmt.Fprintf(stderr, "%s: %d (%s)\n", what, n, time.Since(start).Round(time.Second))
	}
	if err := loadgen.SeedScale(ctx, store, opt); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %d users, %d clients, %d tokens in %s\n", opt.Users, opt.Clients, opt.Tokens, time.Since(start).Round(time.Second))
	return nil
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	issuer := fs.String("issuer", "http://127.0.0.1:8080", "the provider's issuer URL (discovery is read from it)")
	credsFile := fs.String("creds", "", "credentials file written by `gatehouse-load seed` (or by hand)")
	conns := fs.Int("c", 16, "concurrent connections (virtual users)")
	dur := fs.Duration("d", 10*time.Second, "measured time per scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before it")
	count := fs.Int("n", 0, "run this many operations per connection instead of -d (no warm-up; every one measured)")
	list := fs.String("scenarios", "authcode,client_credentials,refresh,introspect,userinfo,resource,login", "comma-separated scenarios")
	pid := fs.Int("pid", 0, "read the server's CPU and RSS from /proc/PID/stat instead of its /metrics")
	metricsURL := fs.String("metrics", "", "Prometheus exposition with process_cpu_seconds_total (default ISSUER/metrics; none: skip)")
	audience := fs.String("resource-audience", "", "the audience the resource scenario's server requires (default: the issuer)")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *credsFile == "" {
		return fmt.Errorf("--creds is required (run `gatehouse-load seed` first)")
	}
	var creds loadgen.Credentials
	raw, err := os.ReadFile(*credsFile)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &creds); err != nil {
		return fmt.Errorf("%s: %w", *credsFile, err)
	}
	scenarios, err := loadgen.ParseScenarios(*list)
	if err != nil {
		return err
	}
	transport := &http.Transport{MaxIdleConns: 4 * *conns, MaxIdleConnsPerHost: 2 * *conns, IdleConnTimeout: time.Minute, DisableCompression: true}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	disc, err := loadgen.Discover(ctx, client, *issuer)
	if err != nil {
		return err
	}
	target := &loadgen.Target{Discovery: disc, Creds: creds, Transport: transport}
	if *audience == "" {
		*audience = disc.Issuer
	}
	resourceURL, stopResource, err := loadgen.StartResource(ctx, disc.Issuer, *audience, client)
	if err != nil {
		return err
	}
	defer stopResource()
	target.ResourceURL = resourceURL
	var sampler loadgen.Sampler
	switch {
	case *pid != 0:
		sampler = loadgen.ProcSampler{PID: *pid}
	case *metricsURL == "none":
	case *metricsURL != "":
		sampler = loadgen.MetricsSampler{URL: *metricsURL, Client: &http.Client{Timeout: 10 * time.Second}}
	default:
		sampler = loadgen.MetricsSampler{URL: disc.Issuer + "/metrics", Client: &http.Client{Timeout: 10 * time.Second}}
	}
	var results []loadgen.Result
	for _, sc := range scenarios {
		fmt.Fprintf(stderr, "%s: %d connections, %s warm-up, %s measured\n", sc.Name, *conns, *warmup, *dur)
		res, err := loadgen.Run(ctx, sc, target, loadgen.Options{Concurrency: *conns, Duration: *dur, Warmup: *warmup, Count: *count, Sampler: sampler})
		if err != nil {
			return err
		}
		if res.SamplerErr != nil {
			fmt.Fprintf(stderr, "%s: no server CPU figure: %v\n", sc.Name, res.SamplerErr)
		}
		results = append(results, res)
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return loadgen.WriteTable(stdout, results)
}
