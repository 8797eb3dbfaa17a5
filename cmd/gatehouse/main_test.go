package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// result is what one command line produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs one command line in-process with stdin as its input.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLICtx(t.Context(), stdin, args...)
}

func runCLICtx(ctx context.Context, stdin string, args ...string) result {
	var out, errb bytes.Buffer
	code := run(ctx, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// tempDB returns a DSN for a fresh SQLite database in a test directory.
func tempDB(t *testing.T) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "g.db")
}

// mustCode fails the test unless r exited with want.
func mustCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit status %d, want %d\nstdout: %s\nstderr: %s", r.code, want, r.stdout, r.stderr)
	}
}

// decodeOne decodes stdout as exactly one JSON value into v: any other
// text before or after it fails the test (the --json contract).
func decodeOne(t *testing.T, stdout string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout has data after the JSON value (err %v): %q", err, stdout)
	}
}

// openStore opens the database a test's commands used.
func openStore(t *testing.T, dsn string) server.Store {
	t.Helper()
	s, err := server.OpenMigrated(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRunTopLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring expected on stdout
		stderr     string // substring expected on stderr
		wantStdout bool
	}{
		{"no arguments", nil, 2, "Commands:", "", true},
		{"help", []string{"help"}, 0, "Commands:", "", true},
		{"--help", []string{"--help"}, 0, "Usage:", "", true},
		{"-h", []string{"-h"}, 0, "client", "", true},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`, false},
		{"version", []string{"version"}, 0, "gatehouse ", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", tt.args...)
			mustCode(t, r, tt.code)
			if !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want them to contain %q and %q", r.stdout, r.stderr, tt.stdout, tt.stderr)
			}
			if !tt.wantStdout && r.stdout != "" {
				t.Errorf("stdout %q, want nothing on a usage error", r.stdout)
			}
		})
	}
	// The usage lists every command.
	r := runCLI(t, "", "help")
	for _, c := range commands() {
		if !strings.Contains(r.stdout, c.name) || !strings.Contains(r.stdout, c.summary) {
			t.Errorf("help does not list %q: %s", c.name, r.stdout)
		}
	}
}

// TestBadUsage checks that every mistake in a command line exits 2 with a
// message naming what is wrong, and prints nothing on stdout.
func TestBadUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stdin string
		args  []string // --db is appended unless the args end with "-"
		want  string
	}{
		{"user without subcommand", "", []string{"user", "-"}, "missing subcommand"},
		{"user unknown subcommand", "", []string{"user", "remove"}, `unknown subcommand "remove"`},
		{"client without subcommand", "", []string{"client", "-"}, "missing subcommand"},
		{"client unknown subcommand", "", []string{"client", "purge"}, `unknown subcommand "purge"`},
		{"unknown flag", "pw-long-enough\n", []string{"user", "add", "--email", "a@example.com", "--password-stdin", "--frob"}, "flag provided but not defined: -frob"},
		{"unknown flag migrate", "", []string{"migrate", "--verbose"}, "flag provided but not defined"},
		{"missing --email", "pw-long-enough\n", []string{"user", "add", "--password-stdin"}, "--email is required"},
		{"missing --password-stdin", "pw-long-enough\n", []string{"user", "add", "--email", "a@example.com"}, "--password-stdin is required"},
		{"empty stdin", "", []string{"user", "add", "--email", "a@example.com", "--password-stdin"}, "no password on standard input"},
		{"blank first line", "\nsecond-line-password\n", []string{"user", "add", "--email", "a@example.com", "--password-stdin"}, "no password on standard input"},
		{"client add without type", "", []string{"client", "add", "--name", "App"}, "--type and --name are required"},
		{"client add without name", "", []string{"client", "add", "--type", "spa"}, "--type and --name are required"},
		{"bad --type", "", []string{"client", "add", "--type", "mobile", "--name", "App", "--redirect-uri", "https://app.example.com/cb"}, "--type"},
		{"show without ID", "", []string{"client", "show"}, "give the client ID"},
		{"delete without ID", "", []string{"client", "delete", "--json"}, "give the client ID"},
		{"show two IDs", "", []string{"client", "show", "id1", "id2"}, `unexpected argument "id2"`},
		{"serve positional argument", "", []string{"serve", "now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if args[len(args)-1] == "-" {
				args = args[:len(args)-1]
			} else {
				args = append(args, "--db", tempDB(t))
			}
			r := runCLI(t, tt.stdin, args...)
			mustCode(t, r, 2)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tt.want)
			}
			if !strings.Contains(r.stderr, "--help") {
				t.Errorf("stderr %q does not point to --help", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

// TestHelp checks that every command and subcommand explains itself on
// --help and exits 0 without touching a database.
func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"Usage: gatehouse serve", "-addr", "-issuer", "GATEHOUSE_ADDR", "-secret-file"}},
		{[]string{"serve", "-h"}, []string{"Usage: gatehouse serve"}},
		{[]string{"migrate", "--help"}, []string{"Usage: gatehouse migrate", "schema", "-db", "GATEHOUSE_DB"}},
		{[]string{"user", "--help"}, []string{"Usage: gatehouse user", "add", "list"}},
		{[]string{"user", "help"}, []string{"Usage: gatehouse user"}},
		{[]string{"user", "add", "--help"}, []string{"Usage: gatehouse user add", "-email", "-password-stdin", "-group", "-admin", "-json", "first line of standard input"}},
		{[]string{"user", "list", "--help"}, []string{"Usage: gatehouse user list", "-json", "-db"}},
		{[]string{"client", "--help"}, []string{"Usage: gatehouse client", "add", "list", "show", "delete"}},
		{[]string{"client", "add", "--help"}, []string{"Usage: gatehouse client add", "spa", "web", "native", "service", "-redirect-uri", "-redirect-uri-pattern", "-default-redirect-uri", "-post-logout-redirect-uri", "-scope", "-json"}},
		{[]string{"client", "list", "--help"}, []string{"Usage: gatehouse client list", "-json"}},
		{[]string{"client", "show", "--help"}, []string{"Usage: gatehouse client show ID", "-json"}},
		{[]string{"client", "delete", "--help"}, []string{"Usage: gatehouse client delete ID", "-json"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			db := filepath.Join(dir, "g.db")
			r := runCLI(t, "", append(tt.args, "--db", "sqlite:"+db)...)
			mustCode(t, r, 0)
			all := r.stdout + r.stderr
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("help lacks %q:\n%s", w, all)
				}
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--help touched the database (stat: %v)", err)
			}
		})
	}
}

// TestServeRejectsBadConfig runs serve with configurations it must refuse
// before opening anything. The context is already cancelled so that a
// regression that lets the server start returns instead of blocking.
func TestServeRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"http issuer on a public host", []string{"--issuer", "http://example.com"}, []string{"--issuer", "https"}},
		{"issuer with query", []string{"--issuer", "https://id.example.com/?tenant=1"}, []string{"--issuer", "query"}},
		{"garbage --addr", []string{"--addr", "garbage"}, []string{"--addr", "host:port"}},
		{"bad --log-format", []string{"--log-format", "xml"}, []string{"--log-format"}},
		{"tls cert without key", []string{"--tls-cert", "cert.pem"}, []string{"--tls-cert and --tls-key"}},
		{"zero --code-ttl", []string{"--code-ttl", "0s"}, []string{"--code-ttl must be positive"}},
		{"unparseable duration", []string{"--session-ttl", "forever"}, []string{"invalid value", "-session-ttl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			args := append([]string{"serve", "--db", "sqlite:" + filepath.Join(dir, "g.db"), "--addr", "127.0.0.1:0"}, tt.args...)
			r := runCLICtx(ctx, "", args...)
			mustCode(t, r, 2)
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q, want it to contain %q", r.stderr, w)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("serve created %v before validating its flags", entries)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	for i := range 2 { // the second run must be a no-op that succeeds
		r := runCLI(t, "", "migrate", "--db", "sqlite:"+path)
		mustCode(t, r, 0)
		if !strings.Contains(r.stdout, "up to date") {
			t.Errorf("run %d: stdout %q, want it to say the database is up to date", i+1, r.stdout)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("migrate did not create the database: %v", err)
	}
	// A migrated database works for the other commands.
	r := runCLI(t, "", "client", "list", "--json", "--db", "sqlite:"+path)
	mustCode(t, r, 0)
	var clients []map[string]any
	decodeOne(t, r.stdout, &clients)
	if clients == nil || len(clients) != 0 {
		t.Errorf("client list on a new database = %s, want []", r.stdout)
	}
}

func TestMigrateBadDSN(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{"mysql://localhost/db", "sqlite:"} {
		r := runCLI(t, "", "migrate", "--db", dsn)
		if r.code == 0 {
			t.Errorf("migrate --db %q succeeded", dsn)
		}
		if !strings.Contains(r.stderr, "--db") || !strings.Contains(r.stderr, "sqlite:") {
			t.Errorf("migrate --db %q: stderr %q does not say how to write a DSN", dsn, r.stderr)
		}
	}
}

// TestEnvDB checks that GATEHOUSE_DB stands in for --db, and that --db
// still wins over it.
func TestEnvDB(t *testing.T) {
	t.Chdir(t.TempDir()) // so that a fallback to ./gatehouse.db is visible
	envDB, flagDB := tempDB(t), tempDB(t)
	t.Setenv("GATEHOUSE_DB", envDB)

	r := runCLI(t, "", "client", "add", "--type", "spa", "--name", "Env", "--redirect-uri", "https://app.example.com/cb", "--json")
	mustCode(t, r, 0)
	var created clientOut
	decodeOne(t, r.stdout, &created)
	if _, err := os.Stat("gatehouse.db"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("GATEHOUSE_DB was ignored: ./gatehouse.db exists (%v)", err)
	}
	if _, err := openStore(t, envDB).GetClient(t.Context(), created.ClientID); err != nil {
		t.Errorf("client not in the GATEHOUSE_DB database: %v", err)
	}
	r = runCLI(t, "", "client", "show", created.ClientID, "--db", flagDB)
	mustCode(t, r, 1) // --db overrides the environment: not found there
	r = runCLI(t, "", "migrate")
	mustCode(t, r, 0)
}

// TestStrayArguments: an argument a command does not take must be refused
// (as serve does), not dropped. With an unquoted `--name Alice Smith` the
// flag parser stops at "Smith", so every flag after it is silently lost.
func TestStrayArguments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stdin string
		args        []string // "DB" is replaced by a fresh database
	}{
		{"migrate", "", []string{"migrate", "--db", "DB", "now"}},
		{"user list", "", []string{"user", "list", "--db", "DB", "all"}},
		{"client list", "", []string{"client", "list", "--db", "DB", "all"}},
		{"user add unquoted name", "long-enough-pw\n",
			[]string{"user", "add", "--db", "DB", "--email", "a@example.com", "--password-stdin", "--name", "Alice", "Smith", "--admin"}},
		{"client add unquoted name", "",
			[]string{"client", "add", "--db", "DB", "--type", "service", "--name", "My", "Service", "--scope", "api:read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := tempDB(t)
			args := slices.Clone(tt.args)
			args[slices.Index(args, "DB")] = db
			r := runCLI(t, tt.stdin, args...)
			if r.code == 0 {
				t.Fatalf("BUG: `gatehouse %s` exits 0, ignoring the arguments after the stray one (stdout %q)", strings.Join(tt.args, " "), r.stdout)
			}
			mustCode(t, r, 2)
			if !strings.Contains(r.stderr, "unexpected argument") {
				t.Errorf("stderr %q does not name the stray argument", r.stderr)
			}
		})
	}
}

// TestServeBadEnv: a malformed GATEHOUSE_* value is bad usage, like a
// malformed flag, not silently replaced by the default.
func TestServeBadEnv(t *testing.T) {
	t.Setenv("GATEHOUSE_CODE_TTL", "60")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := runCLICtx(ctx, "", "serve", "--db", tempDB(t), "--addr", "127.0.0.1:0")
	mustCode(t, r, 2)
	if !strings.Contains(r.stderr, "GATEHOUSE_CODE_TTL") {
		t.Errorf("stderr %q does not name the variable", r.stderr)
	}
}
