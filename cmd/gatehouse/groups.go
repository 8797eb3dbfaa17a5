package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// groupJSON is a group as --json prints it.
type groupJSON struct {
	Name    string            `json:"name"`
	Members []groupMemberJSON `json:"members"`
}

type groupMemberJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func toGroupJSON(g admin.Group) groupJSON {
	out := groupJSON{Name: g.Name, Members: make([]groupMemberJSON, 0, len(g.Members))}
	for _, m := range g.Members {
		out.Members = append(out.Members, groupMemberJSON(m))
	}
	return out
}

func runGroup(ctx context.Context, e env, args []string) error {
	member := func(op string) func(context.Context, env, []string) error {
		return func(ctx context.Context, e env, args []string) error { return runGroupMember(ctx, e, op, args) }
	}
	return dispatch(ctx, e, args, `Usage: gatehouse group list|show NAME|add NAME USER_ID|remove NAME USER_ID [flags]
A group is a name users carry (and their access tokens, in the groups
claim); it exists while it has members. gatehouse user update ID --group
sets all of one user's groups at once.`,
		subcommand{"list", runGroupList}, subcommand{"show", runGroupShow},
		subcommand{"add", member("add")}, subcommand{"remove", member("remove")})
}

func runGroupList(ctx context.Context, e env, args []string) error {
	c, err := positionalCommand(e, "group", "list", "group list [--db DSN] [--json]", nil, args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	groups, err := svc.ListGroups(ctx)
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSONList(e.stdout, groups, toGroupJSON)
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "GROUP\tMEMBERS\tEMAILS")
	for _, g := range groups {
		emails := make([]string, 0, len(g.Members))
		for _, m := range g.Members {
			emails = append(emails, m.Email)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", g.Name, len(g.Members), strings.Join(emails, " "))
	}
	return tw.Flush()
}

func runGroupShow(ctx context.Context, e env, args []string) error {
	c, err := positionalCommand(e, "group", "show", "group show NAME [--db DSN] [--json]", []string{"NAME"}, args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	g, err := svc.GetGroup(ctx, c.args[0])
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no user is in group %q (see gatehouse group list)", c.args[0])
	}
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(e.stdout, toGroupJSON(g))
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "USER ID\tEMAIL\tNAME")
	for _, m := range g.Members {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.ID, m.Email, m.Name)
	}
	return tw.Flush()
}

// runGroupMember adds a user to a group or removes one (verb "add" or
// "remove").
func runGroupMember(ctx context.Context, e env, verb string, args []string) error {
	usage := "group " + verb + " NAME USER_ID [--db DSN] [--json]\n\n"
	if verb == "add" {
		usage += "Adds the user to the group, which exists from its first member on."
	} else {
		usage += "Removes the user from the group; the group is gone with its last member."
	}
	c, err := positionalCommand(e, "group", verb, usage, []string{"NAME", "USER_ID"}, args)
	if err != nil {
		return err
	}
	group, userID := c.args[0], c.args[1]
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	var u storage.User
	if verb == "add" {
		u, err = svc.AddToGroup(ctx, group, userID)
	} else {
		u, err = svc.RemoveFromGroup(ctx, group, userID)
	}
	var ve *admin.ValidationError
	switch {
	case errors.As(err, &ve):
		return usagef("group name %q: %s", group, ve.Message)
	case errors.Is(err, storage.ErrNotFound):
		if _, gerr := svc.GetUser(ctx, userID); gerr != nil {
			return explainNotFound(gerr, "user", "user", userID)
		}
		return fmt.Errorf("user %s is not in group %q (see gatehouse group show %s)", userID, group, group)
	case err != nil:
		return err
	}
	if c.asJSON {
		return printJSON(e.stdout, toUserJSON(u))
	}
	if verb == "add" {
		fmt.Fprintf(e.stdout, "Added %s to group %q\n", u.Email, group)
	} else {
		fmt.Fprintf(e.stdout, "Removed %s from group %q\n", u.Email, group)
	}
	return nil
}
