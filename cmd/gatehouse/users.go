package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// userJSON is a user as --json prints it; the password hash never leaves.
type userJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Groups    []string  `json:"groups"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
}

func toUserJSON(u storage.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Groups: u.Groups, Admin: u.Admin, CreatedAt: u.CreatedAt}
}

func runUser(ctx context.Context, e env, args []string) error {
	return dispatch(ctx, e, args, "Usage: gatehouse user add|list|show ID|update ID|delete ID|passwd ID [flags]\nRun 'gatehouse user add --help' for its flags.",
		subcommand{"add", runUserAdd}, subcommand{"list", runUserList},
		subcommand{"show", runUserShow}, subcommand{"update", runUserUpdate}, // useradmin.go
		subcommand{"delete", runUserDelete}, subcommand{"passwd", runUserPasswd})
}

func runUserAdd(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "user add", "user add --email E [--name N] [--group G]... [--admin] --password-stdin [--db DSN] [--json]\n\nCreates a user who can sign in with a password. The password is read from the first line of standard input.")
	cfg.BindDB(fs)
	var in admin.NewUser
	var groups stringList
	var pwStdin, asJSON bool
	fs.StringVar(&in.Email, "email", "", "email address, used to sign in (required)")
	fs.StringVar(&in.Name, "name", "", "display name")
	fs.Var(&groups, "group", "group the user belongs to (repeatable)")
	fs.BoolVar(&in.Admin, "admin", false, "make the user an administrator")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input (required)")
	fs.BoolVar(&asJSON, "json", false, "print the user as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if in.Email == "" {
		return usagef("--email is required")
	}
	if !pwStdin {
		return usagef("--password-stdin is required: passwords are never taken on the command line")
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	in.Password, in.Groups = pw, groups
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	u, err := svc.CreateUser(ctx, in)
	if err != nil {
		return explain(err)
	}
	if asJSON {
		return printJSON(e.stdout, toUserJSON(u))
	}
	fmt.Fprintf(e.stdout, "Created user %s (id %s)\n", u.Email, u.ID)
	return nil
}

func runUserList(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "user list", "user list [--db DSN] [--json]")
	cfg.BindDB(fs)
	asJSON := fs.Bool("json", false, "print users as a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	users, err := svc.ListUsers(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSONList(e.stdout, users, toUserJSON)
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tADMIN")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.ID, u.Email, u.Name, u.Admin)
	}
	return tw.Flush()
}
