package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func runProject(ctx context.Context, e env, args []string) error {
	return dispatch(ctx, e, args, `Usage: gatehouse project add|list|show ID|update ID|delete ID [flags]
A project groups an application's APIs and credentials (clients).
Run 'gatehouse project add --help' for its flags.`,
		subcommand{"add", runProjectAdd}, subcommand{"list", runProjectList}, subcommand{"show", runProjectShow},
		subcommand{"update", runProjectUpdate}, // updates.go
		subcommand{"delete", runProjectDelete})
}

func runProjectAdd(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "project add", `project add --name N [--description D] [--db DSN] [--json]

Creates a project, which owns APIs (gatehouse api add --project ID) and
clients (gatehouse client add --project ID).`)
	cfg.BindDB(fs)
	var in admin.ProjectInput
	fs.StringVar(&in.Name, "name", "", "project name, 1 to 100 characters (required)")
	fs.StringVar(&in.Description, "description", "", "what the project is for, at most 500 characters")
	asJSON := fs.Bool("json", false, "print the project as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if in.Name == "" {
		return usagef("--name is required")
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	p, err := svc.CreateProject(ctx, in)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		return printJSON(e.stdout, admin.ProjectViewOf(p))
	}
	fmt.Fprintf(e.stdout, "Created project %q\n  id: %s\n", p.Name, p.ID)
	return nil
}

func runProjectList(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "project list", "project list [--db DSN] [--json]")
	cfg.BindDB(fs)
	asJSON := fs.Bool("json", false, "print projects as a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	projects, err := svc.ListProjects(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSONList(e.stdout, projects, admin.ProjectViewOf)
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "PROJECT ID\tNAME\tDESCRIPTION")
	for _, p := range projects {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ID, p.Name, p.Description)
	}
	return tw.Flush()
}

func runProjectShow(ctx context.Context, e env, args []string) error {
	cfg, id, asJSON, err := nounIDCommand(e, "project", "show", args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	p, err := svc.GetProject(ctx, id)
	if err != nil {
		return explainNotFound(err, "project", "project", id)
	}
	if asJSON {
		return printJSON(e.stdout, admin.ProjectViewOf(p))
	}
	tw := newTable(e.stdout)
	fmt.Fprintf(tw, "id\t%s\nname\t%s\ndescription\t%s\ncreated\t%s\n", p.ID, p.Name, p.Description, p.CreatedAt.Format(time.RFC3339))
	return tw.Flush()
}

func runProjectDelete(ctx context.Context, e env, args []string) error {
	cfg, id, asJSON, err := nounIDCommand(e, "project", "delete", args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	err = svc.DeleteProject(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("no project with ID %q (see gatehouse project list)", id)
	case errors.Is(err, storage.ErrInUse):
		return fmt.Errorf("project %s still has APIs or clients; delete them first (gatehouse api list --project %s, gatehouse client list)", id, id)
	case err != nil:
		return err
	}
	if asJSON {
		return printJSON(e.stdout, map[string]any{"id": id, "deleted": true})
	}
	fmt.Fprintf(e.stdout, "Deleted project %s\n", id)
	return nil
}
