package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// mustProject creates a project with the given ID and name.
func mustProject(t *testing.T, s storage.Store, id, name string) storage.Project {
	t.Helper()
	p := storage.Project{ID: id, Name: name, Description: "About " + id, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateProject(t.Context(), p); err != nil {
		t.Fatalf("CreateProject(%q): %v", id, err)
	}
	return p
}

func testCreateProject(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for _, p := range []storage.Project{
		{ID: "p-full", Name: "Shop — Ünïcode", Description: "Line one\nline two", CreatedAt: base, UpdatedAt: at(time.Hour + 999)},
		{ID: "p-empty", CreatedAt: base, UpdatedAt: base},
	} {
		wantErr(t, "CreateProject", s.CreateProject(ctx, p), nil)
		got, err := s.GetProject(ctx, p.ID)
		wantErr(t, "GetProject", err, nil)
		checkRecord(t, "GetProject", p, got)
	}
	dup := storage.Project{ID: "p-full", Name: "other", CreatedAt: base, UpdatedAt: base}
	wantErr(t, "CreateProject same id", s.CreateProject(ctx, dup), storage.ErrAlreadyExists)
	// Names need not be unique.
	same := storage.Project{ID: "p-same", Name: "Shop — Ünïcode", CreatedAt: base, UpdatedAt: base}
	wantErr(t, "CreateProject same name", s.CreateProject(ctx, same), nil)
}

func testGetProject(t *testing.T, s storage.Store) {
	p := mustProject(t, s, "p1", "One")
	got, err := s.GetProject(t.Context(), "p1")
	wantErr(t, "GetProject", err, nil)
	checkRecord(t, "GetProject", p, got)
	for _, id := range []string{"p2", "P1", ""} {
		_, err := s.GetProject(t.Context(), id)
		wantErr(t, "GetProject("+id+")", err, storage.ErrNotFound)
	}
}

func testListProjects(t *testing.T, s storage.Store) {
	got, err := s.ListProjects(t.Context())
	wantErr(t, "ListProjects", err, nil)
	if got == nil || len(got) != 0 {
		t.Fatalf("ListProjects on empty store = %#v, want empty non-nil", got)
	}
	// Created out of order; byte order puts "B" before "a", and equal
	// names fall back to the ID.
	b := mustProject(t, s, "p3", "beta")
	a2 := mustProject(t, s, "p2", "alpha")
	a1 := mustProject(t, s, "p1", "alpha")
	upper := mustProject(t, s, "p4", "Zed")
	got, err = s.ListProjects(t.Context())
	wantErr(t, "ListProjects", err, nil)
	checkRecords(t, "ListProjects", []storage.Project{upper, a1, a2, b}, got)
}

func testUpdateProject(t *testing.T, s storage.Store) {
	ctx := t.Context()
	p := mustProject(t, s, "p1", "One")
	other := mustProject(t, s, "p2", "Two")
	update := storage.Project{ID: "p1", Name: "Renamed", Description: "",
		CreatedAt: at(99 * time.Hour), UpdatedAt: at(2 * time.Hour)}
	wantErr(t, "UpdateProject", s.UpdateProject(ctx, update), nil)
	got, err := s.GetProject(ctx, "p1")
	wantErr(t, "GetProject", err, nil)
	want := update
	want.CreatedAt = p.CreatedAt // never changes
	checkRecord(t, "GetProject after update", want, got)
	got, err = s.GetProject(ctx, "p2")
	wantErr(t, "GetProject", err, nil)
	checkRecord(t, "other project", other, got)
	unknown := storage.Project{ID: "p9", Name: "x", UpdatedAt: base}
	wantErr(t, "UpdateProject unknown", s.UpdateProject(ctx, unknown), storage.ErrNotFound)
}

func testDeleteProject(t *testing.T, s storage.Store) {
	ctx := t.Context()
	wantErr(t, "DeleteProject unknown", s.DeleteProject(ctx, "p9"), storage.ErrNotFound)

	mustProject(t, s, "p1", "One")
	api := newAPI("a1", "p1", "https://api.example.com")
	wantErr(t, "CreateAPI", s.CreateAPI(ctx, api), nil)
	c := mustClient(t, s, "c1", base)
	c.ProjectID = "p1"
	wantErr(t, "UpdateClient", s.UpdateClient(ctx, c), nil)

	wantErr(t, "DeleteProject with API and client", s.DeleteProject(ctx, "p1"), storage.ErrInUse)
	wantErr(t, "DeleteAPI", s.DeleteAPI(ctx, "a1"), nil)
	wantErr(t, "DeleteProject with client", s.DeleteProject(ctx, "p1"), storage.ErrInUse)
	c.ProjectID = ""
	wantErr(t, "UpdateClient", s.UpdateClient(ctx, c), nil)
	wantErr(t, "CreateAPI", s.CreateAPI(ctx, api), nil)
	wantErr(t, "DeleteProject with API", s.DeleteProject(ctx, "p1"), storage.ErrInUse)
	wantErr(t, "DeleteAPI", s.DeleteAPI(ctx, "a1"), nil)

	wantErr(t, "DeleteProject empty", s.DeleteProject(ctx, "p1"), nil)
	_, err := s.GetProject(ctx, "p1")
	wantErr(t, "GetProject after delete", err, storage.ErrNotFound)
	wantErr(t, "DeleteProject twice", s.DeleteProject(ctx, "p1"), storage.ErrNotFound)
	_, err = s.GetClient(ctx, "c1")
	wantErr(t, "GetClient after DeleteProject", err, nil)
}

// testClientProject: a client's ProjectID must name a project; "" is none.
func testClientProject(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustProject(t, s, "p1", "One")
	c := fullClient("c1")
	c.ProjectID = "p1"
	wantErr(t, "CreateClient", s.CreateClient(ctx, c), nil)
	got, err := s.GetClient(ctx, "c1")
	wantErr(t, "GetClient", err, nil)
	checkRecord(t, "GetClient", c, got)

	orphan := fullClient("c2")
	orphan.ProjectID = "p9"
	wantErr(t, "CreateClient unknown project", s.CreateClient(ctx, orphan), storage.ErrNotFound)
	_, err = s.GetClient(ctx, "c2")
	wantErr(t, "GetClient", err, storage.ErrNotFound)

	c.ProjectID = "p9"
	wantErr(t, "UpdateClient unknown project", s.UpdateClient(ctx, c), storage.ErrNotFound)
	c.ProjectID = ""
	c.APIs = nil
	wantErr(t, "UpdateClient no project", s.UpdateClient(ctx, c), nil)
	got, err = s.GetClient(ctx, "c1")
	wantErr(t, "GetClient", err, nil)
	checkRecord(t, "GetClient without project", c, got)
}

// testUnstorableProjectKeys: lookups of projects and APIs by keys no
// record can have find nothing rather than fail.
func testUnstorableProjectKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustProject(t, s, "p1", "One")
	for _, key := range []string{"\xff\xfe", "a\x00b", "\xc3"} {
		_, err := s.GetProject(ctx, key)
		wantErr(t, "GetProject", err, storage.ErrNotFound)
		wantErr(t, "UpdateProject", s.UpdateProject(ctx, storage.Project{ID: key, UpdatedAt: base}), storage.ErrNotFound)
		wantErr(t, "DeleteProject", s.DeleteProject(ctx, key), storage.ErrNotFound)
		_, err = s.GetAPI(ctx, key)
		wantErr(t, "GetAPI", err, storage.ErrNotFound)
		_, err = s.GetAPIByIdentifier(ctx, key)
		wantErr(t, "GetAPIByIdentifier", err, storage.ErrNotFound)
		apis, err := s.ListAPIs(ctx, key)
		wantErr(t, "ListAPIs", err, nil)
		if len(apis) != 0 {
			t.Errorf("ListAPIs(%q) = %d records", key, len(apis))
		}
		wantErr(t, "UpdateAPI", s.UpdateAPI(ctx, newAPI(key, "p1", "https://x.example")), storage.ErrNotFound)
		wantErr(t, "DeleteAPI", s.DeleteAPI(ctx, key), storage.ErrNotFound)
		wantErr(t, "CreateAPI", s.CreateAPI(ctx, newAPI("a1", key, "https://x.example")), storage.ErrNotFound)
		c := fullClient("c1")
		c.ProjectID = key
		wantErr(t, "CreateClient", s.CreateClient(ctx, c), storage.ErrNotFound)
	}
}
