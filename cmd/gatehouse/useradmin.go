package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// explainUser explains the failures of the commands on one user: an
// unknown ID, the last administrator, or a validation error naming a
// flag.
func explainUser(err error, id string) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return explainNotFound(err, "user", "user", id)
	case errors.Is(err, admin.ErrLastAdmin):
		return fmt.Errorf("user %s is the last administrator: make another user one first (gatehouse user update ID --admin)", id)
	}
	return explain(err)
}

func runUserShow(ctx context.Context, e env, args []string) error {
	c, err := positionalCommand(e, "user", "show", "user show ID [--db DSN] [--json]", []string{"ID"}, args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	u, err := svc.GetUser(ctx, c.args[0])
	if err != nil {
		return explainUser(err, c.args[0])
	}
	if c.asJSON {
		return printJSON(e.stdout, toUserJSON(u))
	}
	tw := newTable(e.stdout)
	fmt.Fprintf(tw, "id\t%s\nemail\t%s\nname\t%s\ngroups\t%s\nadmin\t%v\ncreated\t%s\n",
		u.ID, u.Email, u.Name, strings.Join(u.Groups, " "), u.Admin, u.CreatedAt.Format(time.RFC3339))
	return tw.Flush()
}

func runUserUpdate(ctx context.Context, e env, args []string) error {
	var name string
	var groups replaceList
	var isAdmin, notAdmin bool
	c, err := positionalCommand(e, "user", "update", `user update ID [--name N] [--group G]... [--admin | --no-admin] [--db DSN] [--json]

Changes a user's display name, groups or administrator flag. The last
administrator cannot be demoted. The email stays; for the password see
gatehouse user passwd.`+replaceHelp("group"),
		[]string{"ID"}, args, func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "display name ('' for none)")
			fs.Var(&groups, "group", "group the user belongs to (repeatable; replaces the list)")
			fs.BoolVar(&isAdmin, "admin", false, "make the user an administrator")
			fs.BoolVar(&notAdmin, "no-admin", false, "make the user no longer an administrator")
		})
	if err != nil {
		return err
	}
	var in admin.UserUpdate
	if c.given("name") {
		in.Name = &name
	}
	if c.given("group") {
		list := groups.list()
		in.Groups = &list
	}
	switch {
	case c.given("admin") && c.given("no-admin"):
		return usagef("give --admin or --no-admin, not both")
	case c.given("admin"):
		in.Admin = &isAdmin
	case c.given("no-admin"):
		v := !notAdmin
		in.Admin = &v
	}
	if in.Name == nil && in.Groups == nil && in.Admin == nil {
		return nothingToChange("user", "update")
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	u, err := svc.UpdateUser(ctx, c.args[0], in)
	if err != nil {
		return explainUser(err, c.args[0])
	}
	if c.asJSON {
		return printJSON(e.stdout, toUserJSON(u))
	}
	fmt.Fprintf(e.stdout, "Updated user %s (id %s)\n", u.Email, u.ID)
	return nil
}

func runUserDelete(ctx context.Context, e env, args []string) error {
	c, err := positionalCommand(e, "user", "delete", `user delete ID [--db DSN] [--json]

Deletes a user with their sessions, approvals, codes and tokens. The last
administrator cannot be deleted.`, []string{"ID"}, args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	id := c.args[0]
	if err := svc.DeleteUser(ctx, id); err != nil {
		return explainUser(err, id)
	}
	if c.asJSON {
		return printJSON(e.stdout, map[string]any{"id": id, "deleted": true})
	}
	fmt.Fprintf(e.stdout, "Deleted user %s\n", id)
	return nil
}

func runUserPasswd(ctx context.Context, e env, args []string) error {
	var pwStdin bool
	c, err := positionalCommand(e, "user", "passwd", `user passwd ID --password-stdin [--db DSN] [--json]

Sets a user's password, read from the first line of standard input. It
signs the user out everywhere and revokes the tokens of every app they
approved (the approvals stay), since whoever knew the old password may
hold them.`, []string{"ID"}, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input (required)")
	})
	if err != nil {
		return err
	}
	if !pwStdin {
		return usagef("--password-stdin is required: passwords are never taken on the command line")
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	id := c.args[0]
	if err := svc.SetPassword(ctx, id, pw); err != nil {
		return explainUser(err, id)
	}
	if c.asJSON {
		return printJSON(e.stdout, map[string]any{"id": id, "password_set": true})
	}
	fmt.Fprintf(e.stdout, "Set the password of user %s; their sessions and app tokens were revoked.\n", id)
	return nil
}
