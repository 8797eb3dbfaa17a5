package admin

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func TestAPIValidation(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	p, err := svc.CreateProject(t.Context(), ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	valid := func(f func(*APIInput)) APIInput {
		in := APIInput{ProjectID: p.ID, Name: "Orders", Identifier: "https://api.example.com"}
		f(&in)
		return in
	}
	scopes := func(s ...storage.APIScope) func(*APIInput) { return func(in *APIInput) { in.Scopes = s } }
	ident := func(id string) func(*APIInput) { return func(in *APIInput) { in.Identifier = id } }
	tests := []struct {
		name  string
		in    APIInput
		field string
		msg   string
	}{
		{"no project", valid(func(in *APIInput) { in.ProjectID = "" }), "project", "required"},
		{"unknown project", valid(func(in *APIInput) { in.ProjectID = "nope" }), "project", `"nope"`},
		{"empty name", valid(func(in *APIInput) { in.Name = " " }), "name", "1 to 100"},
		{"long name", valid(func(in *APIInput) { in.Name = strings.Repeat("n", 101) }), "name", "1 to 100"},
		{"control in name", valid(func(in *APIInput) { in.Name = "a\nb" }), "name", "text"},
		{"empty identifier", valid(ident("")), "identifier", "absolute https URI"},
		{"relative", valid(ident("/orders")), "identifier", "absolute https URI"},
		{"no host", valid(ident("https:///orders")), "identifier", "absolute https URI"},
		{"urn", valid(ident("urn:example:orders")), "identifier", "absolute https URI"},
		{"other scheme", valid(ident("ftp://api.example.com")), "identifier", "absolute https URI"},
		{"http not loopback", valid(ident("http://api.example.com")), "identifier", "loopback"},
		{"fragment", valid(ident("https://api.example.com/#x")), "identifier", "fragment"},
		{"empty fragment", valid(ident("https://api.example.com/#")), "identifier", "fragment"},
		{"userinfo", valid(ident("https://u:p@api.example.com")), "identifier", "absolute https URI"},
		{"space", valid(ident("https://api.example.com/a b")), "identifier", "absolute https URI"},
		{"bad scope name", valid(scopes(storage.APIScope{Name: "a b"})), "scope", "not a valid scope name"},
		{"empty scope name", valid(scopes(storage.APIScope{Name: ""})), "scope", "not a valid scope name"},
		{"openid scope", valid(scopes(storage.APIScope{Name: "offline_access"})), "scope", "OpenID Connect"},
		{"duplicate scope", valid(scopes(storage.APIScope{Name: "r"}, storage.APIScope{Name: "r", Description: "again"})), "scope", "twice"},
		{"long description", valid(scopes(storage.APIScope{Name: "r", Description: strings.Repeat("d", 201)})), "scope", "200"},
		{"control in description", valid(scopes(storage.APIScope{Name: "r", Description: "a\x07"})), "scope", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateAPI(t.Context(), tt.in)
			wantField(t, err, tt.field, tt.msg)
		})
	}
	if apis, err := st.ListAPIs(t.Context(), ""); err != nil || len(apis) != 0 {
		t.Errorf("refused APIs were stored: %v, %v", apis, err)
	}
}

