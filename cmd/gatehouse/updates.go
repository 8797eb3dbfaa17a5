package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// replaceScopes is a repeatable --scope name=description flag that, when
// given, replaces an API's scopes; an empty value (--scope "") empties them.
type replaceScopes struct{ scopes scopeFlag }

func (f *replaceScopes) String() string { return f.scopes.String() }
func (f *replaceScopes) Set(v string) error {
	if v == "" {
		return nil
	}
	return f.scopes.Set(v)
}

func runAPIUpdate(ctx context.Context, e env, args []string) error {
	var name, identifier string
	var scopes replaceScopes
	c, err := positionalCommand(e, "api", "update", `api update ID [--name N] [--identifier URI] [--scope name=description]... [--db DSN] [--json]

Changes an API's name, identifier (the audience of its new access tokens)
or scopes. An API stays in its project. A scope that a client is still
allowed cannot be removed: remove it from the client first.`+replaceHelp("scope"),
		[]string{"ID"}, args, func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "API name, 1 to 100 characters")
			fs.StringVar(&identifier, "identifier", "", "unique absolute URI, the access tokens' audience")
			fs.Var(&scopes, "scope", `scope the API defines, as name=description (repeatable; replaces the list)`)
		})
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	id := c.args[0]
	a, err := svc.GetAPI(ctx, id)
	if err != nil {
		return explainNotFound(err, "API", "api", id)
	}
	in := admin.APIInput{Name: a.Name, Identifier: a.Identifier, Scopes: a.Scopes}
	changed := false
	c.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "name":
			in.Name, changed = name, true
		case "identifier":
			in.Identifier, changed = identifier, true
		case "scope":
			in.Scopes, changed = append([]storage.APIScope{}, scopes.scopes...), true
		}
	})
	if !changed {
		return nothingToChange("api", "update")
	}
	a, err = svc.UpdateAPI(ctx, id, in)
	if errors.Is(err, storage.ErrNotFound) {
		return explainNotFound(err, "API", "api", id)
	}
	if err != nil {
		return explain(err)
	}
	if c.asJSON {
		return printJSON(e.stdout, admin.APIViewOf(a))
	}
	fmt.Fprintf(e.stdout, "Updated API %q (%s)\n  identifier: %s\n", a.Name, a.ID, a.Identifier)
	return nil
}

func runProjectUpdate(ctx context.Context, e env, args []string) error {
	var name, description string
	c, err := positionalCommand(e, "project", "update", `project update ID [--name N] [--description D] [--db DSN] [--json]

Renames a project or changes its description (--description '' clears
it). Only the flags given change.`,
		[]string{"ID"}, args, func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "project name, 1 to 100 characters")
			fs.StringVar(&description, "description", "", "what the project is for, at most 500 characters")
		})
	if err != nil {
		return err
	}
	if !c.given("name") && !c.given("description") {
		return nothingToChange("project", "update")
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	id := c.args[0]
	p, err := svc.GetProject(ctx, id)
	if err != nil {
		return explainNotFound(err, "project", "project", id)
	}
	in := admin.ProjectInput{Name: p.Name, Description: p.Description}
	if c.given("name") {
		in.Name = name
	}
	if c.given("description") {
		in.Description = description
	}
	p, err = svc.UpdateProject(ctx, id, in)
	if errors.Is(err, storage.ErrNotFound) {
		return explainNotFound(err, "project", "project", id)
	}
	if err != nil {
		return explain(err)
	}
	if c.asJSON {
		return printJSON(e.stdout, admin.ProjectViewOf(p))
	}
	fmt.Fprintf(e.stdout, "Updated project %q (%s)\n", p.Name, p.ID)
	return nil
}
