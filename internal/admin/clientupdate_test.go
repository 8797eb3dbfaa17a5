package admin

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func TestUpdateClient(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	p, _ := svc.CreateProject(ctx, ProjectInput{Name: "Shop"})
	orders, err := svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "Orders", Identifier: "https://orders.example.com",
		Scopes: []storage.APIScope{{Name: "orders:read"}, {Name: "orders:write"}}})
	if err != nil {
		t.Fatal(err)
	}
	web, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientWeb, Name: "Web", RedirectURIs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(change func(in *NewClient)) NewClient {
		in := ClientInput(web)
		change(&in)
		return in
	}
	bad := []struct {
		name, field string
		in          NewClient
	}{
		{"type change", "type", edit(func(in *NewClient) { in.Type = storage.ClientSPA })},
		{"empty name", "name", edit(func(in *NewClient) { in.Name = " " })},
		{"bad redirect uri", "redirect_uri", edit(func(in *NewClient) { in.RedirectURIs = []string{"http://app.example.com/cb"} })},
		{"bad pattern", "redirect_uri_pattern", edit(func(in *NewClient) { in.RedirectURIPatterns = []string{"https://(.*"} })},
		{"no redirect left", "redirect_uri", edit(func(in *NewClient) { in.RedirectURIs = nil })},
		{"unknown project", "project", edit(func(in *NewClient) { in.ProjectID = "nope" })},
		{"scope of no api", "scope", edit(func(in *NewClient) { in.APIs, in.Scopes = []string{orders.ID}, []string{"stock:read"} })},
		{"secret kind change", "auth_method", edit(func(in *NewClient) { in.AuthMethod = oauth.AuthClientSecretJWT })},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.UpdateClient(ctx, web.ID, tt.in)
			wantField(t, err, tt.field, "")
		})
	}
	if _, err := svc.UpdateClient(ctx, "absent", ClientInput(web)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UpdateClient(absent) = %v, want ErrNotFound", err)
	}

	in := edit(func(in *NewClient) {
		in.Type = "" // unchanged
		in.Name = "Web 2"
		in.RedirectURIs = []string{"https://app.example.com/cb2"}
		in.RedirectURIPatterns = []string{`https://pr-[0-9]+\.example\.com/cb`}
		in.DefaultRedirectURI = "https://app.example.com/cb2"
		in.PostLogoutRedirectURIs = []string{"https://app.example.com/"}
		in.ProjectID, in.APIs, in.Scopes = p.ID, []string{orders.ID}, []string{"orders:read"}
		in.AuthMethod = oauth.AuthClientSecretPost
	})
	got, err := svc.UpdateClient(ctx, web.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := svc.GetClient(ctx, web.ID)
	for _, c := range []storage.Client{got, stored} {
		if c.Name != "Web 2" || c.Type != storage.ClientWeb || c.ProjectID != p.ID || !slices.Equal(c.APIs, []string{orders.ID}) ||
			!slices.Equal(c.RedirectURIs, []string{"https://app.example.com/cb2"}) || c.DefaultRedirectURI != in.DefaultRedirectURI ||
			c.SecretHash != web.SecretHash || !c.CreatedAt.Equal(web.CreatedAt) || c.AuthMethod != oauth.AuthClientSecretPost {
			t.Errorf("after UpdateClient: %+v", c)
		}
	}

	// UpdateAPI refuses to take away a scope the client still has.
	_, err = svc.UpdateAPI(ctx, orders.ID, APIInput{Name: "Orders", Identifier: orders.Identifier,
		Scopes: []storage.APIScope{{Name: "orders:write"}}})
	wantField(t, err, "scope", `"orders:read"`)
	a, err := svc.UpdateAPI(ctx, orders.ID, APIInput{Name: "Orders", Identifier: orders.Identifier,
		Scopes: []storage.APIScope{{Name: "orders:read", Description: "Read"}}})
	if err != nil || len(a.Scopes) != 1 {
		t.Fatalf("removing an unused scope: %+v, %v", a, err)
	}
}

// fakeRing records rotations.
type fakeRing struct{ rotated []string }

func (f *fakeRing) Keys(context.Context) ([]keys.Info, error) {
	return []keys.Info{{ID: "k1", Alg: "RS256", State: keys.StateCurrent}}, nil
}

func (f *fakeRing) Rotate(_ context.Context, alg string) (keys.Rotation, error) {
	f.rotated = append(f.rotated, alg)
	return keys.Rotation{Alg: alg}, nil
}

func TestKeys(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	if _, err := svc.RotateKeys(ctx, ""); !errors.Is(err, ErrNoKeyRing) {
		t.Errorf("RotateKeys without ring = %v", err)
	}
	if infos, err := svc.ListKeys(ctx); err != nil || len(infos) != 0 {
		t.Errorf("ListKeys from an empty store = %v, %v", infos, err)
	}
	ring := &fakeRing{}
	withKeys := svc.WithKeys(ring)
	_, err := withKeys.RotateKeys(ctx, "HS256")
	wantField(t, err, "alg", "HS256")
	if _, err := withKeys.RotateKeys(ctx, "ES256"); err != nil {
		t.Fatal(err)
	}
	rots, err := withKeys.RotateKeys(ctx, "")
	if err != nil || len(rots) != len(keys.Algorithms) {
		t.Fatalf("RotateKeys(all) = %v, %v", rots, err)
	}
	if want := append([]string{"ES256"}, keys.Algorithms...); !slices.Equal(ring.rotated, want) {
		t.Errorf("rotated %v, want %v", ring.rotated, want)
	}
	if infos, err := withKeys.ListKeys(ctx); err != nil || len(infos) != 1 || infos[0].ID != "k1" {
		t.Errorf("ListKeys = %v, %v", infos, err)
	}
}

// TestValidationItem: a validation error about one element of a list says
// which, counted in the input as given (blanks and repeats included).
func TestValidationItem(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	tests := []struct {
		name  string
		in    NewClient
		field string
		item  int
	}{
		{"redirect uri after blanks and repeats", NewClient{Type: storage.ClientSPA, Name: "A",
			RedirectURIs: []string{" ", "https://a.example.com/cb", "https://a.example.com/cb", "http://a.example.com/cb"}}, "redirect_uri", 4},
		{"pattern", NewClient{Type: storage.ClientSPA, Name: "A", RedirectURIPatterns: []string{"https://(.*"}}, "redirect_uri_pattern", 1},
		{"scope", NewClient{Type: storage.ClientService, Name: "A", Scopes: []string{"ok", "bad\"scope"}}, "scope", 2},
		{"default only", NewClient{Type: storage.ClientSPA, Name: "A", DefaultRedirectURI: "http://a.example.com/cb"}, "default_redirect_uri", 0},
		{"default also listed", NewClient{Type: storage.ClientSPA, Name: "A", DefaultRedirectURI: "http://a.example.com/cb",
			RedirectURIs: []string{"http://a.example.com/cb"}}, "redirect_uri", 1},
		{"unknown api", NewClient{Type: storage.ClientService, Name: "A", APIs: []string{"", "nope"}}, "api", 2},
		{"no redirect at all", NewClient{Type: storage.ClientSPA, Name: "A"}, "redirect_uri", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := svc.CreateClient(ctx, tt.in)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field || ve.Item != tt.item {
				t.Errorf("error %#v, want field %q item %d", err, tt.field, tt.item)
			}
		})
	}
	_, err := svc.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "password1", Groups: []string{"a", "\x01"}})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "group" || ve.Item != 2 {
		t.Errorf("group error %#v, want item 2", err)
	}
}
