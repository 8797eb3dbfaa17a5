package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func runAPI(ctx context.Context, e env, args []string) error {
	return dispatch(ctx, e, args, `Usage: gatehouse api add|list|show ID|update ID|delete ID [flags]
An API is a resource server: its identifier is the audience of its access
tokens, and its scopes are shown, with their descriptions, on the consent page.
Run 'gatehouse api add --help' for its flags.`,
		subcommand{"add", runAPIAdd}, subcommand{"list", runAPIList}, subcommand{"show", runAPIShow},
		subcommand{"update", runAPIUpdate}, // updates.go
		subcommand{"delete", runAPIDelete})
}

// scopeFlag collects repeatable --scope name=description values.
type scopeFlag []storage.APIScope

func (f *scopeFlag) String() string {
	names := make([]string, 0, len(*f))
	for _, sc := range *f {
		names = append(names, sc.Name)
	}
	return strings.Join(names, ",")
}

// Set takes name=description; the description (and the =) may be left out.
func (f *scopeFlag) Set(v string) error {
	name, desc, _ := strings.Cut(v, "=")
	*f = append(*f, storage.APIScope{Name: name, Description: desc})
	return nil
}

func runAPIAdd(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "api add", `api add --project ID --name N --identifier URI [--scope name=description]... [--db DSN] [--json]

Registers an API of a project. The identifier is an absolute https URI
(http only on localhost), e.g. https://api.example.com: the audience ("aud")
of the API's access tokens. Clients given --api ID may be allowed its scopes.`)
	cfg.BindDB(fs)
	var in admin.APIInput
	var scopes scopeFlag
	fs.StringVar(&in.ProjectID, "project", "", "ID of the project that owns the API (required; see gatehouse project list)")
	fs.StringVar(&in.Name, "name", "", "API name, 1 to 100 characters (required)")
	fs.StringVar(&in.Identifier, "identifier", "", "unique absolute URI, the access tokens' audience (required)")
	fs.Var(&scopes, "scope", `scope the API defines, as name=description, e.g. 'orders:read=Read your orders' (repeatable)`)
	asJSON := fs.Bool("json", false, "print the API as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if in.ProjectID == "" || in.Name == "" || in.Identifier == "" {
		return usagef("--project, --name and --identifier are required")
	}
	in.Scopes = scopes
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.CreateAPI(ctx, in)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		return printJSON(e.stdout, admin.APIViewOf(a))
	}
	fmt.Fprintf(e.stdout, "Created API %q\n  id:         %s\n  identifier: %s\n", a.Name, a.ID, a.Identifier)
	return nil
}

func runAPIList(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "api list", "api list [--project ID] [--db DSN] [--json]")
	cfg.BindDB(fs)
	project := fs.String("project", "", "list only this project's APIs")
	asJSON := fs.Bool("json", false, "print APIs as a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	if *project != "" {
		if _, err := svc.GetProject(ctx, *project); errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no project with ID %q (see gatehouse project list)", *project)
		} else if err != nil {
			return err
		}
	}
	apis, err := svc.ListAPIs(ctx, *project)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSONList(e.stdout, apis, admin.APIViewOf)
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "API ID\tPROJECT ID\tNAME\tIDENTIFIER\tSCOPES")
	for _, a := range apis {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.ProjectID, a.Name, a.Identifier, scopeNames(a.Scopes))
	}
	return tw.Flush()
}

func scopeNames(scopes []storage.APIScope) string {
	names := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		names = append(names, sc.Name)
	}
	return strings.Join(names, " ")
}

func runAPIShow(ctx context.Context, e env, args []string) error {
	cfg, id, asJSON, err := nounIDCommand(e, "api", "show", args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.GetAPI(ctx, id)
	if err != nil {
		return explainNotFound(err, "API", "api", id)
	}
	if asJSON {
		return printJSON(e.stdout, admin.APIViewOf(a))
	}
	tw := newTable(e.stdout)
	fmt.Fprintf(tw, "id\t%s\nproject\t%s\nname\t%s\nidentifier\t%s\ncreated\t%s\n",
		a.ID, a.ProjectID, a.Name, a.Identifier, a.CreatedAt.Format(time.RFC3339))
	for _, sc := range a.Scopes {
		fmt.Fprintf(tw, "scope %s\t%s\n", sc.Name, sc.Description)
	}
	return tw.Flush()
}

func runAPIDelete(ctx context.Context, e env, args []string) error {
	cfg, id, asJSON, err := nounIDCommand(e, "api", "delete", args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	err = svc.DeleteAPI(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("no API with ID %q (see gatehouse api list)", id)
	case errors.Is(err, storage.ErrInUse):
		return fmt.Errorf("API %s is still listed by a client; delete the client or its --api first", id)
	case err != nil:
		return err
	}
	if asJSON {
		return printJSON(e.stdout, map[string]any{"id": id, "deleted": true})
	}
	fmt.Fprintf(e.stdout, "Deleted API %s\n", id)
	return nil
}
