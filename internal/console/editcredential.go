package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Editing a credential: the "new credential" form and its reader
// (readCredentialFields), prefilled from admin.ClientInput and sent to
// admin.Service.UpdateClient. Settings the form does not show (PKCE
// options, ID-token algorithm, refresh lifetimes, authentication method
// and keys) are taken from the stored client, so saving keeps them. The
// type cannot change.

// editCredential shows the edit form.
func (c *Console) editCredential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	cl, p, apis, ok := c.loadEditable(w, r, a)
	if !ok {
		return
	}
	c.render(w, r, a, http.StatusOK, "credential_new", "Edit "+cl.Name, editForm(cl, p, apis, admin.ClientInput(cl)))
}

// updateCredential saves the edit form.
func (c *Console) updateCredential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	cl, p, apis, ok := c.loadEditable(w, r, a)
	if !ok {
		return
	}
	k, _ := kindOf(string(cl.Type))
	f, form := readCredentialFields(r, p, apis, k)
	f.Client = &cl
	in := admin.ClientInput(cl)
	in.Type = "" // unchanged
	in.Name, in.DefaultRedirectURI = form.Name, form.DefaultRedirectURI
	in.RedirectURIs, in.RedirectURIPatterns = form.RedirectURIs, form.RedirectURIPatterns
	in.PostLogoutRedirectURIs, in.IssueRefreshTokens = form.PostLogoutRedirectURIs, form.IssueRefreshTokens
	in.Scopes, in.APIs = form.Scopes, form.APIs
	updated, err := c.o.Admin.UpdateClient(r.Context(), cl.ID, in)
	if errors.Is(err, storage.ErrNotFound) {
		c.storeError(w, r, a, "Credential", err)
		return
	}
	if err != nil {
		c.credentialFormError(w, r, a, "Edit "+cl.Name, f, err)
		return
	}
	c.showCredential(w, r, a, http.StatusOK, updated, credentialExtras{Saved: true})
}

// loadEditable loads the credential the path names, with its project and
// the APIs its form offers (credentialContext), unless it is the console's
// own client: editing that could lock every administrator out. On failure
// it has answered and returns false.
func (c *Console) loadEditable(w http.ResponseWriter, r *http.Request, a *adminUser) (storage.Client, storage.Project, []storage.API, bool) {
	if r.PathValue("id") == ConsoleClientID {
		c.fail(w, r, a, http.StatusForbidden, "Built-in credential",
			"The console's own credential is managed by Gatehouse and cannot be edited.")
		return storage.Client{}, storage.Project{}, nil, false
	}
	cl, ok := c.loadCredential(w, r, a)
	if !ok {
		return cl, storage.Project{}, nil, false
	}
	p, apis, err := c.credentialContext(r, cl)
	if err != nil {
		c.serverError(w, r, a, err)
		return cl, p, nil, false
	}
	return cl, p, apis, true
}

// credentialContext returns the credential's project and the APIs its form
// offers: the project's, and any other API the credential lists.
func (c *Console) credentialContext(r *http.Request, cl storage.Client) (storage.Project, []storage.API, error) {
	ctx := r.Context()
	var p storage.Project
	var apis []storage.API
	if cl.ProjectID != "" {
		var err error
		if p, err = c.o.Admin.GetProject(ctx, cl.ProjectID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return p, nil, err
		}
		if p.ID != "" {
			if apis, err = c.o.Admin.ListAPIs(ctx, p.ID); err != nil {
				return p, nil, err
			}
		}
	}
	for _, id := range cl.APIs {
		if slices.ContainsFunc(apis, func(x storage.API) bool { return x.ID == id }) {
			continue
		}
		api, err := c.o.Admin.GetAPI(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return p, nil, err
		}
		apis = append(apis, api)
	}
	return p, apis, nil
}

// editForm is the edit page's form for cl, filled from in
// (admin.ClientInput). Scopes that no offered API defines, or that belong
// to an API the credential does not list, go to the "other scopes" field.
func editForm(cl storage.Client, p storage.Project, apis []storage.API, in admin.NewClient) credentialForm {
	k, _ := kindOf(string(cl.Type))
	f := credentialForm{
		Project: p, Kinds: credentialKinds, Kind: k, APIs: apis, Selected: map[string]bool{}, Client: &cl,
		Name: in.Name, Redirects: strings.Join(in.RedirectURIs, "\n"), Patterns: strings.Join(in.RedirectURIPatterns, "\n"),
		Default: in.DefaultRedirectURI, Logout: strings.Join(in.PostLogoutRedirectURIs, "\n"), Refresh: in.IssueRefreshTokens,
	}
	var extra []string
	for _, sc := range in.Scopes {
		found := false
		for _, api := range apis {
			if slices.Contains(in.APIs, api.ID) && slices.ContainsFunc(api.Scopes, func(x storage.APIScope) bool { return x.Name == sc }) {
				f.Selected[api.ID+" "+sc], found = true, true
			}
		}
		if !found {
			extra = append(extra, sc)
		}
	}
	f.Extra, f.ShowExtra = strings.Join(extra, " "), len(extra) > 0
	return f
}

// fieldErrors maps a validation error to its field, as the package's
// fieldErrors does; an error about one element of a redirect-URI list
// (ValidationError.Item) names the line of the text box it is on.
func (f credentialForm) fieldErrors(err error) (map[string]string, error) {
	var ve *admin.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	msg := ve.Message
	box := map[string]string{
		"redirect_uri": f.Redirects, "redirect_uri_pattern": f.Patterns, "post_logout_redirect_uri": f.Logout,
	}
	if text, ok := box[ve.Field]; ok && ve.Item > 0 {
		if n := lineOf(text, ve.Item); n > 0 {
			msg = fmt.Sprintf("Line %d: %s", n, msg)
		}
	}
	return map[string]string{ve.Field: msg}, nil
}

// lineOf returns the 1-based line number, in text, of its item'th
// non-blank line (the item'th element lines returns), or 0.
func lineOf(text string, item int) int {
	seen := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if seen++; seen == item {
			return i + 1
		}
	}
	return 0
}