func TestAPILifecycle(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	now := clock.UTC().Truncate(time.Microsecond)
	p, err := svc.CreateProject(ctx, ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"https://api.example.com", "http://localhost:8081/api", "http://127.0.0.1", "http://[::1]:9000", "https://api.example.com/v2?x=1"} {
		if _, err := svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "API " + id, Identifier: id}); err != nil {
			t.Errorf("CreateAPI(%q) = %v", id, err)
		}
	}
	in := APIInput{ProjectID: p.ID, Name: " Orders ", Identifier: "https://orders.example.com",
		Scopes: []storage.APIScope{{Name: " orders:read ", Description: " Read your orders "}, {Name: "orders:write"}}}
	a, err := svc.CreateAPI(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.API{ID: a.ID, ProjectID: p.ID, Name: "Orders", Identifier: "https://orders.example.com",
		Scopes:    []storage.APIScope{{Name: "orders:read", Description: "Read your orders"}, {Name: "orders:write"}},
		CreatedAt: now, UpdatedAt: now}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("CreateAPI = %+v\nwant %+v", a, want)
	}
	if got, err := svc.GetAPI(ctx, a.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("GetAPI = %+v, %v", got, err)
	}
	_, err = svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "Dup", Identifier: "https://orders.example.com"})
	wantField(t, err, "identifier", "already")

	up, err := svc.UpdateAPI(ctx, a.ID, APIInput{ProjectID: "ignored", Name: "Orders v2", Identifier: "https://orders.example.com/v2"})
	if err != nil || up.Name != "Orders v2" || up.ProjectID != p.ID || len(up.Scopes) != 0 {
		t.Errorf("UpdateAPI = %+v, %v", up, err)
	}
	_, err = svc.UpdateAPI(ctx, a.ID, APIInput{Name: "Orders", Identifier: "https://api.example.com"})
	wantField(t, err, "identifier", "already")
	_, err = svc.UpdateAPI(ctx, a.ID, APIInput{Name: "Orders", Identifier: "http://example.com"})
	wantField(t, err, "identifier", "loopback")
	if _, err := svc.UpdateAPI(ctx, "nope", APIInput{Name: "X", Identifier: "https://x.example.com"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UpdateAPI unknown = %v, want ErrNotFound", err)
	}
	list, err := svc.ListAPIs(ctx, p.ID)
	if err != nil || len(list) != 6 {
		t.Errorf("ListAPIs = %d, %v; want 6", len(list), err)
	}
	if err := svc.DeleteAPI(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteAPI(ctx, a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteAPI twice = %v, want ErrNotFound", err)
	}
}

func TestCreateClientWithAPIs(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	p, err := svc.CreateProject(ctx, ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	orders, err := svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "Orders", Identifier: "https://orders.example.com",
		Scopes: []storage.APIScope{{Name: "orders:read"}, {Name: "orders:write"}}})
	if err != nil {
		t.Fatal(err)
	}
	stock, err := svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "Stock", Identifier: "https://stock.example.com",
		Scopes: []storage.APIScope{{Name: "stock:read"}}})
	if err != nil {
		t.Fatal(err)
	}
	service := func(project string, apis []string, scopes ...string) NewClient {
		return NewClient{Type: storage.ClientService, Name: "Worker", ProjectID: project, APIs: apis, Scopes: scopes}
	}
	bad := []struct {
		name  string
		in    NewClient
		field string
		msg   string
	}{
		{"unknown project", service("nope", nil), "project", `"nope"`},
		{"unknown api", service(p.ID, []string{orders.ID, "nope"}, "orders:read"), "api", `"nope"`},
		{"scope of no api", service(p.ID, []string{orders.ID}, "orders:read", "stock:read"), "scope", `"stock:read"`},
		{"free-form scope with apis", service("", []string{stock.ID}, "anything"), "scope", `"anything"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := svc.CreateClient(ctx, tt.in)
			wantField(t, err, tt.field, tt.msg)
		})
	}
	good := []struct {
		name string
		in   NewClient
	}{
		{"scopes of two apis", service(p.ID, []string{orders.ID, stock.ID, orders.ID}, "orders:write", "stock:read")},
		{"openid scopes need no api", service(p.ID, []string{orders.ID}, "openid", "orders:read")},
		{"apis without project", service("", []string{stock.ID})},
		{"no apis keeps free-form scopes", service(p.ID, nil, "legacy:anything")},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := svc.CreateClient(ctx, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.GetClient(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ProjectID != tt.in.ProjectID || !reflect.DeepEqual(got.APIs, dedupe(tt.in.APIs)) {
				t.Errorf("stored project %q, APIs %q; want %q, %q", got.ProjectID, got.APIs, tt.in.ProjectID, dedupe(tt.in.APIs))
			}
		})
	}
	if err := svc.DeleteAPI(ctx, stock.ID); !errors.Is(err, storage.ErrInUse) {
		t.Errorf("DeleteAPI of a listed API = %v, want ErrInUse", err)
	}
}
