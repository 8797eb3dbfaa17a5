package main

import (
	"context"
	"fmt"
	"strings"
)

// subcommand is one verb of a noun command (gatehouse client add, ...).
type subcommand struct {
	name string
	run  func(ctx context.Context, e env, args []string) error
}

// dispatch runs the subcommand args[0] names, prints help for -h, --help
// or help, and reports a missing or unknown one as bad usage, listing the
// verbs in order ("add, list or show").
func dispatch(ctx context.Context, e env, args []string, help string, subs ...subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	want := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if len(args) == 0 {
		return usagef("missing subcommand: %s", want)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(e.stderr, help)
		return nil
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, e, args[1:])
		}
	}
	return usagef("unknown subcommand %q: want %s", args[0], want)
}
