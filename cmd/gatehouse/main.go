// Command gatehouse is the Gatehouse identity server and its administration
// tool. Run `gatehouse help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
)

// usageError marks a mistake in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// env is what a command may touch: its streams. Tests run commands with
// their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"dev", "run the server with the demo API and sample app, seeded", runDev},
		{"migrate", "create or update the database schema", runMigrate},
		{"user", "manage users (add, list, show, update, delete, passwd)", runUser},
		{"group", "manage group membership (list, show, add, remove)", runGroup},
		{"client", "manage OAuth clients (add, list, show, update, delete, rotate-secret)", runClient},
		{"project", "manage developer-console projects (add, list, show, update, delete)", runProject},
		{"api", "manage APIs, the resource servers of a project (add, list, show, update, delete)", runAPI},
		{"keys", "list and rotate signing keys", runKeys},
		{"janitor", "delete expired codes, tokens and sessions", runJanitor},
		{"login", "sign in from the command line and print the tokens", runLogin},
		{"audit", "verify or export the audit trail", runAudit},
		{"version", "print the version", runVersion},
	}
}

// gcPercent is the collector's target when GOGC is not set. The server's
// live heap is a few MB, so the default of 100 collects dozens of times a
// second under load; 200 halves that for about 10 MB more RSS under load
// and none at idle (BENCHMARKS.md). GOGC in the environment still wins.
const gcPercent = 200

func main() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 success,
// 1 a failure it explained, 2 bad usage.
func run(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	ctx = audit.WithActor(ctx, audit.ActorCLI) // who the audit trail records for changes made here
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(e.stderr, "gatehouse %s: %v\nRun 'gatehouse %s --help' for usage.\n", c.name, err, c.name)
			return 2
		default:
			fmt.Fprintf(e.stderr, "gatehouse %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "gatehouse: unknown command %q\n", args[0])
	printUsage(e.stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "Gatehouse is an OAuth 2.0 and OpenID Connect identity server.\n\nUsage:\n  gatehouse <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nEvery flag can also be set by an environment variable: --db is GATEHOUSE_DB.\nRun 'gatehouse <command> --help' for a command's flags.\n")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(e env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: gatehouse %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; a parse failure is a usage error, --help is ErrHelp.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// parseNoArgs parses flags of a command that takes no positional
// arguments. A stray one usually means an unquoted value (--name My App),
// which must not be silently dropped.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (quote values that contain spaces)", fs.Arg(0))
	}
	return nil
}

var version = "dev"

func runVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintln(e.stdout, "gatehouse", version)
	return nil
}
