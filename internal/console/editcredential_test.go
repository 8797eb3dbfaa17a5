package console

import (
	"errors"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestLineOf: the n'th element lines returns is found on its text-box
// line, blank lines counted.
func TestLineOf(t *testing.T) {
	text := "\n  a  \n\n\tb\n c\n"
	for _, tc := range []struct{ item, line int }{{1, 2}, {2, 4}, {3, 5}, {4, 0}, {0, 0}} {
		if got := lineOf(text, tc.item); got != tc.line {
			t.Errorf("lineOf(item %d) = %d, want %d", tc.item, got, tc.line)
		}
	}
	if got := lines(text); len(got) != 3 || got[1] != "b" {
		t.Errorf("lines = %q", got)
	}
}

// TestCredentialFieldErrors: list errors name their line, other
// validation errors keep their message, other errors pass through.
func TestCredentialFieldErrors(t *testing.T) {
	f := credentialForm{Redirects: "https://a/cb\n\nhttp://b/cb", Patterns: "x"}
	for _, tc := range []struct {
		err   error
		field string
		msg   string
	}{
		{&admin.ValidationError{Field: "redirect_uri", Item: 2, Message: "use https"}, "redirect_uri", "Line 3: use https"},
		{&admin.ValidationError{Field: "redirect_uri_pattern", Item: 1, Message: "bad"}, "redirect_uri_pattern", "Line 1: bad"},
		{&admin.ValidationError{Field: "redirect_uri", Message: "add one"}, "redirect_uri", "add one"},
		{&admin.ValidationError{Field: "scope", Item: 2, Message: `"x" is not defined`}, "scope", `"x" is not defined`},
	} {
		errs, err := f.fieldErrors(tc.err)
		if err != nil || errs[tc.field] != tc.msg {
			t.Errorf("%v: errors %v, %v; want %s: %q", tc.err, errs, err, tc.field, tc.msg)
		}
	}
	other := errors.New("disk on fire")
	if _, err := f.fieldErrors(other); err != other {
		t.Errorf("a store error became %v", err)
	}
}

// TestEditForm: the form shows the client's API scopes as checked boxes
// and the rest as other scopes.
func TestEditForm(t *testing.T) {
	apis := []storage.API{
		{ID: "a1", Scopes: []storage.APIScope{{Name: "r"}, {Name: "w"}}},
		{ID: "a2", Scopes: []storage.APIScope{{Name: "x"}}},
	}
	cl := storage.Client{Type: storage.ClientWeb, Name: "N", APIs: []string{"a1"}, Scopes: []string{"r", "x", "legacy"},
		RedirectURIs: []string{"https://a/cb", "https://b/cb"}}
	f := editForm(cl, storage.Project{ID: "p"}, apis, admin.ClientInput(cl))
	if !f.Selected["a1 r"] || f.Selected["a1 w"] || f.Selected["a2 x"] {
		t.Errorf("selected = %v", f.Selected)
	}
	if f.Extra != "x legacy" || !f.ShowExtra || f.Redirects != "https://a/cb\nhttps://b/cb" || f.Client == nil || f.Kind.Type != storage.ClientWeb {
		t.Errorf("form = %+v", f)
	}
}
