package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// newAPI returns an API with two scopes, created at base.
func newAPI(id, projectID, identifier string) storage.API {
	return storage.API{
		ID: id, ProjectID: projectID, Name: "API " + id, Identifier: identifier,
		Scopes: []storage.APIScope{
			{Name: "orders:write", Description: "Place orders — “quoted” & <escaped>"},
			{Name: "orders:read", Description: ""},
		},
		CreatedAt: base, UpdatedAt: base,
	}
}

func testCreateAPI(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustProject(t, s, "p1", "One")
	full := newAPI("a-full", "p1", "https://api.example.com/v1")
	full.UpdatedAt = at(time.Hour + 999)
	bare := storage.API{ID: "a-bare", ProjectID: "p1", Identifier: "urn:example:bare", CreatedAt: base, UpdatedAt: base}
	for _, a := range []storage.API{full, bare} {
		wantErr(t, "CreateAPI", s.CreateAPI(ctx, a), nil)
		got, err := s.GetAPI(ctx, a.ID)
		wantErr(t, "GetAPI", err, nil)
		checkRecord(t, "GetAPI", a, got)
	}
	for _, tt := range []struct {
		name string
		api  storage.API
		want error
	}{
		{"same id", newAPI("a-full", "p1", "https://other.example.com"), storage.ErrAlreadyExists},
		{"same identifier", newAPI("a-2", "p1", "https://api.example.com/v1"), storage.ErrAlreadyExists},
		{"unknown project", newAPI("a-3", "p9", "https://three.example.com"), storage.ErrNotFound},
		{"no project", newAPI("a-4", "", "https://four.example.com"), storage.ErrNotFound},
		// Identifiers compare exactly.
		{"identifier differing in case", newAPI("a-5", "p1", "https://API.example.com/v1"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "CreateAPI", s.CreateAPI(ctx, tt.api), tt.want)
		})
	}
	got, err := s.GetAPI(ctx, "a-full")
	wantErr(t, "GetAPI", err, nil)
	checkRecord(t, "GetAPI after failed creates", full, got)
}

func testGetAPI(t *testing.T, s storage.Store) {
	mustProject(t, s, "p1", "One")
	a := newAPI("a1", "p1", "https://api.example.com")
	wantErr(t, "CreateAPI", s.CreateAPI(t.Context(), a), nil)
	got, err := s.GetAPI(t.Context(), "a1")
	wantErr(t, "GetAPI", err, nil)
	checkRecord(t, "GetAPI", a, got)
	for _, id := range []string{"a2", "A1", "", "https://api.example.com"} {
		_, err := s.GetAPI(t.Context(), id)
		wantErr(t, "GetAPI("+id+")", err, storage.ErrNotFound)
	}
}

func testGetAPIByIdentifier(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustProject(t, s, "p1", "One")
	a := newAPI("a1", "p1", "https://api.example.com")
	b := newAPI("a2", "p1", "https://api.example.com/")
	wantErr(t, "CreateAPI", s.CreateAPI(ctx, a), nil)
	wantErr(t, "CreateAPI", s.CreateAPI(ctx, b), nil)
	for _, want := range []storage.API{a, b} {
		got, err := s.GetAPIByIdentifier(ctx, want.Identifier)
		wantErr(t, "GetAPIByIdentifier", err, nil)
		checkRecord(t, "GetAPIByIdentifier", want, got)
	}
	for _, id := range []string{"https://API.example.com", "https://api.example.com//", "a1", ""} {
		_, err := s.GetAPIByIdentifier(ctx, id)
		wantErr(t, "GetAPIByIdentifier("+id+")", err, storage.ErrNotFound)
	}
}

func testListAPIs(t *testing.T, s storage.Store) {
	ctx := t.Context()
	got, err := s.ListAPIs(ctx, "")
	wantErr(t, "ListAPIs", err, nil)
	if got == nil || len(got) != 0 {
		t.Fatalf("ListAPIs on empty store = %#v, want empty non-nil", got)
	}
	mustProject(t, s, "p1", "One")
	mustProject(t, s, "p2", "Two")
	mk := func(id, project, name string) storage.API {
		a := newAPI(id, project, "https://"+id+".example.com")
		a.Name = name
		wantErr(t, "CreateAPI", s.CreateAPI(ctx, a), nil)
		return a
	}
	beta := mk("a3", "p1", "beta")
	alpha2 := mk("a2", "p1", "alpha")
	other := mk("a9", "p2", "Other")
	alpha1 := mk("a1", "p1", "alpha")
	for _, tt := range []struct {
		project string
		want    []storage.API
	}{
		{"", []storage.API{other, alpha1, alpha2, beta}},
		{"p1", []storage.API{alpha1, alpha2, beta}},
		{"p2", []storage.API{other}},
		{"p9", []storage.API{}},
	} {
		got, err := s.ListAPIs(ctx, tt.project)
		wantErr(t, "ListAPIs", err, nil)
		checkRecords(t, "ListAPIs("+tt.project+")", tt.want, got)
	}
}

