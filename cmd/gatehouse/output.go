package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// printJSON writes v as indented JSON: the only thing --json prints on stdout.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printJSONList writes items as one indented JSON array of their views,
// "[]" when there are none.
func printJSONList[T, V any](w io.Writer, items []T, view func(T) V) error {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	return printJSON(w, out)
}

// newTable returns the writer of the aligned columns the commands print
// without --json; Flush writes them.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// readPassword reads the first line of r (for --password-stdin).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("no password on standard input (pipe it in: echo 'secret' | gatehouse user add --email ... --password-stdin)")
	}
	return pw, nil
}

// explain turns validation errors into usage errors that name the flag.
func explain(err error) error {
	var ve *admin.ValidationError
	if errors.As(err, &ve) {
		flagName := strings.ReplaceAll(ve.Field, "_", "-")
		switch ve.Field {
		case "password":
			flagName = "password-stdin"
		case "jwks":
			flagName = "jwks-file"
		}
		return usagef("--%s: %s", flagName, ve.Message)
	}
	return err
}

// openAdmin opens and migrates the store cfg names and returns the admin
// service on it (for commands that need no client secrets), with the
// function that closes it.
func openAdmin(ctx context.Context, cfg config.Config) (*admin.Service, func(), error) {
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	return admin.New(store, nil, nil), func() { store.Close() }, nil
}

// explainNotFound says which list to look in when a record does not exist,
// and passes other errors through.
func explainNotFound(err error, noun, command, id string) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no %s with ID %q (see gatehouse %s list)", noun, id, command)
	}
	return err
}
