package admin

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func TestProjectValidation(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	tests := []struct {
		name  string
		in    ProjectInput
		field string
		msg   string
	}{
		{"empty name", ProjectInput{Name: "  "}, "name", "1 to 100"},
		{"long name", ProjectInput{Name: strings.Repeat("é", 101)}, "name", "1 to 100"},
		{"control in name", ProjectInput{Name: "a\x1bb"}, "name", "text"},
		{"invalid utf-8", ProjectInput{Name: "a\xffb"}, "name", "text"},
		{"long description", ProjectInput{Name: "Shop", Description: strings.Repeat("x", 501)}, "description", "500"},
		{"control in description", ProjectInput{Name: "Shop", Description: "a\x00"}, "description", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateProject(t.Context(), tt.in)
			wantField(t, err, tt.field, tt.msg)
		})
	}
	if ps, err := st.ListProjects(t.Context()); err != nil || len(ps) != 0 {
		t.Errorf("refused projects were stored: %v, %v", ps, err)
	}
	p, err := svc.CreateProject(t.Context(), ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		_, err := svc.UpdateProject(t.Context(), p.ID, tt.in)
		wantField(t, err, tt.field, tt.msg)
	}
}

func TestProjectLifecycle(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	now := clock.UTC().Truncate(time.Microsecond)
	p, err := svc.CreateProject(ctx, ProjectInput{Name: "  Shop ", Description: " Orders and such "})
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Project{ID: p.ID, Name: "Shop", Description: "Orders and such", CreatedAt: now, UpdatedAt: now}
	if p.ID == "" || !reflect.DeepEqual(p, want) {
		t.Errorf("CreateProject = %+v, want %+v", p, want)
	}
	if got, err := svc.GetProject(ctx, p.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("GetProject = %+v, %v", got, err)
	}
	b, err := svc.CreateProject(ctx, ProjectInput{Name: "Blog"})
	if err != nil {
		t.Fatal(err)
	}
	up, err := svc.UpdateProject(ctx, p.ID, ProjectInput{Name: "Store"})
	if err != nil || up.Name != "Store" || up.Description != "" || !up.CreatedAt.Equal(now) {
		t.Errorf("UpdateProject = %+v, %v", up, err)
	}
	if _, err := svc.UpdateProject(ctx, "nope", ProjectInput{Name: "X"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UpdateProject unknown = %v, want ErrNotFound", err)
	}
	list, err := svc.ListProjects(ctx)
	if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].ID != p.ID {
		t.Errorf("ListProjects = %+v, %v; want Blog, Store", list, err)
	}

	// A project with an API or a client cannot be deleted.
	a, err := svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "Orders", Identifier: "https://orders.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteProject(ctx, p.ID); !errors.Is(err, storage.ErrInUse) {
		t.Errorf("DeleteProject with an API = %v, want ErrInUse", err)
	}
	if err := svc.DeleteAPI(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	c, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientSPA, Name: "App", ProjectID: p.ID,
		RedirectURIs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteProject(ctx, p.ID); !errors.Is(err, storage.ErrInUse) {
		t.Errorf("DeleteProject with a client = %v, want ErrInUse", err)
	}
	if err := svc.DeleteClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteProject(ctx, p.ID); err != nil {
		t.Errorf("DeleteProject empty = %v", err)
	}
	if err := svc.DeleteProject(ctx, p.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteProject twice = %v, want ErrNotFound", err)
	}
}