func testUpdateAPI(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustProject(t, s, "p1", "One")
	mustProject(t, s, "p2", "Two")
	a := newAPI("a1", "p1", "https://one.example.com")
	b := newAPI("a2", "p1", "https://two.example.com")
	wantErr(t, "CreateAPI", s.CreateAPI(ctx, a), nil)
	wantErr(t, "CreateAPI", s.CreateAPI(ctx, b), nil)

	update := storage.API{ID: "a1", ProjectID: "p2", Name: "Renamed", Identifier: "https://renamed.example.com",
		Scopes: []storage.APIScope{{Name: "new", Description: "New"}}, CreatedAt: at(9 * time.Hour), UpdatedAt: at(time.Hour)}
	wantErr(t, "UpdateAPI", s.UpdateAPI(ctx, update), nil)
	want := update
	want.ProjectID, want.CreatedAt = a.ProjectID, a.CreatedAt // never change
	got, err := s.GetAPI(ctx, "a1")
	wantErr(t, "GetAPI", err, nil)
	checkRecord(t, "GetAPI after update", want, got)
	_, err = s.GetAPIByIdentifier(ctx, a.Identifier)
	wantErr(t, "GetAPIByIdentifier old identifier", err, storage.ErrNotFound)

	clear := want
	clear.Scopes = nil
	wantErr(t, "UpdateAPI no scopes", s.UpdateAPI(ctx, clear), nil)
	got, err = s.GetAPI(ctx, "a1")
	wantErr(t, "GetAPI", err, nil)
	checkRecord(t, "GetAPI without scopes", clear, got)

	taken := clear
	taken.Identifier = b.Identifier
	wantErr(t, "UpdateAPI taken identifier", s.UpdateAPI(ctx, taken), storage.ErrAlreadyExists)
	wantErr(t, "UpdateAPI unknown", s.UpdateAPI(ctx, newAPI("a9", "p1", "https://nine.example.com")), storage.ErrNotFound)
	got, err = s.GetAPI(ctx, "a2")
	wantErr(t, "GetAPI", err, nil)
	checkRecord(t, "other API", b, got)
}

func testDeleteAPI(t *testing.T, s storage.Store) {
	ctx := t.Context()
	wantErr(t, "DeleteAPI unknown", s.DeleteAPI(ctx, "a9"), storage.ErrNotFound)
	mustProject(t, s, "p1", "One")
	for _, id := range []string{"a1", "a2", "a3"} {
		wantErr(t, "CreateAPI", s.CreateAPI(ctx, newAPI(id, "p1", "https://"+id+".example.com")), nil)
	}
	// A client in no project may still list APIs; "a1" inside another ID
	// ("a10") must not count.
	c := mustClient(t, s, "c1", base)
	c.APIs = []string{"a2", "a10"}
	wantErr(t, "UpdateClient", s.UpdateClient(ctx, c), nil)

	wantErr(t, "DeleteAPI listed", s.DeleteAPI(ctx, "a2"), storage.ErrInUse)
	wantErr(t, "DeleteAPI unlisted", s.DeleteAPI(ctx, "a1"), nil)
	_, err := s.GetAPI(ctx, "a1")
	wantErr(t, "GetAPI after delete", err, storage.ErrNotFound)
	wantErr(t, "DeleteAPI twice", s.DeleteAPI(ctx, "a1"), storage.ErrNotFound)
	_, err = s.GetAPI(ctx, "a2")
	wantErr(t, "GetAPI in use", err, nil)

	c.APIs = []string{"a3"}
	wantErr(t, "UpdateClient", s.UpdateClient(ctx, c), nil)
	wantErr(t, "DeleteAPI no longer listed", s.DeleteAPI(ctx, "a2"), nil)
	wantErr(t, "DeleteAPI listed", s.DeleteAPI(ctx, "a3"), storage.ErrInUse)
	wantErr(t, "DeleteClient", s.DeleteClient(ctx, "c1"), nil)
	wantErr(t, "DeleteAPI after DeleteClient", s.DeleteAPI(ctx, "a3"), nil)
}
